"""The tables: assessments (no names) and call-back requests (name and phone, with consent)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Base of every table."""


class Assessment(Base):
    """A completed assessment: the answers as given and what the engine made of them. No names."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(9), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    channel: Mapped[str] = mapped_column(String(10))  # online, phone or api
    language: Mapped[str] = mapped_column(String(5))
    level: Mapped[str] = mapped_column(String(12), index=True)
    fired_rules: Mapped[list[str]] = mapped_column(JSON)
    rules_version: Mapped[str] = mapped_column(String(20))
    rules_hash: Mapped[str] = mapped_column(String(80))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)

    callbacks: Mapped[list[CallbackRequest]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", passive_deletes=True
    )

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
