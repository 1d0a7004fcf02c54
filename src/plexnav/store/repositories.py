"""Every database query plexnav makes, behind small repository classes.

Route handlers and pages never query: they call :mod:`plexnav.store.casebook` and
:mod:`plexnav.store.accounts`, which use these.  Repositories neither commit nor check
permissions; the services above them do both, one transaction per use case.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, func, or_, select
from sqlalchemy.orm import Session, selectinload

from plexnav.store.models import (
    AuditEvent,
    Share,
    StoredAssessment,
    StoredCase,
    StoredDiaryEntry,
    User,
    utcnow,
)


class UserRepository:
    def __init__(self, session: Session):
        self.session = session

    def get(self, user_id: str) -> User | None:
        return self.session.get(User, user_id)

    def by_login(self, login: str) -> User | None:
        """A user by username or email (both stored lower-case)."""
        login = login.strip().lower()
        return self.session.scalars(select(User).where(or_(User.username == login, User.email == login))).first()

    def taken(self, username: str, email: str) -> list[str]:
        """Which of username/email already belong to someone."""
        rows = self.session.execute(
            select(User.username, User.email).where(or_(User.username == username, User.email == email))
        ).all()
        out = []
        if any(r.username == username for r in rows):
            out.append("username")
        if any(r.email == email for r in rows):
            out.append("email")
        return out

    def add(self, user: User) -> User:
        self.session.add(user)
        self.session.flush()
        return user


def share_active(now: datetime) -> ColumnElement[bool]:
    """A share grants access: not revoked, and ``now`` is before its end (at the end it is over)."""
    return and_(Share.revoked_at.is_(None), or_(Share.expires_at.is_(None), Share.expires_at > now))


class ShareRepository:
    def __init__(self, session: Session):
        self.session = session

    def get(self, share_id: str) -> Share | None:
        return self.session.get(Share, share_id)

    def find_active(self, patient_id: str, clinician_id: str, case_id: str | None, now: datetime) -> Share | None:
        """The live share of exactly this scope (one case, or ``case_id`` None: all cases)."""
        scope = Share.case_id.is_(None) if case_id is None else Share.case_id == case_id
        return self.session.scalars(
            select(Share)
            .where(Share.patient_id == patient_id, Share.clinician_id == clinician_id, scope, share_active(now))
            .order_by(Share.created_at)
        ).first()

    def grants(self, patient_id: str, clinician_id: str, case_id: str | None, now: datetime) -> bool:
        """Whether a live share lets the clinician see the case (``case_id`` None: whether
        the patient shared *all* cases, as adding a new case for the patient needs)."""
        scope: ColumnElement[bool] = Share.case_id.is_(None)
        if case_id is not None:
            scope = or_(scope, Share.case_id == case_id)
        query = select(Share.id).where(
            Share.patient_id == patient_id, Share.clinician_id == clinician_id, scope, share_active(now)
        )
        return self.session.scalars(query.limit(1)).first() is not None

    def for_patient(self, patient_id: str, now: datetime, include_ended: bool = False) -> Sequence[Share]:
        query = select(Share).where(Share.patient_id == patient_id)
        if not include_ended:
            query = query.where(share_active(now))
        return self.session.scalars(query.order_by(Share.created_at, Share.id)).all()

    def for_clinician(self, clinician_id: str, now: datetime) -> Sequence[Share]:
        return self.session.scalars(
            select(Share)
            .where(Share.clinician_id == clinician_id, share_active(now))
            .order_by(Share.created_at, Share.id)
        ).all()

    def add(self, share: Share) -> Share:
        self.session.add(share)
        self.session.flush()
        return share


class CaseRepository:
    def __init__(self, session: Session):
        self.session = session

    def get(self, case_id: str) -> StoredCase | None:
        return self.session.get(StoredCase, case_id)

    def visible_to(
        self, user: User, patient_id: str | None = None, limit: int = 200, now: datetime | None = None
    ) -> Sequence[StoredCase]:
        """The user's own cases, plus (vetted clinicians) the cases live shares reach: every
        case of a patient who shared all, and single cases shared on their own."""
        if user.vetted:
            live = and_(Share.clinician_id == user.id, share_active(now or utcnow()))
            owners = select(Share.patient_id).where(live, Share.case_id.is_(None))
            single = select(Share.case_id).where(live, Share.case_id.is_not(None))
            query = select(StoredCase).where(
                or_(StoredCase.owner_id == user.id, StoredCase.owner_id.in_(owners), StoredCase.id.in_(single))
            )
        else:  # a clinician not (or no longer) vetted sees only their own
            query = select(StoredCase).where(StoredCase.owner_id == user.id)
        if patient_id is not None:
            query = query.where(StoredCase.owner_id == patient_id)
        query = query.order_by(StoredCase.updated_at.desc()).limit(limit)
        return self.session.scalars(query).all()

    def add(self, case: StoredCase) -> StoredCase:
        self.session.add(case)
        self.session.flush()
        return case

    def touch(self, case: StoredCase, document: dict | None, title: str | None) -> StoredCase:
        """Change a case; its ``version`` goes up in the same UPDATE (mapper version counter)."""
        if document is not None:
            case.document = document
        if title is not None:
            case.title = title
        case.updated_at = utcnow()
        self.session.flush()
        return case

    def remove(self, case: StoredCase) -> None:
        self.session.execute(delete(StoredAssessment).where(StoredAssessment.case_id == case.id))
        self.session.execute(delete(StoredDiaryEntry).where(StoredDiaryEntry.case_id == case.id))
        self.session.delete(case)
        self.session.flush()


class AssessmentRepository:
    def __init__(self, session: Session):
        self.session = session

    def get(self, case_id: str, assessment_id: str) -> StoredAssessment | None:
        row = self.session.get(StoredAssessment, assessment_id)
        return row if row is not None and row.case_id == case_id else None

    def for_case(self, case_id: str) -> Sequence[StoredAssessment]:
        return self.session.scalars(
            select(StoredAssessment)
            .where(StoredAssessment.case_id == case_id)
            .order_by(StoredAssessment.created_at.desc())
        ).all()

    def latest(self, case_id: str) -> StoredAssessment | None:
        return self.session.scalars(
            select(StoredAssessment)
            .where(StoredAssessment.case_id == case_id)
            .order_by(StoredAssessment.created_at.desc())
            .limit(1)
        ).first()

    def latest_for_cases(self, case_ids: Sequence[str]) -> dict[str, StoredAssessment]:
        if not case_ids:
            return {}
        newest = (
            select(StoredAssessment.case_id, func.max(StoredAssessment.created_at).label("at"))
            .where(StoredAssessment.case_id.in_(case_ids))
            .group_by(StoredAssessment.case_id)
            .subquery()
        )
        rows = self.session.scalars(
            select(StoredAssessment)
            .join(newest, (StoredAssessment.case_id == newest.c.case_id) & (StoredAssessment.created_at == newest.c.at))
            .options(selectinload(StoredAssessment.case))
        ).all()
        return {row.case_id: row for row in rows}

    def add(self, row: StoredAssessment) -> StoredAssessment:
        self.session.add(row)
        self.session.flush()
        return row


class DiaryRepository:
    def __init__(self, session: Session):
        self.session = session

    def for_case(self, case_id: str) -> Sequence[StoredDiaryEntry]:
        """A case's diary entries in the order they were stored."""
        return self.session.scalars(
            select(StoredDiaryEntry)
            .where(StoredDiaryEntry.case_id == case_id)
            .order_by(StoredDiaryEntry.created_at, StoredDiaryEntry.id)
        ).all()

    def add_all(self, rows: Sequence[StoredDiaryEntry]) -> Sequence[StoredDiaryEntry]:
        self.session.add_all(rows)
        self.session.flush()
        return rows


