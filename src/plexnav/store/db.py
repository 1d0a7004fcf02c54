"""Database connection: engine, sessions, and the bundled Alembic migrations.

SQLite (the default, a file in the user's data directory) runs in WAL mode with
``synchronous=FULL`` and foreign keys on: a commit that returned is on disk, and a process
killed mid-write leaves the last committed state.  PostgreSQL is selected by a
``postgresql+psycopg://`` URL.  Migrations run programmatically at start-up, so a first run
needs no setup step and an upgrade migrates the existing file.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from plexnav.settings import normalise_database_url


def migrations_dir() -> Path:
    return Path(str(resources.files("plexnav.store") / "migrations"))


def _sqlite_pragmas(busy_timeout_ms: int):
    def on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin (see _sqlite_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    return on_connect


WRITE_OPTION = "plexnav_write"
LOCK_RETRIES = 2


def _sqlite_begin(connection) -> None:
    """Readers begin DEFERRED (no lock: WAL readers never wait); writers IMMEDIATE.

    A deferred transaction that reads and then writes can fail at once with "database is
    locked" when another writer committed in between, so every use case that writes asks
    for its transaction with :func:`begin_write` *before* it reads, and queues on
    busy_timeout for the write lock instead.  Reads (``/auth/me``, ``/health``, pages that
    only show) take no write lock at all.  Migrations begin IMMEDIATE too, so DDL is all or
    nothing and concurrent first starts migrate one at a time.
    """
    mode = "IMMEDIATE" if connection.get_execution_options().get(WRITE_OPTION) else "DEFERRED"
    connection.exec_driver_sql(f"BEGIN {mode}")


def is_locked(exc: BaseException) -> bool:
    """SQLite's "database is locked" / "database table is locked" (busy timeout ran out)."""
    return isinstance(exc, OperationalError) and "locked" in str(getattr(exc, "orig", exc)).lower()


def describe_database_error(exc: BaseException) -> str:
    """What may be logged about a database error: the driver's error class, the SQLSTATE
    and the statement, never the message (PostgreSQL's DETAIL quotes the failing row)."""
    orig = getattr(exc, "orig", None) or exc
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", None)
    statement = " ".join(str(getattr(exc, "statement", "") or "").split())[:300]
    return orig.__class__.__name__ + (f" ({sqlstate})" if sqlstate else "") + (f" in: {statement}" if statement else "")


DISK_FULL = ("disk is full", "database or disk is full", "no space left", "disk full")
READ_ONLY = ("readonly database", "read-only", "attempt to write a readonly")


def database_problem(exc: BaseException) -> tuple[int, str]:
    """The HTTP status and sentence for a database error that is not the client's fault."""
    text = str(getattr(exc, "orig", exc)).lower()
    sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None) or ""
    if any(k in text for k in DISK_FULL) or sqlstate == "53100":
        return 503, "the server's disk is full; nothing was saved. Try again later (the administrator is told)"
    if any(k in text for k in READ_ONLY):
        return 503, "the database is read-only at the moment; nothing was saved. Try again later"
    return 500, "internal error; it has been logged"


class StorageUnavailable(RuntimeError):
    """The database cannot be opened or brought up to date because of where it is kept (a
    full disk, a read-only folder): one sentence naming the path and the problem."""


def storage_error(exc: BaseException, where: str) -> StorageUnavailable | None:
    """``exc`` as :class:`StorageUnavailable` if it is a full disk or a read-only store."""
    if isinstance(exc, OSError) and not isinstance(exc, OperationalError):
        reason = exc.strerror or exc.__class__.__name__
        return StorageUnavailable(f"{exc.filename or where}: {reason}")
    status, _ = database_problem(exc)
    if status != 503:
        return None
    text = str(getattr(exc, "orig", exc)).lower()
    problem = "the disk is full" if any(k in text for k in DISK_FULL) else "read-only; plexnav needs to write there"
    return StorageUnavailable(f"{where}: {problem}")


def begin_write(session: Session, retries: int = LOCK_RETRIES) -> None:
    """Make the session's transaction a write transaction (SQLite: BEGIN IMMEDIATE).

    A read transaction already open (the signed-in user was looked up, say) is ended first;
    what it loaded stays usable (``expire_on_commit=False``).  Waiting for the write lock
    beyond busy_timeout is retried ``retries`` times with a short backoff before
    "database is locked" is raised (the API answers 503 with Retry-After, never 500).
    """
    if session.info.get(WRITE_OPTION):
        return
    if session.in_transaction():
        session.commit()
    for attempt in range(retries + 1):
        try:
            session.connection(execution_options={WRITE_OPTION: True})
            break
        except OperationalError as exc:
            session.rollback()
            if not is_locked(exc) or attempt == retries:
                raise
            time.sleep(min(0.05 * 2**attempt, 1.0) * (0.5 + random.random()))
    session.info[WRITE_OPTION] = True


