"""The recovery diary of a stored case: who may read and add entries, one transaction each.

Access follows the casebook (:mod:`plexnav.store.casebook`): whoever may see the case may
read its diary, anyone else gets "not found".  Who writes which entries:

* the patient who owns the case writes ``author: patient`` entries;
* a clinician the patient shared with writes ``author: clinician`` entries, the only ones
  that may hold repeat MRC strength grades (:mod:`plexnav.diary.models`).

Every entry is checked for red flags with the case as baseline
(:mod:`plexnav.diary.redflags`); an entry whose emergency or urgent rule was not raised
before is a *new alert*, which the pages show at once.  Reads, additions and exports are
audit-logged in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from plexnav.case import Case, Triage
from plexnav.diary.models import STORED, Diary, DiaryEntry
from plexnav.diary.redflags import check_entry, diary_alerts
from plexnav.knowledge.guidance import load_guidance_knowledge
from plexnav.store.alerts import open_alert_rows
from plexnav.store.casebook import Casebook, _maybe_ref, load_case, writes
from plexnav.store.errors import Forbidden, Invalid, NotFound
from plexnav.store.models import StoredCase, StoredDiaryEntry, utcnow
from plexnav.store.repositories import DiaryRepository
from plexnav.store.schemas import DiaryEntryPublic, DiaryImportResult

MAX_IMPORT = 5000


def checked(diary: Diary, baseline: Case | None) -> dict[int, tuple[Triage, bool]]:
    """Each entry's (triage, new alert?), keyed by ``id(entry)``, judged in time order."""
    knowledge = load_guidance_knowledge()
    alerts = {id(entry) for entry, _ in diary_alerts(diary, baseline, knowledge)}
    ordered = diary.sorted_entries()
    return {
        id(entry): (check_entry(entry, baseline, ordered[:i], knowledge), id(entry) in alerts)
        for i, entry in enumerate(ordered)
    }


