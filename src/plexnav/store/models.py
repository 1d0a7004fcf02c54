"""SQLAlchemy 2 table models: users, stored cases, their assessments and diary entries, shares,
audit events.

These are persistence models only.  What the API and pages send and receive are the
pydantic schemas in :mod:`plexnav.store.schemas` (never these classes), and every query
lives in :mod:`plexnav.store.repositories`.  The schema itself is created and changed only
by the Alembic migrations in ``store/migrations`` (the first one mirrors this file).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("patient", "clinician", "admin")


def new_id() -> str:
    """Opaque record id: 32 hex characters (ids are not guessable or sequential)."""
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp that always comes back timezone-aware (UTC), on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('patient', 'clinician', 'admin')", name="role"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # when the person followed the signed link mailed to ``email`` (None: not yet)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # clinicians: when and by which administrator the account was vetted (None: pending)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    approved_by_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # optional two-factor sign-in (RFC 6238 TOTP): the base32 secret is set at enrolment and
    # only counts once ``totp_enabled_at`` is set (a code from it was verified); the last
    # time step accepted, so a code seen once cannot be replayed
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    totp_last_step: Mapped[int | None] = mapped_column(Integer, nullable=True)

    @property
    def two_factor(self) -> bool:
        """Two-factor sign-in is on (enrolled and a first code verified)."""
        return self.totp_enabled_at is not None and bool(self.totp_secret)

    @property
    def vetted(self) -> bool:
        """A clinician whose email is verified and whom an administrator approved: only
        such a clinician can be shared with, and only then sees shared records."""
        return self.role == "clinician" and self.approved_at is not None and self.email_verified_at is not None


class LoginAttempt(Base):
    """One sign-in attempt counted against a throttle key (``user:<login>``, ``addr:<ip>``).

    Kept in the database so the limit holds across workers and processes.  An attempt is
    recorded *before* its password is checked (so concurrent guesses cannot all slip under
    the limit) and removed again when it succeeds.
    """

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(300))
    attempt: Mapped[str] = mapped_column(String(32), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class RecoveryCode(Base):
    """A one-use code that signs in instead of a two-factor code (the phone was lost).  Only
    its SHA-256 is kept: the codes are random (80 bits), shown once when two-factor sign-in
    is turned on."""

    __tablename__ = "recovery_codes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class UserSession(Base):
    """One signed-in browser or client: the cookie carries a random token, the table only its
    SHA-256, so sessions can be listed, ended at logout or everywhere, and expire when idle."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    client_address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")


class StoredCase(Base):
    """A patient's case document (plexnav-case/1 JSON), owned by that patient.

    ``owner_id`` is the person the case is about; ``created_by_id`` who entered it (the same
    patient, or a clinician the patient shared with).  ``version`` goes up by one with every
    change, so an edit based on a stale copy can be refused.
    """

    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    document: Mapped[dict] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    # UPDATE ... WHERE version = <version read>: two concurrent edits cannot both win silently.
    __mapper_args__ = {"version_id_col": version}
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    owner: Mapped[User] = relationship(foreign_keys=[owner_id], lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id], lazy="joined")
    assessments: Mapped[list[StoredAssessment]] = relationship(
        back_populates="case",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="StoredAssessment.created_at",
    )


class StoredAssessment(Base):
    """One run of the engine on one version of a case, with the knowledge version it used."""

    __tablename__ = "assessments"
    __table_args__ = (Index("ix_assessments_case_created", "case_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    case_version: Mapped[int] = mapped_column(Integer)
    knowledge_version: Mapped[str] = mapped_column(String(80))
    triage_level: Mapped[str] = mapped_column(String(16))
    top_site: Mapped[str | None] = mapped_column(String(60))
    top_side: Mapped[str | None] = mapped_column(String(16))
    top_probability: Mapped[float | None] = mapped_column(Float)
    document: Mapped[dict] = mapped_column(JSON)
    created_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[StoredCase] = relationship(back_populates="assessments")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id], lazy="joined")


class StoredDiaryEntry(Base):
    """One recovery-diary entry (``plexnav.diary.models.DiaryEntry`` JSON) of a stored case.

    The case's owner writes patient entries; a clinician the patient shared with may add
    clinician entries (which alone may hold MRC strength grades).  ``triage_level`` is the
    red-flag check of the entry when it was stored.
    """

    __tablename__ = "diary_entries"
    __table_args__ = (
        CheckConstraint("author IN ('patient', 'clinician')", name="author"),
        Index("ix_diary_entries_case_date", "case_id", "entry_date"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    entry_date: Mapped[date] = mapped_column(Date)
    author: Mapped[str] = mapped_column(String(16))
    document: Mapped[dict] = mapped_column(JSON)
    triage_level: Mapped[str] = mapped_column(String(16))
    created_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # the entry raised a new emergency/urgent red flag: the case's urgency stays raised
    # (pages, lists, PDFs, API) until a clinician acknowledges it
    alert_level: Mapped[str | None] = mapped_column(String(16), nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    acknowledged_by_id: Mapped[str | None] = mapped_column(String(32), nullable=True)

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id], lazy="joined")


class Share(Base):
    """A patient lets one clinician see (and add findings to) one case, or all the patient's
    cases (``case_id`` None), until ``expires_at`` (None: until revoked).  Revoking keeps the
    row (``revoked_at``), so the patient can see who had access and when it ended."""

    __tablename__ = "shares"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    patient_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    clinician_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    patient: Mapped[User] = relationship(foreign_keys=[patient_id], lazy="joined")
    clinician: Mapped[User] = relationship(foreign_keys=[clinician_id], lazy="joined")
    case: Mapped[StoredCase | None] = relationship(foreign_keys=[case_id], lazy="joined")

    def status(self, now: datetime) -> str:
        """``active``, ``expired`` (at and after ``expires_at``) or ``revoked``."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and now >= self.expires_at:
            return "expired"
        return "active"


class AuditEvent(Base):
    """Who read or changed what, and whose data it was.  Written in the same transaction as
    the change it records, so there is never a change without its audit line.  Plain ids,
    no foreign keys: the log outlives the records it mentions."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[str | None] = mapped_column(String(32), index=True)
    actor_name: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(32))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[str | None] = mapped_column(String(32), index=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    # where the request came from (empty for the command line)
    client_address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    # SHA-256 over the previous event's hash and this event's fields: editing or deleting a
    # line breaks the chain (``plexnav admin audit verify``)
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")