def _transaction_ended(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(WRITE_OPTION, None)
        session.info.pop("audit_tail", None)  # the audit chain's newest hash is read afresh


def private_sqlite_file(path: Path) -> bool:
    """Health data on disk is the owner's alone: a new folder 0700, the database file (and so
    the WAL and shared-memory files SQLite creates with its mode) 0600.  True if the file was
    created here (so a start-up that fails before writing anything can take it away again).
    A folder or file that cannot be made raises :class:`StorageUnavailable`."""
    created = False
    try:
        if not path.parent.exists():
            path.parent.mkdir(parents=True, mode=0o700)
            os.chmod(path.parent, 0o700)
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            created = True
        for suffix in ("", "-wal", "-shm"):
            candidate = Path(f"{path}{suffix}")
            if candidate.exists() and candidate.stat().st_mode & 0o077:
                os.chmod(candidate, 0o600)
    except OSError as exc:
        raise StorageUnavailable(
            f"{exc.filename or path}: {exc.strerror or exc.__class__.__name__}; plexnav cannot keep its database there"
        ) from None
    return created


def storage_problem(path: Path, min_free_bytes: int = 5 * 1024 * 1024) -> str | None:
    """One sentence naming the path and what is wrong with it (None: it can hold the database)."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"{folder}: cannot create the data folder ({exc.strerror or exc.__class__.__name__})"
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return f"{path if path.exists() else folder}: read-only; plexnav needs to write its database there"
    stats = os.statvfs(folder)
    if stats.f_bavail * stats.f_frsize < min_free_bytes:
        return f"{folder}: the disk is full (less than {min_free_bytes // (1024 * 1024)} MB free)"
    return None


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None: another database, or in memory)."""
    parsed = make_url(normalise_database_url(url))
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        return Path(parsed.database)
    return None


def make_engine(url: str, busy_timeout_ms: int = 10000) -> Engine:
    """``hide_parameters``: a database error never writes the row it failed on (password
    hashes, emails, case documents) into the log, only the SQL statement."""
    url = normalise_database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        file = sqlite_path(url)
        if file is not None:
            private_sqlite_file(file)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000}, hide_parameters=True
        )
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_ms))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, hide_parameters=True)


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


class Database:
    """An engine plus a session factory; ``migrate()`` brings the schema to the newest revision."""

    def __init__(self, url: str, busy_timeout_ms: int = 10000):
        self.engine = make_engine(url, busy_timeout_ms)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self.sessions, "after_transaction_end", _transaction_ended)

    @property
    def backend(self) -> str:
        return self.engine.url.get_backend_name()

    def migrate(self) -> None:
        """Bring the schema to the newest revision.  A full disk or read-only store raises
        :class:`StorageUnavailable` (one line naming the path), and a SQLite file that held
        nothing before is removed again rather than left behind empty or half-made."""
        file = sqlite_path(self.engine.url.render_as_string(hide_password=False))
        fresh = file is not None and (not file.exists() or file.stat().st_size == 0)
        try:
            self._migrate()
        except (OperationalError, OSError) as exc:
            problem = storage_error(exc, str(file) if file is not None else self.engine.url.render_as_string())
            if problem is None:
                raise
            self.engine.dispose()
            if fresh and file is not None:
                for suffix in ("", "-wal", "-shm", "-journal"):
                    Path(f"{file}{suffix}").unlink(missing_ok=True)
            raise problem from None

    def _migrate(self) -> None:
        cfg = alembic_config(self.engine)
        with self.engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            raw = connection.connection.driver_connection
            if sqlite and raw is not None:
                # A migration that rebuilds a table (SQLite's way to change a constraint) drops
                # the old one: with foreign keys on, that would cascade into every table
                # referencing it.  SQLite's own recipe: keys off, change, check, keys on.
                raw.execute("PRAGMA foreign_keys=OFF")
            connection.execution_options(**{WRITE_OPTION: True})
            try:
                with connection.begin():
                    cfg.attributes["connection"] = connection
                    command.upgrade(cfg, "head")
                    if sqlite:
                        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                        if broken:
                            raise RuntimeError(f"migration left broken references: {broken[:5]}")
            finally:
                if sqlite and raw is not None:
                    raw.execute("PRAGMA foreign_keys=ON")

    def current_revision(self) -> str | None:
        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def head_revision(self) -> str | None:
        return ScriptDirectory.from_config(alembic_config(self.engine)).get_current_head()

    def ping(self, session: Session) -> None:
        """Raise if the database cannot answer a trivial query."""
        session.execute(text("SELECT 1"))

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
