"""Sign-in and sign-up throttling kept in the database, so it holds across workers and processes.

Two limits, with different jobs:

* **Per account: exponential backoff, never a lockout.**  The first ``max_failures`` failed
  sign-ins cost nothing; after that each further attempt on the account must wait
  ``BASE_DELAY * 2**(n - 1)`` seconds after the previous one (1, 2, 4, ... seconds), capped at
  ``window / max_failures`` (60 s with the defaults).  The count starts afresh once the
  account had no failure for ``window`` seconds.  Someone who types five wrong passwords for
  another person's account therefore delays the real person by at most a minute instead of
  locking them out for five, while a guesser gets one guess per ``window / max_failures``
  in the long run (the old limit's average rate), however many addresses it guesses from.
* **Per client address: a hard limit.**  ``max_failures * ADDRESS_FACTOR`` failures per
  ``window`` from one address, whatever accounts they aim at; the one refused is the
  address that guessed, not the account's owner.

Each attempt is *reserved* before its password is checked: in one write transaction the
recent attempts of the account (``user:<login>``) and of the address (``addr:<ip>``) are
counted and, if neither limit applies, a row per key is added.  Concurrent guesses
therefore cannot all pass the check before any of them has failed.  A successful sign-in
removes its own reservation and the account's earlier failures; a failed one leaves its
rows, which age out after ``window`` seconds.  Registrations and reset requests are counted
per address the same way (:meth:`LoginThrottle.reserve_signup`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from plexnav.store.db import Database, begin_write
from plexnav.store.models import LoginAttempt, new_id, utcnow

ADDRESS_FACTOR = 4
BASE_DELAY = 1.0  # seconds: the wait after the first failure beyond the free ones
MEMORY = timedelta(days=1)  # an account's failures are never counted longer than this


def _aware(value: datetime, like: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=like.tzinfo)


def _seconds(wait: float) -> int:
    """A Retry-After value: whole seconds, at least 1."""
    return max(1, int(wait + 0.999))


class LoginThrottle:
    def __init__(self, database: Database, max_failures: int, window: float, clock: Callable[[], datetime] = utcnow):
        self.database = database
        self.max_failures = max_failures
        self.window = window
        self.clock = clock
        self.max_delay = max(BASE_DELAY, window / max_failures)

    @staticmethod
    def account_key(login: str) -> str:
        return f"user:{login.strip().lower()}"[:300]

    @staticmethod
    def address_key(address: str | None) -> str:
        return f"addr:{address or 'unknown'}"[:300]

    def delay_after(self, failures: int) -> float:
        """How long an account with ``failures`` recent failures waits after the newest one."""
        extra = failures - self.max_failures
        if extra < 0:
            return 0.0
        return float(min(self.max_delay, BASE_DELAY * 2 ** min(extra, 62)))

    def most_checks(self, seconds: float) -> int:
        """The most passwords one account can have checked within ``seconds`` from a clean
        start, by any number of clients and addresses (what a load test may compare with):
        every attempt made as early as the backoff allows."""
        checks, at = 0, 0.0
        while at <= seconds:
            checks += 1
            at += self.delay_after(checks)
        return checks

    def _account_failures(self, session: Session, login: str, now: datetime) -> tuple[int, datetime | None]:
        """The account's failures since it was last quiet for ``window`` seconds, and the newest."""
        count, newest = session.execute(
            select(func.count(LoginAttempt.id), func.max(LoginAttempt.at)).where(
                LoginAttempt.key == self.account_key(login)
            )
        ).one()
        if newest is None or _aware(newest, now) <= now - timedelta(seconds=self.window):
            return 0, None
        return count, _aware(newest, now)

    def _wait(self, session: Session, login: str, address: str | None, now: datetime) -> float:
        """Seconds this attempt must still wait (0: it may check a password now)."""
        since = now - timedelta(seconds=self.window)
        wait = 0.0
        count, newest = self._account_failures(session, login, now)
        if newest is not None:
            wait = (newest + timedelta(seconds=self.delay_after(count)) - now).total_seconds()
        count, oldest = session.execute(
            select(func.count(LoginAttempt.id), func.min(LoginAttempt.at)).where(
                LoginAttempt.key == self.address_key(address), LoginAttempt.at > since
            )
        ).one()
        if count >= self.max_failures * ADDRESS_FACTOR and oldest is not None:
            wait = max(wait, (_aware(oldest, now) - since).total_seconds())
        return wait

    def reserve(self, login: str, address: str | None) -> tuple[str | None, int | None]:
        """``(attempt id, None)`` if this attempt may check a password, else ``(None, seconds to wait)``."""
        now = self.clock()
        account, origin = self.account_key(login), self.address_key(address)
        keys = sorted({account, origin})
        with self.database.session() as session:
            begin_write(session)
            if session.get_bind().dialect.name == "postgresql":
                for key in keys:  # serialise attempts on the same key (SQLite: IMMEDIATE does)
                    session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key})
            # the address limit forgets after ``window``; the account's backoff once it was
            # quiet that long (and anything a day old)
            session.execute(
                delete(LoginAttempt).where(
                    LoginAttempt.key == origin, LoginAttempt.at <= now - timedelta(seconds=self.window)
                )
            )
            if self._account_failures(session, login, now)[1] is None:
                session.execute(delete(LoginAttempt).where(LoginAttempt.key == account))
            else:
                session.execute(
                    delete(LoginAttempt).where(LoginAttempt.key == account, LoginAttempt.at <= now - MEMORY)
                )
            wait = self._wait(session, login, address, now)
            if wait > 0:
                session.rollback()
                return None, _seconds(wait)
            attempt = new_id()
            session.add_all([LoginAttempt(key=key, attempt=attempt, at=now) for key in keys])
            session.commit()
            return attempt, None

    def retry_after(self, login: str, address: str | None) -> int | None:
        """Seconds to wait before another attempt (None: allowed), without reserving one."""
        now = self.clock()
        with self.database.session() as session:
            wait = self._wait(session, login, address, now)
        return _seconds(wait) if wait > 0 else None

    def reserve_signup(self, address: str | None, limit: int, window: float) -> int | None:
        """Count a registration from ``address``; seconds to wait when over ``limit`` per
        ``window`` (registrations are never forgiven: they age out)."""
        now = self.clock()
        since = now - timedelta(seconds=window)
        key = f"signup:{address or 'unknown'}"[:300]
        with self.database.session() as session:
            begin_write(session)
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key})
            session.execute(delete(LoginAttempt).where(LoginAttempt.key == key, LoginAttempt.at <= since))
            count, oldest = session.execute(
                select(func.count(LoginAttempt.id), func.min(LoginAttempt.at)).where(LoginAttempt.key == key)
            ).one()
            if count >= limit:
                session.rollback()
                return _seconds((_aware(oldest, now) - since).total_seconds())
            session.add(LoginAttempt(key=key, attempt=new_id(), at=now))
            session.commit()
            return None

    def succeeded(self, login: str, attempt: str) -> None:
        """The password was right: forget this reservation and the account's failures."""
        with self.database.session() as session:
            begin_write(session)
            session.execute(
                delete(LoginAttempt).where(
                    (LoginAttempt.attempt == attempt) | (LoginAttempt.key == self.account_key(login))
                )
            )
            session.commit()