class AuditRepository:
    def __init__(self, session: Session):
        self.session = session

    def record(
        self,
        actor: User | None,
        action: str,
        object_type: str,
        object_id: str | None = None,
        subject_id: str | None = None,
        detail: str = "",
        actor_name: str | None = None,
    ) -> None:
        from plexnav.store.auditchain import chain

        event = AuditEvent(
            at=utcnow(),
            actor_id=actor.id if actor else None,
            actor_name=(actor.username if actor else actor_name or "anonymous")[:40],
            action=action,
            object_type=object_type,
            object_id=object_id,
            subject_id=subject_id,
            detail=detail[:2000],
            client_address="",
            user_agent="",
        )
        chain(self.session, event)
        self.session.add(event)

    def concerning(
        self,
        user: User | None,
        limit: int = 200,
        since: datetime | None = None,
        until: datetime | None = None,
        action: str | None = None,
        actor: str | None = None,
        others_only: bool = False,
        case_id: str | None = None,
    ) -> Sequence[AuditEvent]:
        """Events about the user's own data and the user's own actions (``user`` None: every
        event, for administrators), newest first.  Filters: from ``since`` (inclusive) to
        ``until`` (exclusive), one ``action``, one ``actor`` (username), ``others_only``
        (what other people did, refused attempts included), ``case_id`` (events naming
        that case: on it, its assessments, its diary, refused requests for it)."""
        query = select(AuditEvent)
        if user is not None:
            query = query.where(or_(AuditEvent.subject_id == user.id, AuditEvent.actor_id == user.id))
            if others_only:
                query = query.where(or_(AuditEvent.actor_id.is_(None), AuditEvent.actor_id != user.id))
        if since is not None:
            query = query.where(AuditEvent.at >= since)
        if until is not None:
            query = query.where(AuditEvent.at < until)
        if action:
            query = query.where(AuditEvent.action == action)
        if actor:
            query = query.where(AuditEvent.actor_name == actor)
        if case_id:
            query = query.where(or_(AuditEvent.object_id == case_id, AuditEvent.detail.contains(case_id)))
        return self.session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)).all()
