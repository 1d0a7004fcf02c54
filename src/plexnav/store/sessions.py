"""Server-side sessions: begin at sign-in, end at logout (or everywhere), expire when idle.

The session cookie (signed) carries a random token; the table keeps only its SHA-256, so a
copy of the database does not sign anyone in.  A session ends when it is idle longer than
``idle_seconds``, older than ``max_age_seconds``, ended by its owner (logout, "sign out
everywhere", ending one from the list) or when the password changes.  ``last_seen_at`` is
written at most once a minute per session, in its own short write transaction, so reading
pages does not queue for SQLite's write lock.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Result, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from plexnav.store.db import begin_write, is_locked
from plexnav.store.models import User, UserSession, utcnow
from plexnav.store.repositories import AuditRepository

TOUCH_EVERY = timedelta(seconds=60)


def _rowcount(result: Result) -> int:
    """Rows an UPDATE changed (an UPDATE's result is a CursorResult)."""
    return int(getattr(result, "rowcount", 0) or 0)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Sessions:
    def __init__(self, session: Session, idle_seconds: int, max_age_seconds: int):
        self.session = session
        self.idle = timedelta(seconds=idle_seconds)
        self.max_age = timedelta(seconds=max_age_seconds)

    def begin(self, user: User, client_address: str | None, user_agent: str | None) -> str:
        """A new session for ``user``; returns the token for the cookie."""
        token = secrets.token_urlsafe(32)
        begin_write(self.session)
        now = utcnow()
        self.session.add(
            UserSession(
                token_hash=token_hash(token),
                user_id=user.id,
                created_at=now,
                last_seen_at=now,
                client_address=(client_address or "")[:64],
                user_agent=(user_agent or "")[:200],
            )
        )
        self.session.commit()
        return token

    def _live(self, row: UserSession | None, now: datetime) -> bool:
        return (
            row is not None
            and row.ended_at is None
            and now - row.last_seen_at <= self.idle
            and now - row.created_at <= self.max_age
        )

    def user_for(self, token: str) -> tuple[User, UserSession] | None:
        """The signed-in user of a live session (and the session), else None."""
        now = utcnow()
        row = self.session.scalars(select(UserSession).where(UserSession.token_hash == token_hash(token))).first()
        if row is None or not self._live(row, now):
            return None
        user = self.session.get(User, row.user_id)
        if user is None:
            return None
        if now - row.last_seen_at >= TOUCH_EVERY:
            self._touch(row.id, now)
        return user, row

    def _touch(self, session_id: str, now: datetime) -> None:
        try:
            begin_write(self.session, retries=0)
            self.session.execute(update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now))
            self.session.commit()
        except OperationalError as exc:  # busy: the next request records it
            self.session.rollback()
            if not is_locked(exc):
                raise

    def end(self, token: str) -> None:
        begin_write(self.session)
        self.session.execute(
            update(UserSession)
            .where(UserSession.token_hash == token_hash(token), UserSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
        self.session.commit()

    def end_all(self, user: User, keep_token: str | None = None, reason: str = "sign_out_everywhere") -> int:
        """End every live session of ``user`` (except the one holding ``keep_token``)."""
        begin_write(self.session)
        query = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        if keep_token is not None:
            query = query.where(UserSession.token_hash != token_hash(keep_token))
        ended = _rowcount(self.session.execute(query.values(ended_at=utcnow())))
        AuditRepository(self.session).record(user, reason, "user", user.id, user.id, f"sessions ended={ended}")
        self.session.commit()
        return ended

    def end_one(self, user: User, session_id: str) -> bool:
        begin_write(self.session)
        ended = _rowcount(
            self.session.execute(
                update(UserSession)
                .where(UserSession.id == session_id, UserSession.user_id == user.id, UserSession.ended_at.is_(None))
                .values(ended_at=utcnow())
            )
        )
        if ended:
            AuditRepository(self.session).record(user, "end_session", "session", session_id, user.id)
        self.session.commit()
        return bool(ended)

    def active(self, user: User) -> list[UserSession]:
        now = utcnow()
        rows = self.session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
            .order_by(UserSession.last_seen_at.desc())
        ).all()
        return [r for r in rows if self._live(r, now)]
