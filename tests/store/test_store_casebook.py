"""The casebook and accounts services against a real database (SQLite, and PostgreSQL when
configured): transactions, versions, knowledge versions, privacy and the audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from plexnav.case import Assessment, Case
from plexnav.store.accounts import Accounts
from plexnav.store.casebook import Casebook
from plexnav.store.errors import Conflict, Forbidden, NotFound
from plexnav.store.models import AuditEvent, StoredAssessment, StoredCase
from plexnav.store.schemas import CaseCreate, CaseUpdate, UserCreate
from web_support import PASSWORD, example_case


def case_of(name: str = "common-peroneal-fibular-head") -> Case:
    return Case.model_validate(example_case(name))


def make_user(session, username: str, role: str = "patient"):
    accounts = Accounts(session)
    accounts.register(
        UserCreate(username=username, email=f"{username}@example.org", password=PASSWORD, role=role),
        allow_clinician=True,
    )
    if role == "clinician":  # vetted, as an administrator would (plexnav admin approve-clinician)
        accounts.approve_clinician(username, None, mark_email_verified=True)
    return accounts.authenticate(username, PASSWORD)


@pytest.fixture
def people(database):
    with database.session() as session:
        users = {
            name: make_user(session, name, role)
            for name, role in (("pam", "patient"), ("pete", "patient"), ("cleo", "clinician"))
        }
    return users


def test_create_stores_case_assessment_and_audit_in_one_go(database, people):
    with database.session() as session:
        book = Casebook(session, people["pam"])
        public = book.create(CaseCreate(title="Foot drop", case=case_of()))
    with database.session() as session:
        stored = session.get(StoredCase, public.id)
        assert stored.version == 1 and stored.owner_id == people["pam"].id
        rows = session.scalars(select(StoredAssessment).where(StoredAssessment.case_id == public.id)).all()
        assert len(rows) == 1
        row = rows[0]
        assert row.knowledge_version == row.document["knowledge_version"] != ""
        assert row.top_site == "nerve:common_peroneal" and row.triage_level == "soon"
        Assessment.model_validate(row.document)
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.subject_id == people["pam"].id)).all()
        assert "create" in actions and "assess" in actions


def test_update_bumps_version_and_reassesses(database, people):
    with database.session() as session:
        book = Casebook(session, people["pam"])
        public = book.create(CaseCreate(case=case_of()))
        updated = book.update(public.id, CaseUpdate(case=case_of("l5-radiculopathy")))
        assert updated.version == 2
        assert updated.latest_assessment.case_version == 2
        assert updated.latest_assessment.assessment.localization[0].site == "root:L5"
        titled = book.update(public.id, CaseUpdate(title="renamed"))
        assert titled.version == 3 and titled.latest_assessment.case_version == 2
        assert [h.case_version for h in book.history(public.id)] == [2, 1]
        with pytest.raises(Conflict):
            book.update(public.id, CaseUpdate(title="stale", expected_version=1))


def test_concurrent_edits_cannot_both_win(database, people):
    """Two people read version 1; the first to save wins, the second gets Conflict, not a
    silent overwrite (UPDATE ... WHERE version = 1 matches no row any more)."""
    with database.session() as session:
        case_id = Casebook(session, people["pam"]).create(CaseCreate(case=case_of())).id
    with database.session() as s1, database.session() as s2:
        book1, book2 = Casebook(s1, people["pam"]), Casebook(s2, people["pam"])
        row2 = book2.cases.get(case_id)
        s2.commit()  # the second editor has read version 1 and is typing...
        row1 = book1.cases.get(case_id)
        assert row1.version == row2.version == 1
        book1.cases.touch(row1, None, "edit one")
        book1._commit()
        row2.title = "edit two"
        with pytest.raises(Conflict):
            book2._commit()
    with database.session() as session:
        stored = session.get(StoredCase, case_id)
        assert stored.title == "edit one" and stored.version == 2


def test_privacy_rules(database, people):
    with database.session() as session:
        pam = Casebook(session, people["pam"])
        pete = Casebook(session, people["pete"])
        cleo = Casebook(session, people["cleo"])
        case_id = pam.create(CaseCreate(case=case_of())).id
        assessment_id = pam.read(case_id).latest_assessment.id
        for book in (pete, cleo):
            with pytest.raises(NotFound):
                book.read(case_id)
            with pytest.raises(NotFound):
                book.update(case_id, CaseUpdate(title="x"))
            with pytest.raises(NotFound):
                book.delete(case_id)
            with pytest.raises(NotFound):
                book.assessment(case_id, assessment_id)
            assert book.list_cases() == []
        share = pam.share_with("cleo@example.org")
        assert cleo.read(case_id).id == case_id
        with pytest.raises(Forbidden):
            cleo.delete(case_id)
        with pytest.raises(NotFound):
            pete.assessment(case_id, assessment_id)
        with pytest.raises(NotFound):
            pam.assessment(case_id, "0" * 32)
        pam.unshare(share.id)
        with pytest.raises(NotFound):
            cleo.read(case_id)
        pam.delete(case_id)
        with pytest.raises(NotFound):
            pam.read(case_id)
        assert session.scalars(select(StoredAssessment).where(StoredAssessment.case_id == case_id)).all() == []


def test_accounts(database):
    with database.session() as session:
        accounts = Accounts(session)
        user = accounts.register(UserCreate(username="Zed", email="ZED@Example.org", password=PASSWORD))
        assert user.username == "zed" and user.email == "zed@example.org"
        with pytest.raises(Conflict):
            accounts.register(UserCreate(username="zed", email="other@example.org", password=PASSWORD))
        with pytest.raises(Conflict):
            accounts.register(UserCreate(username="other", email="zed@example.org", password=PASSWORD))
        assert accounts.authenticate("zed", "wrong password") is None
        assert accounts.authenticate("nobody", PASSWORD) is None
        assert accounts.authenticate("ZED@example.org", PASSWORD).id == user.id
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.subject_id == user.id)).all()
        assert actions.count("login_failed") == 1 and "login" in actions and "register" in actions
