"""The audit log as CSV for people and administrators (cells quoted against formulas)."""

from __future__ import annotations

import csv
import io

from plexnav.diary.exchange import neutralise_cell
from plexnav.store.schemas import AuditEventPublic

COLUMNS = (
    "id",
    "at",
    "actor_name",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "subject_id",
    "detail",
    "client_address",
    "user_agent",
)


def audit_csv(events: list[AuditEventPublic]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for e in events:
        writer.writerow([neutralise_cell(str(getattr(e, c) if getattr(e, c) is not None else "")) for c in COLUMNS])
    return buffer.getvalue()
