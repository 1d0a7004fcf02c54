"""Shared resources for routes and pages, injected as ``Annotated[..., Depends(...)]`` aliases.

The ones that only read ``app.state`` are coroutines: FastAPI runs a plain function
dependency in its thread pool, a hand-off that cost more than the memo hit it led to.
"""

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

SESSION_TOKEN = "sid"
SESSION_STAMP = "stamp"


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_database(request: Request) -> Database:
    return request.app.state.database


def get_db(database: Annotated[Database, Depends(get_database)]) -> Iterator[Session]:
    with database.session() as session:
        yield session


async def get_assessor(request: Request) -> CachedAssessor:
    return request.app.state.assessor


async def get_throttle(request: Request) -> LoginThrottle:
    return request.app.state.login_throttle


SettingsDep = Annotated[Settings, Depends(get_settings)]
DbSession = Annotated[Session, Depends(get_db)]
AssessorDep = Annotated[CachedAssessor, Depends(get_assessor)]
ThrottleDep = Annotated[LoginThrottle, Depends(get_throttle)]


def get_accounts(db: DbSession) -> Accounts:
    return Accounts(db)


AccountsDep = Annotated[Accounts, Depends(get_accounts)]


def session_store(request: Request, db: Session):
    from plexnav.store.sessions import Sessions

    settings = request.app.state.settings
    return Sessions(db, settings.session_idle_seconds, settings.session_max_age)


def get_optional_user(request: Request, db: DbSession) -> User | None:
    """The signed-in user of a live server-side session whose password has not changed
    (logout, "sign out everywhere", idleness and a password change all end it)."""
    token = request.session.get(SESSION_TOKEN)
    if not isinstance(token, str):
        return None
    found = session_store(request, db).user_for(token)
    if found is None or request.session.get(SESSION_STAMP) != auth_stamp(found[0]):
        request.session.pop(SESSION_TOKEN, None)
        request.session.pop(SESSION_STAMP, None)
        return None
    request.state.session_id = found[1].id
    request.state.user = found[0]
    return found[0]


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
    """Start a fresh server-side session for ``user`` (a new CSRF token too: no fixation)."""
    database: Database = request.app.state.database
    with database.session() as db:
        token = session_store(request, db).begin(user, client_address(request), request.headers.get("user-agent"))
    request.session.clear()
    request.session[SESSION_TOKEN] = token
    request.session[SESSION_STAMP] = auth_stamp(user)


def sign_out(request: Request) -> None:
    """End this session on the server (the cookie alone no longer signs anyone in)."""
    token = request.session.get(SESSION_TOKEN)
    if isinstance(token, str):
        database: Database = request.app.state.database
        with database.session() as db:
            session_store(request, db).end(token)
    request.session.clear()


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None
