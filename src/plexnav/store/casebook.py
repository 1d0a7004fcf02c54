"""The casebook: what a signed-in person may do with stored cases, one transaction each.

Privacy rules, in one place:

* a patient sees and changes only their own cases;
* a vetted clinician sees the cases a live share reaches (one case, or all of a patient's
  cases) and their own, may add findings and re-assess them, but only the owner deletes a
  case; a share ends when the patient revokes it or at its end time (at that instant, not
  a moment later), and an ended share grants nothing;
* a case you may not see is "not found" (404), never "forbidden", so ids reveal nothing;
* every read and change of a case or assessment writes an audit event in the same
  transaction, naming the actor and whose data it was.

Each stored assessment keeps the knowledge-base version it was made with.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from plexnav.case import Assessment, Case
from plexnav.store.alerts import open_alerts, urgency
from plexnav.store.db import begin_write
from plexnav.store.errors import Conflict, Forbidden, Invalid, NotFound
from plexnav.store.models import Share, StoredAssessment, StoredCase, User, new_id, utcnow
from plexnav.store.repositories import (
    AssessmentRepository,
    AuditRepository,
    CaseRepository,
    ShareRepository,
    UserRepository,
)
from plexnav.store.schemas import (
    SHARE_MAX_DAYS,
    AccessOverview,
    AssessmentRecordPublic,
    AssessmentRecordSummary,
    AuditEventPublic,
    CaseAccess,
    CaseCreate,
    CasePublic,
    CaseSummary,
    CaseUpdate,
    SharePublic,
    UserRef,
)

Assessor = Callable[[Case], Assessment]


def default_assessor(case: Case) -> Assessment:
    from plexnav.engine.assess import assess

    return assess(case)


def case_document(case: Case, stored_id: str) -> dict:
    """The JSON kept for a case; a case without its own id takes the stored record's id."""
    document = case.model_dump(mode="json", exclude_none=True)
    document.setdefault("id", stored_id)
    return document


def load_case(document: dict) -> Case:
    return Case.model_validate(document)


