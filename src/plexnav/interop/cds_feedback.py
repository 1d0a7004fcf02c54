"""CDS Hooks 2.0 feedback: what the clinician did with plexnav's cards, kept for review.

Why keep it: an overridden card with its reason is how a team finds cards that mislead (a
localization clinicians keep overriding, an order check that is wrong for their practice).
Each item is validated as the specification's Feedback object and appended, one JSON line per
item with the calling client's issuer and the time received, to ``cds-feedback.jsonl`` in the
data folder (``PLEXNAV_DATA_DIR``).  No patient data is in a feedback item; none is added.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from plexnav.interop.cds_hooks import CdsRequestError, Coding, NonEmpty

FEEDBACK_FILE = "cds-feedback.jsonl"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AcceptedSuggestion(_Strict):
    id: NonEmpty


class OverrideReason(_Strict):
    reason: Coding | None = None
    userComment: NonEmpty | None = None


class FeedbackItem(_Strict):
    card: NonEmpty
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: list[AcceptedSuggestion] | None = Field(None, min_length=1)
    overrideReason: OverrideReason | None = None
    outcomeTimestamp: datetime

    @model_validator(mode="after")
    def _consistent(self) -> FeedbackItem:
        if self.outcome == "accepted" and self.overrideReason is not None:
            raise ValueError("an accepted card has no overrideReason")
        if self.outcome == "overridden" and self.acceptedSuggestions:
            raise ValueError("an overridden card has no acceptedSuggestions")
        return self


class Feedback(_Strict):
    feedback: list[FeedbackItem] = Field(min_length=1)


def parse_feedback(body: bytes | str | dict) -> Feedback:
    """The feedback request, or :class:`CdsRequestError` (400) naming the field."""
    try:
        data = json.loads(body) if isinstance(body, bytes | str) else body
        return Feedback.model_validate(data)
    except json.JSONDecodeError as exc:
        raise CdsRequestError(f"the feedback is not JSON (line {exc.lineno}: {exc.msg})") from None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'feedback'}: {e['msg']}" for e in exc.errors()[:5])
        raise CdsRequestError(f"not a CDS Hooks 2.0 feedback request: {problems}") from None


class FeedbackLog:
    """Appends feedback items as JSON lines (one writer at a time within the process)."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / FEEDBACK_FILE
        self._lock = threading.Lock()

    def record(self, service_id: str, issuer: str, feedback: Feedback) -> int:
        received = datetime.now(UTC).isoformat(timespec="seconds")
        lines = [
            json.dumps(
                {
                    "received": received,
                    "service": service_id,
                    "client": issuer,
                    **item.model_dump(mode="json", exclude_none=True),
                }
            )
            for item in feedback.feedback
        ]
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write("".join(line + "\n" for line in lines))
        return len(lines)

    def read(self) -> list[dict]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]
