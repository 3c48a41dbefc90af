"""Staff accounts and API keys: `users …`, `api-keys …`."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click

from triage.cli.common import with_app
from triage.storage.codes import Action, KeyScope, Role


@click.group()
def users() -> None:
    """Manage staff accounts (reception, clinician, admin)."""


def _password(from_stdin: bool) -> str:
    """A new password: one line of standard input, or typed twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@users.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--name", "display_name", required=True, help="The name shown in the staff area.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(username: str, role: str, display_name: str, password_stdin: bool) -> None:
    """Add a staff account."""
    password = _password(password_stdin)

    def create() -> str:
        from triage.staff import accounts

        accounts.create(username, display_name, role, password)
        return f"created {role} account {username}"

    with_app(create)


@users.command("disable")
@click.argument("username")
def disable_user(username: str) -> None:
    """Stop an account from logging in (its open sessions end too)."""

    def disable() -> str:
        from triage.storage import repository

        user = repository.find_user(username)
        if user is None:
            raise LookupError(f"no account {username!r}")
        repository.update_user(user, active=False)
        repository.end_sessions(user)
        repository.audit("cli", Action.DISABLE_USER, target=username)
        return f"disabled {username}"

    with_app(disable)


@users.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_password(username: str, password_stdin: bool) -> None:
    """Give an account a new password (and unlock it); its open sessions end."""
    password = _password(password_stdin)

    def change() -> str:
        from triage.staff import accounts
        from triage.storage import repository

        user = repository.find_user(username)
        if user is None:
            raise LookupError(f"no account {username!r}")
        accounts.check_strength(password)
        repository.update_user(
            user, password_hash=accounts.hash_password(password), failed_logins=0, locked_until=None
        )
        repository.end_sessions(user)  # a session begun with the old password ends
        repository.audit("cli", Action.SET_PASSWORD, target=username)
        return f"set a new password for {username}"

    with_app(change)


@users.command("reset-mfa")
@click.argument("username")
def reset_mfa(username: str) -> None:
    """Forget an account's authenticator app and recovery codes (it sets them up at its next login)."""

    def reset() -> str:
        from triage.staff import mfa
        from triage.storage import repository

        user = repository.find_user(username)
        if user is None:
            raise LookupError(f"no account {username!r}")
        mfa.reset(user, by="cli")
        return f"reset MFA for {username}: it sets up an authenticator app at its next login"

    with_app(reset)


@users.command("locks")
def list_locks() -> None:
    """The accounts locked after wrong second-factor codes, and those whose logins from new browsers
    are held back after wrong passwords, with when each ends by itself."""

    def listing() -> str:
        from triage.staff import accounts
        from triage.storage import repository

        lines = [
            f"{user.username}\tlocked (wrong codes) until {_local(user.locked_until)}"
            for user in repository.locked_users()
            if user.locked_until is not None
        ]
        for user in repository.users():
            until = accounts.held_back_until(user.username)
            if until is not None:
                moment = _local(datetime.fromtimestamp(until, UTC))
                lines.append(f"{user.username}\tnew browsers held back (wrong passwords) until {moment}")
        return "\n".join([*(lines or ["no account is locked or held back"]), *_store_note()])

    with_app(listing)


@users.command("unlock")
@click.argument("username")
def unlock(username: str) -> None:
    """Lift an account's lock after wrong codes and its back-off after wrong passwords."""

    def lift() -> str:
        from triage.staff import accounts
        from triage.storage import repository

        user = repository.find_user(username)
        if user is None:
            raise LookupError(f"no account {username!r}")
        repository.unlock(user, by="cli")
        accounts.lift_back_off(username)
        return "\n".join([f"unlocked {username}", *_store_note()])

    with_app(lift)


def _local(moment: datetime) -> str:
    return f"{moment.astimezone():%Y-%m-%d %H:%M %Z}"


def _store_note() -> list[str]:
    """Where back-offs are counted in each process's memory, this command cannot reach the server's."""
    from flask import current_app

    if str(current_app.config["RATELIMIT_STORAGE_URI"]).startswith("memory://"):
        return [
            "note: back-offs after wrong passwords are counted in the server's own memory "
            "(RATELIMIT_STORAGE_URI=memory://): this command cannot see or lift them there; "
            "they end by themselves, or when the server restarts"
        ]
    return []


@click.group("api-keys")
def api_keys() -> None:
    """Manage the keys that let clients of the JSON API save assessments (and read records)."""


@api_keys.command("create")
@click.argument("name")
@click.option(
    "--scope",
    type=click.Choice([scope.value for scope in KeyScope]),
    default=KeyScope.SAVE.value,
    show_default=True,
    help="save: save assessments and read back only those it saved; read: also read every record "
    "(the practice's electronic record).",
)
def create_api_key(name: str, scope: str) -> None:
    """Make a key named NAME; prints it once, as the last line (only its hash is kept)."""

    def create() -> str:
        from triage.api import keys

        key = keys.issue(name, KeyScope(scope))
        return f"created API key {name} (scope {scope}); keep it secret, it is not shown again:\n{key}"

    with_app(create)


@api_keys.command("list")
def list_api_keys() -> None:
    """Every key's name, scope, when it was made, and whether it is revoked (never the key)."""

    def listing() -> str:
        from triage.storage import repository

        lines = [
            f"{key.name}\tscope {key.scope}\tcreated {key.created_at:%Y-%m-%d %H:%M}\t"
            + (f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active")
            for key in repository.api_keys()
        ]
        return "\n".join(lines) or "no API keys"

    with_app(listing)


@api_keys.command("revoke")
@click.argument("name")
def revoke_api_key(name: str) -> None:
    """Revoke the key named NAME: requests with it are refused from now on."""

    def revoke() -> str:
        from triage.storage import repository

        repository.revoke_api_key(name)
        repository.audit("cli", Action.REVOKE_API_KEY, target=name)
        return f"revoked API key {name}"

    with_app(revoke)
