"""Accounts: registration, password checks (argon2id), email verification, clinician vetting.

Passwords are hashed with argon2-cffi's defaults (argon2id, RFC 9106 low-memory profile)
and rehashed on login when those defaults change.  A login for an unknown user still
verifies against a dummy hash, so timing does not reveal which usernames exist.

Hashing is slow on purpose (tens of milliseconds), so it never runs inside a database
transaction: the hash is made before the write transaction of a registration begins, and
a login's read transaction ends before its password is verified.

Clinicians are vetted before any patient's records reach them: the account starts pending,
its email address is verified by a signed link (:func:`email_token`), and an
administrator approves it (``plexnav admin approve-clinician`` or the ``/admin`` page).
Until both have happened a patient cannot share with the account and it sees no one's
records but its own.
"""

from __future__ import annotations

import hashlib
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plexnav.store.db import begin_write
from plexnav.store.errors import Conflict, Forbidden, Invalid, NotFound, SecondFactorNeeded
from plexnav.store.models import User, utcnow
from plexnav.store.repositories import AuditRepository, UserRepository
from plexnav.store.schemas import UserCreate, UserPublic

_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("plexnav-dummy-password")
EMAIL_SALT = "plexnav-verify-email"
RESET_SALT = "plexnav-reset-password"


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def refuse_guessable(user: User, password: str, path: str = "new_password") -> None:
    """The schemas check a new password's strength on its own; here it is checked again
    against the account's own username and email address (zxcvbn ``user_inputs``), which
    a password change or reset request does not carry."""
    from plexnav.store.passwords import weakness

    problem = weakness(password, [user.username, user.email, user.email.split("@")[0], user.display_name])
    if problem:
        raise Invalid(problem, path)


