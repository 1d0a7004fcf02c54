"""Pydantic schemas of the stored records: what comes in (``*Create``/``*Update``) and what
goes out (``*Public``), separate from the table models so that a column added to a table
never leaks into an API answer by accident.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from plexnav.case import Assessment, Case, Triage
from plexnav.diary.models import DiaryEntry

Role = Literal["patient", "clinician", "admin"]
SHARE_MAX_DAYS = 5 * 366  # the furthest end a share may have
SignupRole = Literal["patient", "clinician"]


def _no_nul(value: str) -> str:
    """PostgreSQL cannot store NUL in text; refuse it here too, not only in the HTTP layer
    (the command line creates accounts without it)."""
    if "\x00" in value:
        raise ValueError("text may not contain the NUL character (\\u0000)")
    return value


NoNul = AfterValidator(_no_nul)
Username = Annotated[
    str,
    NoNul,
    StringConstraints(
        strip_whitespace=True, to_lower=True, min_length=3, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
    ),
]
Email = Annotated[
    str,
    NoNul,
    StringConstraints(
        strip_whitespace=True, to_lower=True, min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
    ),
]
Password = Annotated[str, NoNul, StringConstraints(min_length=10, max_length=200)]


def _not_weak(value: str, *, personal: tuple[str, ...] = ()) -> str:
    """The password, unless :func:`plexnav.store.passwords.weakness` finds it easy to guess
    (``personal``: the account's own words, which it must not be built from)."""
    from plexnav.store.passwords import weakness

    problem = weakness(value, list(personal))
    if problem:
        raise PydanticCustomError("weak_password", problem)
    return value


NewPassword = Annotated[Password, AfterValidator(_not_weak)]  # a password to set, not one to check
Title = Annotated[str, NoNul, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
RecordId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)


# ------------------------------------------------------------------------------- accounts


class UserCreate(_In):
    username: Username = Field(description="3-40 characters: letters, digits, _ . -")
    email: Email
    password: Password = Field(description="at least 10 characters")
    role: SignupRole = "patient"
    display_name: Annotated[str, NoNul, StringConstraints(strip_whitespace=True, max_length=100)] = ""

    @field_validator("password")
    @classmethod
    def _strong_password(cls, value: str, info: ValidationInfo) -> str:
        email = str(info.data.get("email") or "")
        return _not_weak(value, personal=(str(info.data.get("username") or ""), email, email.split("@")[0]))


class PasswordChange(_In):
    current_password: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    new_password: NewPassword = Field(description="at least 10 characters and hard to guess")


class AccountDeletion(_In):
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="your password, to confirm"
    )
    confirm: Literal["delete my account and all my data"] = Field(
        description="type exactly: delete my account and all my data"
    )


class ResetRequest(_In):
    email: Email


class ResetConfirm(_In):
    token: Annotated[str, StringConstraints(min_length=1, max_length=1000)]
    new_password: NewPassword = Field(description="at least 10 characters and hard to guess")


OneTimeCode = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=6, max_length=40, pattern=r"^[0-9A-Za-z -]+$")
]


class LoginRequest(_In):
    username: Annotated[str, NoNul, StringConstraints(strip_whitespace=True, min_length=1, max_length=254)] = Field(
        description="username or email"
    )
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    totp_code: OneTimeCode | None = Field(
        None,
        description="accounts with two-factor sign-in: the 6-digit code from the authenticator app or a "
        "recovery code (without it such an account gets 401 with the path totp_code; the code can then "
        "follow alone to /api/v1/auth/login/two-factor)",
    )


class TwoFactorCode(_In):
    code: OneTimeCode = Field(description="the 6-digit code from the authenticator app (or a recovery code)")


class TwoFactorDisable(_In):
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    code: OneTimeCode = Field(description="a code from the app or an unused recovery code")


class TwoFactorEnrolment(_Out):
    """Shown once: enter the secret (or scan the QR code) in an authenticator app, then send
    a code from it to /api/v1/auth/two-factor/enable."""

    secret: str = Field(description="base32 secret (RFC 6238, SHA-1, 6 digits, 30 s)")
    otpauth_uri: str
    qr_svg: str = Field(description="the otpauth URI as a QR code (SVG)")


class RecoveryCodes(_Out):
    recovery_codes: list[str] = Field(description="shown once: each signs in once instead of a code")


class TwoFactorStatus(_Out):
    enabled: bool
    enabled_at: datetime | None = None
    pending: bool = Field(False, description="a secret was made but no code verified yet")
    recovery_codes_left: int = 0


class UserPublic(_Out):
    id: str
    username: str
    email: str
    display_name: str
    role: Role
    created_at: datetime
    email_verified_at: datetime | None = Field(None, description="when the email address was verified (null: not yet)")
    approved_at: datetime | None = Field(
        None, description="clinicians: when an administrator approved the account (null: pending)"
    )
    vetted: bool = Field(False, description="clinicians: email verified and approved, so patients can share with them")
    two_factor: bool = Field(False, description="two-factor sign-in is on")


