"""Login rate limiting kept in the database, so it holds across workers and processes.

Each attempt is *reserved* before its password is checked: in one write transaction the
recent attempts of the account (``user:<login>``) and of the client address
(``addr:<ip>``, four times the allowance) are counted and, if the limit is not reached, a
row per key is added.  Concurrent guesses therefore cannot all pass the check before any
of them has failed: at most ``max_failures`` passwords per account are ever checked within
``window`` seconds.  A successful sign-in removes its own reservation and the account's
earlier failures; a failed one leaves its rows, which age out after ``window`` seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, text

from plexnav.store.db import Database, begin_write
from plexnav.store.models import LoginAttempt, new_id, utcnow

ADDRESS_FACTOR = 4


class LoginThrottle:
    def __init__(self, database: Database, max_failures: int, window: float, clock: Callable[[], datetime] = utcnow):
        self.database = database
        self.max_failures = max_failures
        self.window = window
        self.clock = clock

    @staticmethod
    def keys(login: str, address: str | None) -> list[tuple[str, int]]:
        return [(f"user:{login.strip().lower()}"[:300], 1), (f"addr:{address or 'unknown'}"[:300], ADDRESS_FACTOR)]

    def reserve(self, login: str, address: str | None) -> tuple[str | None, int | None]:
        """``(attempt id, None)`` if this attempt may check a password, else ``(None, seconds to wait)``."""
        now = self.clock()
        since = now - timedelta(seconds=self.window)
        keys = sorted(self.keys(login, address))
        with self.database.session() as session:
            begin_write(session)
            if session.get_bind().dialect.name == "postgresql":
                for key, _ in keys:  # serialise attempts on the same key (SQLite: IMMEDIATE does)
                    session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key})
            session.execute(
                delete(LoginAttempt).where(LoginAttempt.key.in_([k for k, _ in keys]), LoginAttempt.at <= since)
            )
            wait = 0.0
            for key, factor in keys:
                count, oldest = session.execute(
                    select(func.count(LoginAttempt.id), func.min(LoginAttempt.at)).where(LoginAttempt.key == key)
                ).one()
                if count >= self.max_failures * factor:
                    oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=now.tzinfo)
                    wait = max(wait, (oldest - since).total_seconds())
            if wait > 0:
                session.rollback()
                return None, max(1, int(wait + 0.999))
            attempt = new_id()
            session.add_all([LoginAttempt(key=key, attempt=attempt, at=now) for key, _ in keys])
            session.commit()
            return attempt, None

    def retry_after(self, login: str, address: str | None) -> int | None:
        """Seconds to wait before another attempt (None: allowed), without reserving one."""
        now = self.clock()
        since = now - timedelta(seconds=self.window)
        wait = 0.0
        with self.database.session() as session:
            for key, factor in self.keys(login, address):
                count, oldest = session.execute(
                    select(func.count(LoginAttempt.id), func.min(LoginAttempt.at)).where(
                        LoginAttempt.key == key, LoginAttempt.at > since
                    )
                ).one()
                if count >= self.max_failures * factor:
                    oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=now.tzinfo)
                    wait = max(wait, (oldest - since).total_seconds())
        return max(1, int(wait + 0.999)) if wait > 0 else None

    def reserve_signup(self, address: str | None, limit: int, window: float) -> int | None:
        """Count a registration from ``address``; seconds to wait when over ``limit`` per
        ``window`` (registrations are never forgiven: they age out)."""
        now = self.clock()
        since = now - timedelta(seconds=window)
        key = f"signup:{address or 'unknown'}"[:300]
        with self.database.session() as session:
            begin_write(session)
            if session.bind.dialect.name == "postgresql":
                session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key})
            session.execute(delete(LoginAttempt).where(LoginAttempt.key == key, LoginAttempt.at <= since))
            count, oldest = session.execute(
                select(func.count(LoginAttempt.id), func.min(LoginAttempt.at)).where(LoginAttempt.key == key)
            ).one()
            if count >= limit:
                session.rollback()
                oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=now.tzinfo)
                return max(1, int((oldest - since).total_seconds() + 0.999))
            session.add(LoginAttempt(key=key, attempt=new_id(), at=now))
            session.commit()
            return None

    def succeeded(self, login: str, attempt: str) -> None:
        """The password was right: forget this reservation and the account's failures."""
        user_key = self.keys(login, None)[0][0]
        with self.database.session() as session:
            begin_write(session)
            session.execute(
                delete(LoginAttempt).where((LoginAttempt.attempt == attempt) | (LoginAttempt.key == user_key))
            )
            session.commit()
