"""Optional two-factor sign-in: time-based one-time codes (RFC 6238 TOTP, the codes of any
authenticator app) with one-use recovery codes.

* **Enrol**: a new random secret (160 bits, base32) is stored as *pending* and shown once,
  as text and as an ``otpauth://`` QR code.  It counts for nothing until a code made from it
  is verified (**enable**), so a half-finished enrolment never locks anyone out.
* **Enable**: the code is checked and ten recovery codes (80 random bits each) are made and
  shown once; only their SHA-256 is kept.
* **Sign-in**: with two-factor on, the password alone does not sign in: a current code (this
  30-second step or one either side, for clock drift) or an unused recovery code is needed.
  A code is accepted once: the step it belongs to is stored and older or equal steps are
  refused (RFC 6238 section 5.2), in the same write transaction, so two requests cannot both
  use it.  Attempts count against the sign-in throttle like passwords.
* **Disable**: the password and a code (or a recovery code) again.

Every step is audited (``totp_enrol``, ``totp_enable``, ``totp_failed``, ``recovery_code_used``,
``totp_disable``).  The secret is kept in the database as it must be to check codes; the
database files are private to the service account (0600 in a 0700 folder).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from base64 import b32encode
from dataclasses import dataclass

import pyotp
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from plexnav.store.db import begin_write
from plexnav.store.errors import Conflict, Forbidden, Invalid, NotFound
from plexnav.store.models import RecoveryCode, User, utcnow
from plexnav.store.repositories import AuditRepository

ISSUER = "plexnav"
STEP_SECONDS = 30
DRIFT_STEPS = 1  # one step either side of the server's clock
RECOVERY_CODES = 10
_NOT_CODE = re.compile(r"[\s-]")


@dataclass(frozen=True)
class Enrolment:
    """What enrolment shows once: the secret and the link an authenticator app reads."""

    secret: str
    otpauth_uri: str


def normalise_recovery_code(code: str) -> str:
    return _NOT_CODE.sub("", code).upper()


def recovery_hash(code: str) -> str:
    return hashlib.sha256(normalise_recovery_code(code).encode()).hexdigest()


def new_recovery_code() -> str:
    raw = b32encode(secrets.token_bytes(10)).decode()  # 16 characters, 80 bits
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def current_step() -> int:
    return int(utcnow().timestamp()) // STEP_SECONDS


def matching_step(secret: str, code: str, after: int | None) -> int | None:
    """The time step (now, or one either side) whose code is ``code`` and is newer than
    ``after``; None if there is none."""
    digits = code.strip().replace(" ", "")
    if not digits.isdigit() or len(digits) != 6:
        return None
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    now = current_step()
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if (after is None or step > after) and hmac.compare_digest(totp.generate_otp(step), digits):
            return step
    return None


class TwoFactor:
    def __init__(self, session: Session):
        self.session = session
        self.audit = AuditRepository(session)

    def _user(self, user_id: str, lock: bool = False) -> User:
        query = select(User).where(User.id == user_id)
        if lock and self.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()  # SQLite: BEGIN IMMEDIATE already serialises writers
        user = self.session.scalars(query.execution_options(populate_existing=True)).first()
        if user is None:
            raise NotFound("no such account", "username")
        return user

    def recovery_codes_left(self, user: User) -> int:
        return int(
            self.session.scalar(
                select(func.count(RecoveryCode.id)).where(
                    RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
                )
            )
            or 0
        )

    def enrol(self, user_id: str) -> Enrolment:
        """Make a new pending secret (replacing an unfinished enrolment)."""
        begin_write(self.session)
        user = self._user(user_id, lock=True)
        if user.totp_enabled_at is not None:
            self.session.rollback()
            raise Conflict("two-factor sign-in is already on; turn it off first to set up a new device", "code")
        user.totp_secret = pyotp.random_base32()
        user.totp_last_step = None
        self.audit.record(user, "totp_enrol", "user", user.id, user.id, "secret made; waiting for a first code")
        self.session.commit()
        uri = pyotp.TOTP(user.totp_secret, interval=STEP_SECONDS).provisioning_uri(
            name=user.email or user.username, issuer_name=ISSUER
        )
        return Enrolment(user.totp_secret, uri)

    def enable(self, user_id: str, code: str) -> list[str]:
        """Turn two-factor sign-in on with a first code; returns the recovery codes (shown once)."""
        begin_write(self.session)
        user = self._user(user_id, lock=True)
        if user.totp_enabled_at is not None:
            self.session.rollback()
            raise Conflict("two-factor sign-in is already on", "code")
        if not user.totp_secret:
            self.session.rollback()
            raise Invalid("set up two-factor sign-in first (enrol), then enter a code from the app", "code")
        step = matching_step(user.totp_secret, code, None)
        if step is None:
            self.audit.record(user, "totp_failed", "user", user.id, user.id, "wrong code while turning it on")
            self.session.commit()
            raise Invalid("that code is not right; check that the phone's clock is set automatically", "code")
        user.totp_enabled_at = utcnow()
        user.totp_last_step = step
        codes = [new_recovery_code() for _ in range(RECOVERY_CODES)]
        self.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
        self.session.add_all([RecoveryCode(user_id=user.id, code_hash=recovery_hash(c)) for c in codes])
        self.audit.record(user, "totp_enable", "user", user.id, user.id, f"recovery codes made={len(codes)}")
        self.session.commit()
        return codes

    def check(self, user_id: str, code: str, purpose: str = "sign-in") -> bool:
        """Accept a current code or an unused recovery code once (its own write transaction;
        the attempt is audited either way)."""
        begin_write(self.session)
        user = self._user(user_id, lock=True)
        if user.totp_enabled_at is None or not user.totp_secret:
            self.session.rollback()
            return False
        step = matching_step(user.totp_secret, code, user.totp_last_step)
        if step is not None:
            user.totp_last_step = step
            self.session.commit()
            return True
        digest = recovery_hash(code)
        row = self.session.scalars(
            select(RecoveryCode).where(
                RecoveryCode.user_id == user.id, RecoveryCode.code_hash == digest, RecoveryCode.used_at.is_(None)
            )
        ).first()
        if row is not None and len(normalise_recovery_code(code)) == 16:
            row.used_at = utcnow()
            self.session.flush()
            left = self.recovery_codes_left(user)
            self.audit.record(user, "recovery_code_used", "user", user.id, user.id, f"{purpose}; codes left={left}")
            self.session.commit()
            return True
        self.audit.record(
            None, "totp_failed", "user", user.id, user.id, f"wrong code ({purpose})", actor_name="anonymous"
        )
        self.session.commit()
        return False

    def disable(self, user_id: str, password_ok: bool, code: str) -> None:
        """Turn two-factor sign-in off: the caller checked the password (``password_ok``)."""
        if not password_ok:
            begin_write(self.session)
            user = self._user(user_id)
            self.audit.record(user, "totp_failed", "user", user.id, user.id, "wrong password while turning it off")
            self.session.commit()
            raise Forbidden("the password is not right", "password")
        if not self.check(user_id, code, purpose="turning two-factor off"):
            raise Forbidden("that code is not right (a code from the app, or an unused recovery code)", "code")
        begin_write(self.session)
        user = self._user(user_id, lock=True)
        user.totp_secret = None
        user.totp_enabled_at = None
        user.totp_last_step = None
        self.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
        self.audit.record(user, "totp_disable", "user", user.id, user.id)
        self.session.commit()

    def turn_off_by_administrator(self, login_or_id: str, admin_name: str = "cli") -> User:
        """For a person who lost the phone and the recovery codes (after checking who they are)."""
        from plexnav.store.repositories import UserRepository

        begin_write(self.session)
        users = UserRepository(self.session)
        user = users.get(login_or_id) or users.by_login(login_or_id)
        if user is None:
            self.session.rollback()
            raise NotFound(f"no account {login_or_id!r}", "username")
        user.totp_secret = None
        user.totp_enabled_at = None
        user.totp_last_step = None
        self.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
        self.audit.record(None, "totp_disable", "user", user.id, user.id, "by an administrator", actor_name=admin_name)
        self.session.commit()
        return user