class Diarybook(Casebook):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.diary_rows = DiaryRepository(self.session)

    # ------------------------------------------------------------------ helpers

    def _check_author(self, entries: Sequence[DiaryEntry]) -> None:
        wrong = next((e for e in entries if e.author != self.actor.role), None)
        if wrong is not None:
            raise Forbidden(
                f"as a {self.actor.role} you add entries with author '{self.actor.role}' only "
                f"(entry of {wrong.date.isoformat()} has author '{wrong.author}')",
                "author",
            )

    def _answer(self, case: StoredCase, rows: Sequence[StoredDiaryEntry]) -> list[DiaryEntryPublic]:
        entries = [DiaryEntry.model_validate(r.document, context=STORED) for r in rows]
        checks = checked(Diary(entries=entries), load_case(case.document))
        out = [
            DiaryEntryPublic(
                id=r.id,
                case_id=r.case_id,
                created_at=r.created_at,
                created_by=_maybe_ref(r.created_by),
                entry=e,
                triage=checks[id(e)][0],
                new_alert=checks[id(e)][1],
            )
            for r, e in zip(rows, entries, strict=True)
        ]
        return sorted(out, key=lambda p: p.entry.moment)

    def _store(self, case: StoredCase, entries: Sequence[DiaryEntry]) -> list[StoredDiaryEntry]:
        existing = [DiaryEntry.model_validate(r.document, context=STORED) for r in self.diary_rows.for_case(case.id)]
        levels = checked(Diary(entries=[*existing, *entries]), load_case(case.document))
        start = utcnow()
        rows = [
            StoredDiaryEntry(
                case_id=case.id,
                entry_date=e.date,
                author=e.author,
                document=e.model_dump(mode="json", exclude_defaults=True),
                triage_level=levels[id(e)][0].level,
                created_by_id=self.actor.id,
                alert_level=levels[id(e)][0].level if levels[id(e)][1] else None,
                created_at=start + timedelta(microseconds=i),
            )
            for i, e in enumerate(entries)
        ]
        return list(self.diary_rows.add_all(rows))

    # ------------------------------------------------------------------ use cases

    @writes
    def diary_entries(self, case_id: str) -> list[DiaryEntryPublic]:
        """The case's diary entries in time order, each with its red-flag check."""
        case = self._visible(case_id)
        rows = self.diary_rows.for_case(case.id)
        self.audit.record(self.actor, "list", "diary_entries", case.id, case.owner_id, f"{len(rows)} entr(ies)")
        self._commit()
        return self._answer(case, rows)

    @writes
    def diary(self, case_id: str) -> Diary:
        """The case's diary as stored (for export, plots and reports)."""
        case = self._visible(case_id)
        rows = self.diary_rows.for_case(case.id)
        self.audit.record(self.actor, "export", "diary", case.id, case.owner_id, f"{len(rows)} entr(ies)")
        self._commit()
        return Diary(entries=[DiaryEntry.model_validate(r.document, context=STORED) for r in rows])

    def _recorded(self, action: str, case: StoredCase, row: StoredDiaryEntry, entry: DiaryEntry) -> DiaryEntryPublic:
        """Audit an entry written (``create`` or ``update``), commit, and answer with it as listed."""
        self.audit.record(
            self.actor,
            action,
            "diary_entry",
            row.id,
            case.owner_id,
            f"case={case.id} date={entry.date.isoformat()} triage={row.triage_level}",
        )
        answer = next(p for p in self._answer(case, self.diary_rows.for_case(case.id)) if p.id == row.id)
        self._commit()
        return answer

    @writes
    def add_entry(self, case_id: str, entry: DiaryEntry) -> DiaryEntryPublic:
        case = self._visible(case_id)
        self._check_author([entry])
        row = self._store(case, [entry])[0]
        return self._recorded("create", case, row, entry)

    @writes
    def import_diary(self, case_id: str, diary: Diary) -> DiaryImportResult:
        """Add a diary's entries; entries identical to stored ones are skipped (re-import is harmless)."""
        case = self._visible(case_id)
        if len(diary.entries) > MAX_IMPORT:
            raise Invalid(f"a diary file may hold at most {MAX_IMPORT} entries", "entries")
        known = [DiaryEntry.model_validate(r.document, context=STORED) for r in self.diary_rows.for_case(case.id)]
        new: list[DiaryEntry] = []
        for entry in diary.entries:
            if entry not in known:
                new.append(entry)
                known.append(entry)
        self._check_author(new)
        self._store(case, new)
        skipped = len(diary.entries) - len(new)
        self.audit.record(self.actor, "import", "diary", case.id, case.owner_id, f"added={len(new)} skipped={skipped}")
        self._commit()
        return DiaryImportResult(added=len(new), skipped=skipped)

    @writes
    def acknowledge_alerts(self, case_id: str) -> int:
        """A clinician has seen the diary's red flags: the case's urgency falls back to its
        assessment's level.  Patients cannot acknowledge their own alerts."""
        case = self._visible(case_id)
        if self.actor.role != "clinician":
            raise Forbidden("a clinician acknowledges diary red flags after reviewing them", "case_id")
        now = utcnow()
        rows = open_alert_rows(self.session, [case.id])
        for row in rows:
            row.acknowledged_at = now
            row.acknowledged_by_id = self.actor.id
        self.audit.record(
            self.actor,
            "acknowledge",
            "diary_alerts",
            case.id,
            case.owner_id,
            f"entries={len(rows)} dates={','.join(sorted({r.entry_date.isoformat() for r in rows}))}",
        )
        self._commit()
        return len(rows)

    def open_alert_triage(self, case_id: str) -> tuple[list[str], list[str]]:
        """The reasons and rule ids of the case's unacknowledged diary red flags (for pages and reports)."""
        case = self._visible(case_id)
        open_ids = {r.id for r in open_alert_rows(self.session, [case.id])}
        if not open_ids:
            return [], []
        answers = [a for a in self._answer(case, self.diary_rows.for_case(case.id)) if a.id in open_ids]
        return (
            list(dict.fromkeys(r for a in answers for r in a.triage.reasons)),
            list(dict.fromkeys(r for a in answers for r in a.triage.rules)),
        )

    # ------------------------------------------------------------------ corrections

    def _own_entry(self, case: StoredCase, entry_id: str) -> StoredDiaryEntry:
        row = self.session.get(StoredDiaryEntry, entry_id)
        if row is None or row.case_id != case.id:
            raise NotFound("no such diary entry of this case", "entry_id")
        if row.created_by_id != self.actor.id:
            raise Forbidden("you can change or delete only the diary entries you wrote", "entry_id")
        return row

    @writes
    def update_entry(self, case_id: str, entry_id: str, entry: DiaryEntry) -> DiaryEntryPublic:
        """Correct an entry you wrote; its red-flag check is made again (an open alert stays
        open until a clinician acknowledges it)."""
        case = self._visible(case_id)
        row = self._own_entry(case, entry_id)
        self._check_author([entry])
        others = [
            DiaryEntry.model_validate(r.document, context=STORED)
            for r in self.diary_rows.for_case(case.id)
            if r.id != row.id
        ]
        levels = checked(Diary(entries=[*others, entry]), load_case(case.document))
        row.document = entry.model_dump(mode="json", exclude_defaults=True)
        row.entry_date = entry.date
        row.triage_level = levels[id(entry)][0].level
        if levels[id(entry)][1] and row.acknowledged_at is None:
            row.alert_level = levels[id(entry)][0].level
        self.session.flush()
        return self._recorded("update", case, row, entry)

    @writes
    def delete_entry(self, case_id: str, entry_id: str) -> None:
        """Delete an entry you wrote; the audit log keeps the fact and the entry's date."""
        case = self._visible(case_id)
        row = self._own_entry(case, entry_id)
        self.audit.record(
            self.actor,
            "delete",
            "diary_entry",
            row.id,
            case.owner_id,
            f"case={case.id} date={row.entry_date.isoformat()}",
        )
        self.session.delete(row)
        self._commit()