def auth_stamp(user: User) -> str:
    """Changes whenever the password does: a session cookie carries it, so changing the
    password ends every other session."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def email_token(secret: str, user: User) -> str:
    """A signed, timestamped token naming the account and the address it was sent to."""
    return URLSafeTimedSerializer(secret, salt=EMAIL_SALT).dumps({"u": user.id, "e": user.email})


def reset_token(secret: str, user: User) -> str:
    """A signed, timestamped token naming the account and its current password stamp: it
    stops working once the password changed (so it works once)."""
    return URLSafeTimedSerializer(secret, salt=RESET_SALT).dumps({"u": user.id, "s": auth_stamp(user)})


def _read_link(token: str, secret: str, salt: str, max_age: int, expired: str) -> Any:
    """What an emailed link's token carries, or :class:`Invalid` naming why not (``expired``:
    what to say when it is too old)."""
    try:
        return URLSafeTimedSerializer(secret, salt=salt).loads(token, max_age=max_age)
    except SignatureExpired:
        raise Invalid(expired, "token") from None
    except BadSignature:
        raise Invalid("this link is not valid", "token") from None


class Accounts:
    def __init__(self, session: Session):
        self.session = session
        self.users = UserRepository(session)
        self.audit = AuditRepository(session)

    def get(self, user_id: str) -> User | None:
        return self.users.get(user_id)

    def _still_there(self, user_id: str) -> User:
        """The account, read again inside the write transaction (it may have been deleted
        while a password was being checked outside it)."""
        user = self.users.get(user_id)
        if user is None:
            self.session.rollback()
            raise NotFound("no such account", "username")
        return user

    def _by_login(self, login: str) -> User:
        user = self.users.by_login(login)
        if user is None:
            raise NotFound(f"no account {login!r}", "username")
        return user

    # ------------------------------------------------------------------ sign-up, sign-in

    def register(
        self,
        data: UserCreate,
        allow_clinician: bool = False,
        actor: User | None = None,
        approve: bool = False,
        email_verified: bool = False,
    ) -> UserPublic:
        """Create an account.  ``approve``/``email_verified`` are for administrators only
        (the CLI), who vouch for the person."""
        if data.role == "clinician" and not allow_clinician:
            raise Forbidden("clinician accounts are created by an administrator here", "role")
        password_hash = hash_password(data.password)  # slow: before the write transaction
        begin_write(self.session)
        taken = self.users.taken(data.username, data.email)
        if taken:
            self.session.rollback()
            raise Conflict(f"that {taken[0]} is already registered", taken[0])
        now = utcnow()
        user = User(
            username=data.username,
            email=data.email,
            role=data.role,
            display_name=data.display_name or data.username,
            password_hash=password_hash,
            email_verified_at=now if email_verified else None,
            approved_at=now if approve and data.role == "clinician" else None,
            approved_by_id=actor.id if actor and approve and data.role == "clinician" else None,
        )
        try:
            self.users.add(user)
            self.audit.record(actor or user, "register", "user", user.id, user.id, f"role={user.role}", actor_name=None)
            self.session.commit()
        except IntegrityError:
            self.session.rollback()
            raise Conflict("that username or email is already registered", "username") from None
        return UserPublic.model_validate(user)

    def check_password(self, user: User, password: str) -> bool:
        """Verify a password outside any transaction (the hash is slow on purpose)."""
        if self.session.in_transaction():
            self.session.commit()
        try:
            return bool(_HASHER.verify(user.password_hash, password))
        except (VerificationError, InvalidHashError):
            return False

    def authenticate(self, login: str, password: str, code: str | None = None) -> User | None:
        """The user whose password (and, with two-factor sign-in on, code) is right, else
        None.  Raises :class:`SecondFactorNeeded` when the password is right and a code is
        needed but none was given."""
        user = self.users.by_login(login)
        if self.session.in_transaction():
            self.session.commit()  # end the read: the slow hash runs outside any transaction
        try:
            _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            # the person typing is unknown: never the victim, never what they typed
            begin_write(self.session)
            self.audit.record(
                None,
                "login_failed",
                "user",
                user.id if user else None,
                user.id if user else None,
                actor_name="anonymous",
            )
            self.session.commit()
            return None
        if user is None:
            return None
        if user.two_factor:
            if not code:
                begin_write(self.session)
                self.audit.record(
                    None, "login_code_needed", "user", user.id, user.id, "password right", actor_name="anonymous"
                )
                self.session.commit()
                raise SecondFactorNeeded(user.id, auth_stamp(user))
            from plexnav.store.twofactor import TwoFactor

            if not TwoFactor(self.session).check(user.id, code):
                return None
        new_hash = hash_password(password) if _HASHER.check_needs_rehash(user.password_hash) else None
        return self.complete_login(user.id, new_hash)

    def complete_login(self, user_id: str, new_hash: str | None = None) -> User | None:
        """Record the sign-in (every factor checked), rehashing the password if asked."""
        begin_write(self.session)
        user = self.users.get(user_id)
        if user is None:
            self.session.rollback()
            return None
        if new_hash is not None:
            user.password_hash = new_hash
        self.audit.record(user, "login", "user", user.id, user.id, "with two-factor" if user.two_factor else "")
        self.session.commit()
        return user

    # ------------------------------------------------------------------ email verification

    def verify_email(self, token: str, secret: str, max_age: int) -> User:
        data = _read_link(token, secret, EMAIL_SALT, max_age, "this link has expired; sign in and ask for a new one")
        if not isinstance(data, dict):
            raise Invalid("this link is not valid", "token")
        begin_write(self.session)
        user = self.users.get(str(data.get("u")))
        if user is None or user.email != data.get("e"):
            self.session.rollback()
            raise Invalid("this link is not valid (was the email address changed?)", "token")
        if user.email_verified_at is None:
            user.email_verified_at = utcnow()
            self.audit.record(user, "verify_email", "user", user.id, user.id)
        self.session.commit()
        return user

    # ------------------------------------------------------------------ administration

    def clinicians(self, status: str = "pending") -> list[User]:
        query = select(User).where(User.role == "clinician")
        if status == "pending":
            query = query.where(User.approved_at.is_(None))
        elif status == "approved":
            query = query.where(User.approved_at.is_not(None))
        return list(self.session.scalars(query.order_by(User.created_at)).all())

    def approve_clinician(
        self, login_or_id: str, admin: User | None, mark_email_verified: bool = False, admin_name: str = "cli"
    ) -> User:
        """Vet a clinician.  The email must be verified (by the link, or ``mark_email_verified``
        when the administrator confirmed it another way)."""
        begin_write(self.session)
        user = self.users.get(login_or_id) or self._by_login(login_or_id)
        if user.role != "clinician":
            raise Invalid(f"{user.username} is not a clinician account", "username")
        now = utcnow()
        if user.email_verified_at is None:
            if not mark_email_verified:
                self.session.rollback()
                raise Conflict(f"{user.username} has not verified their email address yet", "email")
            user.email_verified_at = now
        user.approved_at = now
        user.approved_by_id = admin.id if admin else None
        self.audit.record(
            admin, "approve_clinician", "user", user.id, user.id, f"username={user.username}", actor_name=admin_name
        )
        self.session.commit()
        return user

    def revoke_clinician(self, login_or_id: str, admin: User | None, admin_name: str = "cli") -> User:
        begin_write(self.session)
        user = self.users.get(login_or_id) or self._by_login(login_or_id)
        if user.role != "clinician":
            raise Invalid(f"{user.username} is not a clinician account", "username")
        user.approved_at = None
        user.approved_by_id = None
        self.audit.record(
            admin, "revoke_clinician", "user", user.id, user.id, f"username={user.username}", actor_name=admin_name
        )
        self.session.commit()
        return user

    # ------------------------------------------------------------------ password change

    def change_password(self, user_id: str, current: str, new: str) -> User:
        """Check the current password, store the new one (checked for strength by the
        schema) and end every session of the account; the caller starts a fresh one."""
        user = self.users.get(user_id)
        if user is None:
            raise NotFound("no such account", "username")
        refuse_guessable(user, new)
        if self.session.in_transaction():
            self.session.commit()  # the slow hashes run outside any transaction
        try:
            _HASHER.verify(user.password_hash, current)
        except (VerificationError, InvalidHashError):
            begin_write(self.session)
            self.audit.record(user, "password_change_failed", "user", user.id, user.id)
            self.session.commit()
            raise Forbidden("the current password is not right", "current_password") from None
        new_hash = hash_password(new)
        begin_write(self.session)
        user = self._still_there(user_id)
        return self._replace_password(user, new_hash, "password_change", "every session ended")

    def _replace_password(self, user: User, new_hash: str, action: str, detail: str) -> User:
        """In the write transaction begun: the new hash, every session of the account ended
        (whoever knew the old password is signed out), audited, committed."""
        from sqlalchemy import update

        from plexnav.store.models import UserSession

        user.password_hash = new_hash
        self.session.execute(
            update(UserSession)
            .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
        self.audit.record(user, action, "user", user.id, user.id, detail)
        self.session.commit()
        return user

    # ------------------------------------------------------------------ account deletion

    def delete_account(self, user_id: str, password: str) -> None:
        """Erase the account and everything it owns (cases, assessments, diary entries, shares,
        sessions); the audit log keeps the fact, under the account's id, not its data."""
        from sqlalchemy import delete

        from plexnav.store.models import LoginAttempt, Share, StoredCase, UserSession
        from plexnav.store.repositories import CaseRepository

        user = self.users.get(user_id)
        if user is None:
            raise NotFound("no such account", "username")
        if self.session.in_transaction():
            self.session.commit()
        try:
            _HASHER.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            raise Forbidden("the password is not right", "password") from None
        begin_write(self.session)
        user = self._still_there(user_id)
        cases = CaseRepository(self.session)
        owned = list(self.session.scalars(select(StoredCase).where(StoredCase.owner_id == user.id)).all())
        for case in owned:
            cases.remove(case)
        self.session.execute(delete(Share).where((Share.patient_id == user.id) | (Share.clinician_id == user.id)))
        self.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
        self.session.execute(delete(LoginAttempt).where(LoginAttempt.key == f"user:{user.username}"))
        self.audit.record(
            None,
            "delete_account",
            "user",
            user.id,
            user.id,
            f"role={user.role} cases erased={len(owned)}",
            actor_name="deleted account",
        )
        self.session.delete(user)
        self.session.commit()

    # ------------------------------------------------------------------ password reset

    def reset_password(self, token: str, secret: str, max_age: int, new: str) -> User:
        """Set a new password from an emailed reset link; every session ends."""
        data = _read_link(token, secret, RESET_SALT, max_age, "this link has expired; ask for a new one")
        user = self.users.get(str(data.get("u"))) if isinstance(data, dict) else None
        if user is None or data.get("s") != auth_stamp(user):
            raise Invalid("this link was already used or the password changed since; ask for a new one", "token")
        refuse_guessable(user, new)
        if self.session.in_transaction():
            self.session.commit()
        new_hash = hash_password(new)
        begin_write(self.session)
        user = self.users.get(user.id)
        if user is None or data.get("s") != auth_stamp(user):
            self.session.rollback()
            raise Invalid("this link was already used; ask for a new one", "token")
        return self._replace_password(user, new_hash, "password_reset", "by emailed link; every session ended")
