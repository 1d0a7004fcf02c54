"""Shared resources for routes and pages, injected as ``Annotated[..., Depends(...)]`` aliases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from plexnav.server.assessor import CachedAssessor
from plexnav.server.ratelimit import LoginThrottle
from plexnav.settings import Settings
from plexnav.store.accounts import Accounts, auth_stamp
from plexnav.store.casebook import Casebook
from plexnav.store.db import Database
from plexnav.store.diarybook import Diarybook
from plexnav.store.errors import Unauthorized
from plexnav.store.models import User

SESSION_USER = "uid"
SESSION_STAMP = "stamp"


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_database(request: Request) -> Database:
    return request.app.state.database


def get_db(database: Annotated[Database, Depends(get_database)]) -> Iterator[Session]:
    with database.session() as session:
        yield session


def get_assessor(request: Request) -> CachedAssessor:
    return request.app.state.assessor


def get_throttle(request: Request) -> LoginThrottle:
    return request.app.state.login_throttle


SettingsDep = Annotated[Settings, Depends(get_settings)]
DbSession = Annotated[Session, Depends(get_db)]
AssessorDep = Annotated[CachedAssessor, Depends(get_assessor)]
ThrottleDep = Annotated[LoginThrottle, Depends(get_throttle)]


def get_accounts(db: DbSession) -> Accounts:
    return Accounts(db)


AccountsDep = Annotated[Accounts, Depends(get_accounts)]


def get_optional_user(request: Request, accounts: AccountsDep) -> User | None:
    """The signed-in user, if the session cookie names one whose password has not changed."""
    user_id = request.session.get(SESSION_USER)
    if not isinstance(user_id, str):
        return None
    user = accounts.get(user_id)
    if user is None or request.session.get(SESSION_STAMP) != auth_stamp(user):
        request.session.pop(SESSION_USER, None)
        request.session.pop(SESSION_STAMP, None)
        return None
    return user


OptionalUser = Annotated[User | None, Depends(get_optional_user)]


def get_current_user(user: OptionalUser) -> User:
    if user is None:
        raise Unauthorized("sign in first (POST /api/v1/auth/login)")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_admin(user: CurrentUser) -> User:
    """Administrators only; to anyone else the administration routes do not exist."""
    from plexnav.store.errors import NotFound
    if user.role != "admin":
        raise NotFound("not found")
    return user


AdminUser = Annotated[User, Depends(get_admin)]


def get_casebook(db: DbSession, user: CurrentUser, assessor: AssessorDep) -> Casebook:
    return Casebook(db, user, assessor)


CasebookDep = Annotated[Casebook, Depends(get_casebook)]


def get_diarybook(db: DbSession, user: CurrentUser, assessor: AssessorDep) -> Diarybook:
    return Diarybook(db, user, assessor)


DiarybookDep = Annotated[Diarybook, Depends(get_diarybook)]


def sign_in(request: Request, user: User) -> None:
    """Start a fresh session for ``user`` (a new CSRF token too: no fixation)."""
    request.session.clear()
    request.session[SESSION_USER] = user.id
    request.session[SESSION_STAMP] = auth_stamp(user)


def sign_out(request: Request) -> None:
    request.session.clear()


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None
