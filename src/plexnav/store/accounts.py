"""Accounts: registration, password checks (argon2id) and the session stamp.

Passwords are hashed with argon2-cffi's defaults (argon2id, RFC 9106 low-memory profile)
and rehashed on login when those defaults change.  A login for an unknown user still
verifies against a dummy hash, so timing does not reveal which usernames exist.
"""

from __future__ import annotations

import hashlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plexnav.store.errors import Conflict, Forbidden
from plexnav.store.models import User
from plexnav.store.repositories import AuditRepository, UserRepository
from plexnav.store.schemas import UserCreate, UserPublic

_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("plexnav-dummy-password")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def auth_stamp(user: User) -> str:
    """Changes whenever the password does: a session cookie carries it, so changing the
    password ends every other session."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


class Accounts:
    def __init__(self, session: Session):
        self.session = session
        self.users = UserRepository(session)
        self.audit = AuditRepository(session)

    def get(self, user_id: str) -> User | None:
        return self.users.get(user_id)

    def register(self, data: UserCreate, allow_clinician: bool = True) -> UserPublic:
        if data.role == "clinician" and not allow_clinician:
            raise Forbidden("clinician accounts are created by an administrator here", "role")
        taken = self.users.taken(data.username, data.email)
        if taken:
            raise Conflict(f"that {taken[0]} is already registered", taken[0])
        user = User(username=data.username, email=data.email, role=data.role,
                    display_name=data.display_name or data.username, password_hash=hash_password(data.password))
        try:
            self.users.add(user)
            self.audit.record(user, "register", "user", user.id, user.id, f"role={user.role}")
            self.session.commit()
        except IntegrityError:
            self.session.rollback()
            raise Conflict("that username or email is already registered", "username") from None
        return UserPublic.model_validate(user)

    def authenticate(self, login: str, password: str) -> User | None:
        user = self.users.by_login(login)
        try:
            _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            self.audit.record(user, "login_failed", "user", user.id if user else None,
                              user.id if user else None, actor_name=login[:40])
            self.session.commit()
            return None
        if user is None:
            return None
        if _HASHER.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        self.audit.record(user, "login", "user", user.id, user.id)
        self.session.commit()
        return user
