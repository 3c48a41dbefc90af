"""The tables: assessments (no names) and call-back requests (name and phone, with consent)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, ColumnElement, DateTime, ForeignKey, Integer, String, Text, false, or_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from triage.storage.codes import Channel, KeyScope, Status


class Base(DeclarativeBase):
    """Base of every table."""


class Assessment(Base):
    """A completed assessment: the answers as given and what the engine made of them. No names."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(9), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    channel: Mapped[str] = mapped_column(String(10))  # online, phone or api
    api_key: Mapped[str | None] = mapped_column(String(50))  # channel api: the key it came with
    language: Mapped[str] = mapped_column(String(5))
    level: Mapped[str] = mapped_column(String(12), index=True)
    fired_rules: Mapped[list[str]] = mapped_column(JSON)
    rules_version: Mapped[str] = mapped_column(String(20))
    rules_hash: Mapped[str] = mapped_column(String(80))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The emergency advice was shown before every question was answered (spec §3a); `partial`:
    # the answers are still incomplete. Carrying on updates this record (updated_at).
    early_exit: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    partial: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # What the person was told to do, as shown, in the language they used: the action on the pages
    # and in the API, the receptionist's script on the phone (spec §3a).
    told: Mapped[str | None] = mapped_column(Text)
    # Taken by phone: who took the call, and the caller's details if they gave them.
    recorded_by: Mapped[str | None] = mapped_column(String(50))
    caller_name: Mapped[str | None] = mapped_column(String(100))
    caller_phone: Mapped[str | None] = mapped_column(String(32))
    # Why a call at urgent or soon has no number to call back, as the receptionist put it (spec §3a).
    no_number_reason: Mapped[str | None] = mapped_column(String(200))
    # The reception queue: new -> contacted -> closed, with a note, who and when.
    status: Mapped[str] = mapped_column(
        String(10), default=Status.NEW, server_default=Status.NEW.value, index=True
    )
    status_note: Mapped[str | None] = mapped_column(Text)
    status_by: Mapped[str | None] = mapped_column(String(50))
    status_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When the record was first marked contacted (how fast call-backs happen: the dashboard).
    contacted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A clinician's own urgency level, when they disagree with the tool's (`level` stays as given):
    # the queue sorts by it and its target applies. Who, when and why.
    override_level: Mapped[str | None] = mapped_column(String(12))
    override_reason: Mapped[str | None] = mapped_column(Text)
    override_by: Mapped[str | None] = mapped_column(String(50))
    override_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    callbacks: Mapped[list[CallbackRequest]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", passive_deletes=True
    )

    @hybrid_property
    def actionable(self) -> bool:
        """Whether staff can act on the record: a phone call, or a call-back request. Only these
        count down to their due time; an online or API record without a request has no
        contact details, so nobody can call it back."""
        return self.channel == Channel.PHONE or bool(self.callbacks)

    @actionable.inplace.expression
    @classmethod
    def _actionable_in_sql(cls) -> ColumnElement[bool]:
        return or_(cls.channel == Channel.PHONE, cls.callbacks.any())

    @property
    def urgency(self) -> str:
        """The level the practice acts on: a clinician's override where there is one, else the tool's."""
        return self.override_level or self.level

    def __repr__(self) -> str:  # never the answers
        return f"<Assessment {self.reference} {self.level}>"


class CallbackRequest(Base):
    """A request to be phoned back about an assessment, stored only with explicit consent."""

    __tablename__ = "callback_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(32))  # E.164
    time_window: Mapped[str] = mapped_column(String(20))
    consent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    assessment: Mapped[Assessment] = relationship(back_populates="callbacks")

    def __repr__(self) -> str:  # never the name or phone
        return f"<CallbackRequest {self.id} for assessment {self.assessment_id}>"


class StaffUser(UserMixin, Base):  # type: ignore[misc]  # Flask-Login ships no type hints
    """A member of staff: reception, clinician or admin. Passwords are stored only as argon2 hashes."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(12))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Every session carries the version it began with; logging out, a new password, disabling the
    # account or resetting its MFA moves it on, and so ends every copy of every older session.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Multi-factor authentication (TOTP): the secret, encrypted with a key derived from SECRET_KEY
    # (none: not enrolled); the SHA-256 hashes of the unused recovery codes; the last time step
    # accepted, so a code is never accepted twice.
    mfa_secret: Mapped[str | None] = mapped_column(String(200))
    mfa_recovery: Mapped[list[str] | None] = mapped_column(JSON)
    mfa_last_step: Mapped[int | None] = mapped_column(Integer)
    # How many times the second factor changed (set up, a recovery code used, reset): a change is
    # saved only where none came between reading the account and writing it (compare-and-set).
    mfa_changes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    @property
    def is_active(self) -> bool:
        """A disabled account cannot log in, and its open sessions end."""
        return bool(self.active)

    def __repr__(self) -> str:  # never the hash
        return f"<StaffUser {self.username} {self.role}>"


class AuditEntry(Base):
    """Who did what, when: every view of a patient record and every change. Holds no patient data."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    username: Mapped[str] = mapped_column(String(50), index=True)
    action: Mapped[str] = mapped_column(String(30))
    target: Mapped[str | None] = mapped_column(String(40))  # a reference code, a username
    detail: Mapped[str | None] = mapped_column(String(200))


class AlertOutbox(Base):
    """An alert email to send: written with the record it is about, in the same transaction, and
    sent by whichever sender claims it first. Holds no health data: what arrived, its level, its
    reference code; or what happened to a staff account (its second factor set up, reset, or
    its logins held back), and which."""

    __tablename__ = "alert_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # AlertKind
    # About a record: its reference and level. About a staff account: its username.
    reference: Mapped[str | None] = mapped_column(String(9))
    level: Mapped[str | None] = mapped_column(String(12))
    account: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # A sender holds a claimed alert until claimed_until; after that another sender may take it over.
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claim: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    last_error: Mapped[str | None] = mapped_column(String(80))  # the error's type, never its message

    def __repr__(self) -> str:
        return f"<AlertOutbox {self.id} {self.kind}>"


class ApiKey(Base):
    """A key that lets a client of the JSON API save assessments and read back the ones it saved (or
    every record, with the read scope). Only its SHA-256 hash is kept."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    scope: Mapped[str] = mapped_column(String(10), default=KeyScope.SAVE, server_default=KeyScope.SAVE.value)

    def __repr__(self) -> str:  # never the hash
        return f"<ApiKey {self.name}>"


class ServedQuestionnaire(Base):
    """The FHIR Questionnaire of a rules version in one language, as the app served it while it ran
    those rules: kept so that the version a saved response cites can still be read after the rules
    change (triage/api/fhir/). Holds nothing about anyone."""

    __tablename__ = "served_questionnaires"

    version: Mapped[str] = mapped_column(String(20), primary_key=True)  # the rules version
    language: Mapped[str] = mapped_column(String(5), primary_key=True)
    rules_hash: Mapped[str] = mapped_column(String(80))
    resource: Mapped[dict[str, Any]] = mapped_column(JSON)
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    def __repr__(self) -> str:
        return f"<ServedQuestionnaire {self.version} {self.language}>"
