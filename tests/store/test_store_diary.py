"""The diarybook against a real database: entries stored with their triage, privacy rules,
duplicate-free import, entries removed with their case, and the 0002 migration."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, select

from plexnav.diary import Diary, DiaryEntry
from plexnav.store.casebook import Casebook
from plexnav.store.diarybook import Diarybook
from plexnav.store.errors import Forbidden, NotFound
from plexnav.store.models import StoredDiaryEntry
from plexnav.store.schemas import CaseCreate

from .test_store_casebook import case_of, make_user


@pytest.fixture
def people(database):
    with database.session() as session:
        return {
            name: make_user(session, name, role)
            for name, role in (("pam", "patient"), ("pete", "patient"), ("cleo", "clinician"))
        }


def entry(day: int, **extra) -> DiaryEntry:
    return DiaryEntry(
        date=dt.date(2026, 3, day), pain=[{"region": "lateral_leg", "side": "right", "score": 5.0}], **extra
    )


def test_entries_privacy_import_and_cascade(database, people):
    with database.session() as session:
        book = Diarybook(session, people["pam"])
        case_id = book.create(CaseCreate(title="Foot drop", case=case_of())).id
        stored = book.add_entry(case_id, entry(2, bowel_change=True))
        assert stored.triage.level == "emergency" and stored.new_alert
        result = book.import_diary(case_id, Diary(entries=[entry(2, bowel_change=True), entry(9), entry(16)]))
        assert (result.added, result.skipped) == (2, 1)
        assert [e.entry.date.day for e in book.diary_entries(case_id)] == [2, 9, 16]
    with database.session() as session:
        with pytest.raises(NotFound):
            Diarybook(session, people["pete"]).diary_entries(case_id)
        with pytest.raises(NotFound):
            Diarybook(session, people["cleo"]).add_entry(case_id, entry(20, author="clinician"))
        with pytest.raises(Forbidden):
            Diarybook(session, people["pam"]).add_entry(
                case_id,
                DiaryEntry(
                    date=dt.date(2026, 3, 20),
                    author="clinician",
                    strength=[{"movement": "hip_flexion", "side": "left", "mrc": 4.0}],
                ),
            )
        rows = session.scalars(select(StoredDiaryEntry).where(StoredDiaryEntry.case_id == case_id)).all()
        assert {r.triage_level for r in rows} >= {"emergency"} and len(rows) == 3
        Casebook(session, people["pam"]).delete(case_id)
    with database.session() as session:
        assert session.scalars(select(StoredDiaryEntry)).all() == []


def test_migration_0002_adds_and_removes_the_diary_table(database):
    from alembic import command

    from plexnav.store.db import alembic_config

    assert "diary_entries" in inspect(database.engine).get_table_names()
    cfg = alembic_config(database.engine)
    with database.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0001_initial")
    assert "diary_entries" not in inspect(database.engine).get_table_names()
    assert "cases" in inspect(database.engine).get_table_names()
    database.migrate()
    assert database.current_revision() == database.head_revision()
