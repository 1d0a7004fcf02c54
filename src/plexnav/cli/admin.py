"""``plexnav admin``: account administration on the configured database.

Uses the same ``PLEXNAV_*`` settings as ``plexnav serve`` (``PLEXNAV_DATABASE_URL`` or the
SQLite file in ``PLEXNAV_DATA_DIR``) and migrates the database first.  Every change is in
the audit log under the actor name ``cli``.
"""

from __future__ import annotations

import getpass
import json
import os
from typing import Annotated

import typer

app = typer.Typer(
    no_args_is_help=True, rich_markup_mode=None, help="Administer accounts: administrators, clinician vetting."
)


def _database():
    """The configured database, migrated; a full disk or read-only folder is one line, exit 2."""
    from plexnav.settings import Settings
    from plexnav.store.db import Database, StorageUnavailable

    settings = Settings()
    try:
        database = Database(settings.resolved_database_url())
        database.migrate()
    except StorageUnavailable as exc:
        _refuse(f"cannot open the database: {exc}")
    except OSError as exc:  # the data folder itself (settings create it)
        _refuse(f"cannot open the database: {exc.filename}: {exc.strerror}")
    return database


def _refuse(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


@app.command("create-admin")
def create_admin(
    username: Annotated[str, typer.Argument(help="the administrator's username")],
    email: Annotated[str, typer.Option(help="the administrator's email address")],
    display_name: Annotated[str, typer.Option(help="name to show")] = "",
) -> None:
    """Create an administrator account (password from PLEXNAV_ADMIN_PASSWORD or a prompt)."""
    from pydantic import ValidationError

    from plexnav.store.accounts import Accounts
    from plexnav.store.errors import StoreError
    from plexnav.store.schemas import UserCreate

    password = os.environ.get("PLEXNAV_ADMIN_PASSWORD") or getpass.getpass("password for the administrator: ")
    try:
        data = UserCreate.model_validate(
            {"username": username, "email": email, "password": password, "display_name": display_name}
        )
    except ValidationError as exc:
        _refuse("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()))
    data = data.model_copy(update={"role": "admin"})
    database = _database()
    try:
        with database.session() as session:
            user = Accounts(session).register(data, email_verified=True)
    except StoreError as exc:
        _refuse(exc.message)
    finally:
        database.dispose()
    typer.echo(f"administrator {user.username} created")


@app.command("list-clinicians")
def list_clinicians(
    status: Annotated[str, typer.Option(help="pending, approved or all")] = "pending",
    as_json: Annotated[bool, typer.Option("--json", help="one JSON array")] = False,
) -> None:
    """List clinician accounts (by default those waiting for approval)."""
    from plexnav.store.accounts import Accounts

    if status not in ("pending", "approved", "all"):
        _refuse("--status is one of: pending, approved, all")
    database = _database()
    try:
        with database.session() as session:
            rows = [
                {
                    "username": u.username,
                    "display_name": u.display_name,
                    "email": u.email,
                    "email_verified": u.email_verified_at is not None,
                    "approved": u.approved_at is not None,
                    "registered": u.created_at.isoformat(),
                }
                for u in Accounts(session).clinicians(status)
            ]
    finally:
        database.dispose()
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        typer.echo(f"no {status} clinician accounts")
    for r in rows:
        typer.echo(
            f"{r['username']}\t{r['display_name']}\t{r['email']}\t"
            f"email {'verified' if r['email_verified'] else 'NOT verified'}\t"
            f"{'approved' if r['approved'] else 'pending'}"
        )


@app.command("approve-clinician")
def approve_clinician(
    login: Annotated[str, typer.Argument(help="the clinician's username or email")],
    email_verified: Annotated[
        bool,
        typer.Option("--email-verified", help="you confirmed the email address yourself (the link was not followed)"),
    ] = False,
) -> None:
    """Approve a clinician after checking who they are; patients can then share with them."""
    from plexnav.store.accounts import Accounts
    from plexnav.store.errors import StoreError

    database = _database()
    try:
        with database.session() as session:
            user = Accounts(session).approve_clinician(login, None, mark_email_verified=email_verified)
    except StoreError as exc:
        _refuse(exc.message + (" (pass --email-verified if you confirmed it yourself)" if exc.path == "email" else ""))
    finally:
        database.dispose()
    typer.echo(f"clinician {user.username} approved")


@app.command("revoke-clinician")
def revoke_clinician(login: Annotated[str, typer.Argument(help="the clinician's username or email")]) -> None:
    """Withdraw a clinician's approval: records shared with them are hidden from them again."""
    from plexnav.store.accounts import Accounts
    from plexnav.store.errors import StoreError

    database = _database()
    try:
        with database.session() as session:
            user = Accounts(session).revoke_clinician(login, None)
    except StoreError as exc:
        _refuse(exc.message)
    finally:
        database.dispose()
    typer.echo(f"clinician {user.username} no longer approved")


@app.command("two-factor-off")
def two_factor_off(login: Annotated[str, typer.Argument(help="the account's username or email")]) -> None:
    """Turn two-factor sign-in off for someone who lost both the phone and the recovery codes
    (check who they are first, by a channel other than the account); audited."""
    from plexnav.store.errors import StoreError
    from plexnav.store.twofactor import TwoFactor

    database = _database()
    try:
        with database.session() as session:
            user = TwoFactor(session).turn_off_by_administrator(login)
    except StoreError as exc:
        _refuse(exc.message)
    finally:
        database.dispose()
    typer.echo(
        f"two-factor sign-in is off for {user.username}; they sign in with their password and can set it up again"
    )


@app.command("check")
def check() -> None:
    """Refuse an unsafe production configuration (default secret, insecure cookies, clinician sign-up open)."""
    from plexnav.deployment import check_settings
    from plexnav.settings import Settings

    problems = check_settings(Settings())
    for p in problems:
        typer.echo(f"{'error' if p.blocking else 'warning'}: {p.setting}: {p.message}", err=p.blocking)
    if any(p.blocking for p in problems):
        typer.echo("the configuration is not safe for production (see the README, 'Deployment')", err=True)
        raise typer.Exit(code=1)
    typer.echo("ok: no blocking problem in the production settings")


audit_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="The audit log.")
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the audit log's hash chain: any edited, inserted or deleted event is found."""
    from plexnav.store.auditchain import verify

    database = _database()
    with database.session() as session:
        count, broken = verify(session)
    if broken is not None:
        typer.echo(
            f"error: the audit chain is broken at event {broken} (checked {count} events): "
            "an event was changed, inserted or deleted",
            err=True,
        )
        raise typer.Exit(code=1)
    typer.echo(f"ok: {count} audit events, chain intact")


@app.command("backup")
def backup_command(path: Annotated[str, typer.Argument(help="the backup file to write (must not exist)")]) -> None:
    """Back up the whole database (SQLite online backup; PostgreSQL pg_dump) while the app runs."""
    from pathlib import Path

    from plexnav.settings import Settings
    from plexnav.store.backup import BackupError, backup

    try:
        backup(Settings().resolved_database_url(), Path(path))
    except BackupError as exc:
        _refuse(str(exc))
    typer.echo(f"backed up to {path}")


@app.command("restore")
def restore_command(path: Annotated[str, typer.Argument(help="a file written by plexnav admin backup")]) -> None:
    """Replace the database's contents with a backup (stop plexnav serve first)."""
    from pathlib import Path

    from plexnav.settings import Settings
    from plexnav.store.backup import BackupError, restore

    try:
        restore(Settings().resolved_database_url(), Path(path))
    except BackupError as exc:
        _refuse(str(exc))
    typer.echo(f"restored from {path}")