def writes(method):
    """The use case writes (an audit line at least): its transaction takes the write lock
    before it reads anything (see :func:`plexnav.store.db.begin_write`)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        begin_write(self.session)
        return method(self, *args, **kwargs)

    return wrapper


def _ref(user: User) -> UserRef:
    return UserRef.model_validate(user)


def _maybe_ref(user: User | None) -> UserRef | None:
    """A reference to an account that may have been deleted since (created_by: SET NULL)."""
    return _ref(user) if user is not None else None


def assessment_public(row: StoredAssessment) -> AssessmentRecordPublic:
    return AssessmentRecordPublic(
        id=row.id,
        case_id=row.case_id,
        case_version=row.case_version,
        knowledge_version=row.knowledge_version,
        created_at=row.created_at,
        created_by=_maybe_ref(row.created_by),
        assessment=Assessment.model_validate(row.document),
    )


def assessment_summary(row: StoredAssessment) -> AssessmentRecordSummary:
    return AssessmentRecordSummary.model_validate(row)


class Casebook:
    def __init__(self, session: Session, actor: User, assessor: Assessor = default_assessor):
        self.session = session
        self.actor = actor
        self.assessor = assessor
        self.users = UserRepository(session)
        self.cases = CaseRepository(session)
        self.assessments = AssessmentRepository(session)
        self.shares = ShareRepository(session)
        self.audit = AuditRepository(session)

    # ------------------------------------------------------------------ access rules

    def _may_see(self, case: StoredCase) -> bool:
        if case.owner_id == self.actor.id:
            return True
        return self.actor.vetted and self.shares.grants(case.owner_id, self.actor.id, case.id, utcnow())

    def _visible(self, case_id: str) -> StoredCase:
        case = self.cases.get(case_id)
        if case is None or not self._may_see(case):
            raise NotFound("no such case", "case_id")
        return case

    def _can_delete(self, case: StoredCase) -> bool:
        return case.owner_id == self.actor.id

    def _owner_for_new_case(self, patient_id: str | None) -> User:
        if patient_id is None or patient_id == self.actor.id:
            return self.actor
        if self.actor.role != "clinician":
            raise Forbidden("patients store cases for themselves only", "patient_id")
        if not self.actor.vetted:
            raise Forbidden("your clinician account is waiting for an administrator's approval", "patient_id")
        if not self.shares.grants(patient_id, self.actor.id, None, utcnow()):
            raise NotFound("no patient with that id has shared all their cases with you", "patient_id")
        owner = self.users.get(patient_id)
        if owner is None:
            raise NotFound("no patient with that id has shared their cases with you", "patient_id")
        return owner

    # ------------------------------------------------------------------ building answers

    def _public(self, case: StoredCase, latest: StoredAssessment | None) -> CasePublic:
        alert = open_alerts(self.session, [case.id]).get(case.id)
        return CasePublic(
            diary_alert=alert,
            urgency=urgency(latest.triage_level if latest else None, alert),
            id=case.id,
            title=case.title,
            owner=_ref(case.owner),
            created_by=_maybe_ref(case.created_by),
            version=case.version,
            created_at=case.created_at,
            updated_at=case.updated_at,
            case=load_case(case.document),
            latest_assessment=assessment_public(latest) if latest else None,
            can_edit=True,
            can_delete=self._can_delete(case),
        )

    def _assess_and_store(self, case: StoredCase, parsed: Case) -> StoredAssessment:
        result = self.assessor(parsed)
        top = result.localization[0] if result.localization else None
        row = StoredAssessment(
            case_id=case.id,
            case_version=case.version,
            knowledge_version=result.knowledge_version,
            triage_level=result.triage.level,
            top_site=top.site if top else None,
            top_side=top.side if top else None,
            top_probability=top.probability if top else None,
            document=result.model_dump(mode="json"),
            created_by_id=self.actor.id,
        )
        self.assessments.add(row)
        self.audit.record(
            self.actor,
            "assess",
            "assessment",
            row.id,
            case.owner_id,
            f"case={case.id} version={case.version} knowledge={result.knowledge_version}",
        )
        return row

    def _commit(self) -> None:
        try:
            self.session.commit()
        except StaleDataError:
            self.session.rollback()
            raise Conflict(
                "the case was changed by someone else meanwhile; reload it and try again", "expected_version"
            ) from None
        except IntegrityError:
            self.session.rollback()
            raise Conflict("the change conflicts with stored data (was the case deleted meanwhile?)") from None

    # ------------------------------------------------------------------ cases

    @writes
    def list_cases(self, patient_id: str | None = None) -> list[CaseSummary]:
        rows = self.cases.visible_to(self.actor, patient_id, now=utcnow())
        latest = self.assessments.latest_for_cases([r.id for r in rows])
        for owner_id in sorted({r.owner_id for r in rows if r.owner_id != self.actor.id}):
            self.audit.record(
                self.actor, "list", "cases", None, owner_id, f"{sum(r.owner_id == owner_id for r in rows)} case(s)"
            )
        self._commit()
        alerts = open_alerts(self.session, [r.id for r in rows])
        return [
            CaseSummary(
                id=r.id,
                title=r.title,
                owner=_ref(r.owner),
                version=r.version,
                created_at=r.created_at,
                updated_at=r.updated_at,
                latest=assessment_summary(latest[r.id]) if r.id in latest else None,
                diary_alert=alerts.get(r.id),
                urgency=urgency(latest[r.id].triage_level if r.id in latest else None, alerts.get(r.id)),
            )
            for r in rows
        ]

    @writes
    def create(self, data: CaseCreate) -> CasePublic:
        owner = self._owner_for_new_case(data.patient_id)
        case_id = new_id()
        case = self.cases.add(
            StoredCase(
                id=case_id,
                owner_id=owner.id,
                created_by_id=self.actor.id,
                title=data.title,
                document=case_document(data.case, case_id),
            )
        )
        self.audit.record(self.actor, "create", "case", case.id, owner.id, f"title={data.title!r}")
        latest = self._assess_and_store(case, load_case(case.document))
        self._commit()
        return self._public(case, latest)

    @writes
    def read(self, case_id: str) -> CasePublic:
        case = self._visible(case_id)
        latest = self.assessments.latest(case.id)
        self.audit.record(self.actor, "read", "case", case.id, case.owner_id)
        self._commit()
        return self._public(case, latest)

    @writes
    def update(self, case_id: str, data: CaseUpdate) -> CasePublic:
        case = self._visible(case_id)
        if data.expected_version is not None and data.expected_version != case.version:
            raise Conflict(
                f"the case is at version {case.version}, not {data.expected_version}; reload it", "expected_version"
            )
        if data.case is None and data.title is None:
            return self.read(case_id)
        document = case_document(data.case, case.id) if data.case is not None else None
        self.cases.touch(case, document, data.title)
        changed = [k for k in ("title", "case") if getattr(data, k) is not None]
        self.audit.record(
            self.actor, "update", "case", case.id, case.owner_id, f"changed={','.join(changed)} version={case.version}"
        )
        latest = (
            self._assess_and_store(case, load_case(case.document))
            if data.case is not None
            else self.assessments.latest(case.id)
        )
        self._commit()
        return self._public(case, latest)

    @writes
    def delete(self, case_id: str) -> None:
        case = self._visible(case_id)
        if not self._can_delete(case):
            raise Forbidden("only the patient who owns a case can delete it")
        owner_id = case.owner_id
        self.cases.remove(case)
        self.audit.record(self.actor, "delete", "case", case_id, owner_id)
        self._commit()

    # ------------------------------------------------------------------ assessments

    @writes
    def history(self, case_id: str) -> list[AssessmentRecordSummary]:
        case = self._visible(case_id)
        rows = self.assessments.for_case(case.id)
        self.audit.record(self.actor, "list", "assessments", case.id, case.owner_id, f"{len(rows)} assessment(s)")
        self._commit()
        return [assessment_summary(r) for r in rows]

    @writes
    def assessment(self, case_id: str, assessment_id: str) -> AssessmentRecordPublic:
        case = self._visible(case_id)
        row = self.assessments.get(case.id, assessment_id)
        if row is None:
            raise NotFound("no such assessment of this case", "assessment_id")
        self.audit.record(self.actor, "read", "assessment", row.id, case.owner_id, f"case={case.id}")
        self._commit()
        return assessment_public(row)

    @writes
    def reassess(self, case_id: str) -> AssessmentRecordPublic:
        """Run the engine again on the stored case (e.g. after a knowledge-base update)."""
        case = self._visible(case_id)
        row = self._assess_and_store(case, load_case(case.document))
        self._commit()
        return assessment_public(row)

    # ------------------------------------------------------------------ sharing

    def _share_public(self, share: Share, now: datetime | None = None) -> SharePublic:
        return SharePublic(
            id=share.id,
            patient=_ref(share.patient),
            clinician=_ref(share.clinician),
            clinician_email=share.clinician.email,
            case_id=share.case_id,
            case_title=share.case.title if share.case is not None else None,
            created_at=share.created_at,
            expires_at=share.expires_at,
            revoked_at=share.revoked_at,
            status=share.status(now or utcnow()),  # type: ignore[arg-type]  # one of the three
        )

    def list_shares(self, include_ended: bool = False) -> list[SharePublic]:
        """Patients: whom they share with (``include_ended``: revoked and expired shares too,
        with when they ended); vetted clinicians: the live shares reaching them."""
        now = utcnow()
        if self.actor.role == "patient":
            rows: Sequence[Share] = self.shares.for_patient(self.actor.id, now, include_ended)
        else:
            rows = self.shares.for_clinician(self.actor.id, now) if self.actor.vetted else []
        return [self._share_public(s, now) for s in rows]

    def access(self, case_id: str | None = None) -> AccessOverview:
        """Patients: who can see their records right now and until when, overall and per
        case (``case_id``: that case only)."""
        if self.actor.role != "patient":
            raise Forbidden("only patients share their records", "role")
        now = utcnow()
        live = self.shares.for_patient(self.actor.id, now)
        cases = self.cases.visible_to(self.actor, limit=10_000, now=now)
        if case_id is not None:
            cases = [c for c in cases if c.id == case_id]
            if not cases:
                raise NotFound("no such case", "case_id")
        whole = [s for s in live if s.case_id is None]
        return AccessOverview(
            all_cases=[self._share_public(s, now) for s in whole],
            cases=[
                CaseAccess(
                    case_id=c.id,
                    title=c.title,
                    shares=[self._share_public(s, now) for s in live if s.case_id in (None, c.id)],
                )
                for c in sorted(cases, key=lambda c: (c.title.lower(), c.id))
            ],
        )

    @writes
    def share_with(
        self, clinician_login: str, case_id: str | None = None, expires_at: datetime | None = None
    ) -> SharePublic:
        """Let a vetted clinician see one case (``case_id``) or all (None), until
        ``expires_at`` (None: until revoked).  Sharing the same scope again changes its end."""
        if self.actor.role != "patient":
            raise Forbidden("only patients share their cases", "clinician")
        now = utcnow()
        if expires_at is not None:
            expires_at = expires_at if expires_at.tzinfo else expires_at.replace(tzinfo=UTC)
            if expires_at <= now:
                raise Invalid("the end of access must be in the future", "expires_at")
            if expires_at > now + timedelta(days=SHARE_MAX_DAYS):
                raise Invalid(f"the end of access can be at most {SHARE_MAX_DAYS} days ahead", "expires_at")
        case = None
        if case_id is not None:
            case = self.cases.get(case_id)
            if case is None or case.owner_id != self.actor.id:
                raise NotFound("no such case of yours", "case_id")
        clinician = self.users.by_login(clinician_login)
        if clinician is None or not clinician.vetted:
            # pending or unknown look the same: an impostor's account cannot be shared with
            raise NotFound("no vetted clinician with that username or email", "clinician")
        until = expires_at.isoformat(timespec="seconds") if expires_at else "revoked"
        scope = f"case={case.id}" if case is not None else "all cases"
        share = self.shares.find_active(self.actor.id, clinician.id, case_id, now)
        if share is not None:
            if share.expires_at == expires_at:
                return self._share_public(share, now)
            share.expires_at = expires_at
            action = "share_changed"
        else:
            share = self.shares.add(
                Share(patient_id=self.actor.id, clinician_id=clinician.id, case_id=case_id, expires_at=expires_at)
            )
            action = "share"
        self.audit.record(
            self.actor, action, "share", share.id, self.actor.id, f"with={clinician.username} {scope} until={until}"
        )
        self._commit()
        return self._share_public(share, now)

    @writes
    def unshare(self, share_id: str) -> None:
        """Revoke a share at once (the record stays, with when it was revoked)."""
        share = self.shares.get(share_id)
        if share is None or self.actor.id not in (share.patient_id, share.clinician_id):
            raise NotFound("no such share", "share_id")
        if share.patient_id != self.actor.id:
            raise Forbidden("only the patient can withdraw a share")
        if share.revoked_at is not None:
            return
        scope = f"case={share.case_id}" if share.case_id else "all cases"
        self.audit.record(
            self.actor, "unshare", "share", share.id, share.patient_id, f"with={share.clinician.username} {scope}"
        )
        share.revoked_at = utcnow()
        self._commit()

    def patients(self) -> list[UserRef]:
        """Clinicians: the patients with a live share of one case or all of them."""
        if not self.actor.vetted:
            return []
        seen: dict[str, UserRef] = {}
        for s in self.shares.for_clinician(self.actor.id, utcnow()):
            seen.setdefault(s.patient_id, _ref(s.patient))
        return list(seen.values())

    # ------------------------------------------------------------------ audit

    def audit_log(self, limit: int = 200, **filters) -> list[AuditEventPublic]:
        """Who looked at or changed my data, refused attempts on my records included
        (administrators with ``everyone``: every account's), with the filters of
        :meth:`AuditRepository.concerning`; times without a zone are UTC."""
        everyone = filters.pop("everyone", False)
        for key in ("since", "until"):
            moment = filters.get(key)
            if isinstance(moment, datetime) and moment.tzinfo is None:
                filters[key] = moment.replace(tzinfo=UTC)
        whose = None if self.actor.role == "admin" and everyone else self.actor
        events = [AuditEventPublic.model_validate(e) for e in self.audit.concerning(whose, limit, **filters)]
        if whose is None:
            return events
        # a refused attempt names whose record it hit for that person and the administrators;
        # shown to the one refused it would tell them the id exists (a 404 must not)
        hidden = {"object_type": "request", "object_id": None, "subject_id": None}
        return [
            e.model_copy(update=hidden) if e.action == "denied" and e.subject_id not in (None, self.actor.id) else e
            for e in events
        ]