class EmailToken(_In):
    token: Annotated[str, StringConstraints(min_length=1, max_length=1000)]


class SessionPublic(_Out):
    """One of your signed-in sessions (the token itself is never shown)."""

    id: str
    created_at: datetime
    last_seen_at: datetime
    client_address: str
    user_agent: str
    current: bool = Field(False, description="the session this request came with")


class UserRef(_Out):
    """Another person as others may see them: no email unless they are your clinician."""

    id: str
    username: str
    display_name: str
    role: Role


# ---------------------------------------------------------------------------------- cases


class CaseCreate(_In):
    title: Title = "Untitled case"
    case: Case = Field(description="the case document (plexnav-case/1)")
    patient_id: RecordId | None = Field(
        None, description="clinicians: store the case for a patient who shared with you (default: yourself)"
    )


class CaseUpdate(_In):
    title: Title | None = None
    case: Case | None = None
    expected_version: Annotated[int, Field(ge=1)] | None = Field(
        None, description="refuse the change (409) if the stored case has moved on from this version"
    )


class AssessmentRecordPublic(_Out):
    id: str
    case_id: str
    case_version: int
    knowledge_version: str
    created_at: datetime
    created_by: UserRef | None = None
    assessment: Assessment


class AssessmentRecordSummary(_Out):
    id: str
    case_version: int
    knowledge_version: str
    triage_level: str
    top_site: str | None
    top_side: str | None
    top_probability: float | None
    created_at: datetime


class DiaryAlert(_Out):
    """Red flags recorded in the case's diary that no clinician has acknowledged yet."""

    level: Literal["emergency", "urgent"]
    entries: int = Field(description="how many diary entries raised a red flag not yet acknowledged")
    first_date: date
    last_date: date


class CaseSummary(_Out):
    id: str
    title: str
    owner: UserRef
    version: int
    created_at: datetime
    updated_at: datetime
    latest: AssessmentRecordSummary | None = None
    diary_alert: DiaryAlert | None = Field(None, description="diary red flags no clinician has acknowledged yet")
    urgency: str | None = Field(
        None,
        description="the most severe of the latest assessment's triage level and the open diary alert (what to act on)",
    )


class CasePublic(_Out):
    id: str
    title: str
    owner: UserRef
    created_by: UserRef | None = None
    version: int
    created_at: datetime
    updated_at: datetime
    case: Case
    latest_assessment: AssessmentRecordPublic | None = None
    can_edit: bool
    can_delete: bool
    diary_alert: DiaryAlert | None = Field(None, description="diary red flags no clinician has acknowledged yet")
    urgency: str | None = Field(
        None,
        description="the most severe of the latest assessment's triage level and the open diary alert (what to act on)",
    )


# --------------------------------------------------------------------------------- shares


class ShareCreate(_In):
    clinician: Annotated[
        str, NoNul, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=254)
    ] = Field(description="the clinician's username or email")
    case_id: RecordId | None = Field(None, description="share this one case (default: all your cases)")
    expires_at: datetime | None = Field(
        None,
        description="access ends at this time (ISO 8601; without a time zone it is UTC); at most "
        f"{SHARE_MAX_DAYS} days ahead; default: until you revoke it",
    )

    @field_validator("expires_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


class SharePublic(_Out):
    id: str
    patient: UserRef
    clinician: UserRef
    clinician_email: str | None = None
    case_id: str | None = Field(None, description="the one case shared (null: all the patient's cases)")
    case_title: str | None = None
    created_at: datetime
    expires_at: datetime | None = Field(None, description="when access ends (null: when revoked)")
    revoked_at: datetime | None = None
    status: Literal["active", "expired", "revoked"] = "active"


class CaseAccess(_Out):
    """Who can see one case right now, and until when."""

    case_id: str
    title: str
    shares: list[SharePublic] = Field(description="live shares reaching this case: its own and those of all cases")


class AccessOverview(_Out):
    """A patient's answer to "who can see my records": overall and case by case."""

    all_cases: list[SharePublic] = Field(description="live shares of all your cases")
    cases: list[CaseAccess]


# ---------------------------------------------------------------------------------- audit


class AuditEventPublic(_Out):
    id: int
    at: datetime
    actor_id: str | None
    actor_name: str
    action: str
    object_type: str
    object_id: str | None
    subject_id: str | None
    detail: str
    client_address: str = ""
    user_agent: str = ""


# ---------------------------------------------------------------------------------- diary


class DiaryEntryPublic(_Out):
    id: str
    case_id: str
    created_at: datetime
    created_by: UserRef | None = None
    entry: DiaryEntry
    triage: Triage = Field(description="the red-flag check of this entry (same policy as a case)")
    new_alert: bool = Field(False, description="the entry raised an emergency or urgent red flag not seen before")


class DiaryImportResult(_Out):
    added: int = Field(description="entries stored")
    skipped: int = Field(description="entries already in the diary (identical), not stored twice")
