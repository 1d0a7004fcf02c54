"""Open diary alerts: a red flag recorded in the diary raises the case's urgency on every
view (case page, case lists, both PDFs, API) until a clinician acknowledges it.

Before, the banner showed once on the redirect after the entry was added and the PDFs still
led with the older level.  An entry that raised a new emergency or urgent red flag is stored
with ``alert_level``; until a clinician acknowledges it, the case's *urgency* is the most
severe of its latest assessment's level and its open alerts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from plexnav import vocabulary as V
from plexnav.case import Triage
from plexnav.store.models import StoredDiaryEntry
from plexnav.store.schemas import DiaryAlert

AlertLevel = Literal["emergency", "urgent"]

SEVERITY = {level: i for i, level in enumerate(V.TRIAGE_LEVELS)}  # emergency first


def most_severe(levels) -> str | None:
    levels = [lv for lv in levels if lv]
    return min(levels, key=SEVERITY.__getitem__) if levels else None


def open_alert_rows(session: Session, case_ids: Sequence[str]) -> list[StoredDiaryEntry]:
    if not case_ids:
        return []
    return list(
        session.scalars(
            select(StoredDiaryEntry)
            .where(
                StoredDiaryEntry.case_id.in_(list(case_ids)),
                StoredDiaryEntry.alert_level.is_not(None),
                StoredDiaryEntry.acknowledged_at.is_(None),
            )
            .order_by(StoredDiaryEntry.entry_date)
        ).all()
    )


def open_alerts(session: Session, case_ids: Sequence[str]) -> dict[str, DiaryAlert]:
    """Each case's open diary alert (most severe level, how many entries, first and last date)."""
    grouped: dict[str, list[StoredDiaryEntry]] = {}
    for row in open_alert_rows(session, case_ids):
        grouped.setdefault(row.case_id, []).append(row)
    return {
        case_id: DiaryAlert(
            level=cast(AlertLevel, most_severe(r.alert_level for r in rows)),  # rows with a level only
            entries=len(rows),
            first_date=rows[0].entry_date,
            last_date=rows[-1].entry_date,
        )
        for case_id, rows in grouped.items()
    }


def urgency(assessed_level: str | None, alert: DiaryAlert | None) -> str | None:
    return most_severe([assessed_level, alert.level if alert else None])


def raised_triage(
    triage: Triage, alert: DiaryAlert | None, found: tuple[Sequence[str], Sequence[str]] = ((), ())
) -> Triage:
    """The assessment's triage, raised to an open diary alert's level when that is more
    severe, the diary's reasons and rules first (so a page or report leads with them)."""
    if alert is None or SEVERITY[alert.level] >= SEVERITY[triage.level]:
        return triage
    reasons, rules = found
    when = alert.last_date.strftime("%-d %B %Y")
    lead = [
        f"Recorded in the recovery diary (latest {when}), not yet reviewed by a clinician: {r}" for r in reasons
    ] or [f"A red flag was recorded in the recovery diary (latest {when}), not yet reviewed by a clinician."]
    return Triage(
        level=alert.level, reasons=[*lead, *triage.reasons], rules=list(dict.fromkeys([*rules, *triage.rules]))
    )
