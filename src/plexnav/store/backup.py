"""Backup and restore of the whole database (``plexnav admin backup PATH`` / ``restore PATH``).

SQLite: the online backup API copies a consistent snapshot while the app keeps serving
(readers and writers are not stopped), and restore copies a backup file back the same way.
PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists`` (the client
programs must be installed; the URL's password is passed in the environment, never on the
command line).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from plexnav.settings import normalise_database_url


class BackupError(RuntimeError):
    """Backup or restore failed; the message names the path or program."""


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database:
        raise BackupError(f"{url}: names no SQLite file")
    return Path(database)


def _pg_args(url: str) -> tuple[list[str], dict[str, str]]:
    parsed = make_url(normalise_database_url(url))
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    args = [
        "--host",
        parsed.host or "localhost",
        "--port",
        str(parsed.port or 5432),
        "--dbname",
        parsed.database or "postgres",
    ]
    if parsed.username:
        args += ["--username", parsed.username]
    return args, env


def _program(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (PostgreSQL client programs are needed)")
    return found


def _last_line(done: subprocess.CompletedProcess) -> str:
    text = done.stderr.strip()
    return text.splitlines()[-1] if text else f"exit status {done.returncode}"


def backup(url: str, target: Path) -> None:
    url = normalise_database_url(url)
    if target.exists():
        raise BackupError(f"{target}: already exists; choose a new file")
    tmp = target.with_name(target.name + ".partial")
    if make_url(url).get_backend_name() == "sqlite":
        source = sqlite3.connect(_sqlite_path(url))
        dest = sqlite3.connect(tmp)
        try:
            source.backup(dest)
        finally:
            dest.close()
            source.close()
    else:
        args, env = _pg_args(url)
        done = subprocess.run(
            [_program("pg_dump"), "--format=custom", "--no-owner", "--file", str(tmp), *args],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            tmp.unlink(missing_ok=True)
            raise BackupError(f"pg_dump failed: {_last_line(done)}")
    os.chmod(tmp, 0o600)
    os.replace(tmp, target)


def restore(url: str, source: Path) -> None:
    """Replace the database's contents with the backup's (stop the app first)."""
    url = normalise_database_url(url)
    if not source.is_file():
        raise BackupError(f"{source}: no such backup file")
    if make_url(url).get_backend_name() == "sqlite":
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dest = sqlite3.connect(_sqlite_path(url))
        try:
            if src.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{source}: the backup file is damaged (integrity_check failed)")
            src.backup(dest)
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{source}: not a plexnav SQLite backup ({exc})") from None
        finally:
            dest.close()
            src.close()
        return
    args, env = _pg_args(url)
    done = subprocess.run(
        [_program("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction", *args, str(source)],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {_last_line(done)}")
