"""The audit log as a hash chain, and where requests come from.

Each event stores the SHA-256 of the previous event's hash and its own fields, so changing,
inserting or deleting a line anywhere breaks every hash after it; :func:`verify` finds the
first broken event.  Events are appended one at a time (SQLite: the write lock; PostgreSQL:
a transaction-scoped advisory lock), so the chain has no forks.

The client address and user agent of the request being served are kept in a context
variable set by the web middleware; the command line leaves them empty.
"""

from __future__ import annotations

import hashlib
import json
from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from plexnav.store.models import AuditEvent

ORIGIN: ContextVar[tuple[str, str]] = ContextVar("plexnav_request_origin", default=("", ""))
CHAIN_LOCK = 72_016_012  # PostgreSQL advisory lock key of the audit chain
FIELDS = (
    "at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "subject_id",
    "detail",
    "client_address",
    "user_agent",
)


def _canonical(value):
    if isinstance(value, datetime):
        value = value if value.tzinfo else value.replace(tzinfo=UTC)
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value if value is not None else ""


def event_hash(prev_hash: str, fields: dict) -> str:
    payload = json.dumps(
        [prev_hash, *(_canonical(fields.get(f)) for f in FIELDS)], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def chain(session: Session, event: AuditEvent) -> None:
    """Fill the event's origin and link it to the newest event (call before adding it)."""
    address, agent = ORIGIN.get()
    event.client_address = event.client_address or address[:64]
    event.user_agent = event.user_agent or agent[:200]
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHAIN_LOCK})
    newest = select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    prev = session.info.get("audit_tail") or session.scalars(newest).first() or ""
    event.prev_hash = prev
    event.hash = event_hash(prev, {f: getattr(event, f) for f in FIELDS})
    session.info["audit_tail"] = event.hash


def verify(session: Session) -> tuple[int, int | None]:
    """(events checked, id of the first event whose chain is broken, or None)."""
    prev, count = "", 0
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)).yield_per(1000):
        count += 1
        if event.prev_hash != prev or event.hash != event_hash(prev, {f: getattr(event, f) for f in FIELDS}):
            return count, event.id
        prev = event.hash
    return count, None
