"""Which EHRs may launch plexnav with SMART on FHIR (``PLEXNAV_SMART_CLIENTS``).

Read by the SMART launch pages (:mod:`plexnav.web.smart`) and by the CDS service, whose cards
link to the launch when it is configured; here so neither imports the other.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

ENV_SMART = "PLEXNAV_SMART_CLIENTS"


@dataclass(frozen=True)
class SmartConfig:
    client_id: str
    issuers: tuple[str, ...]

    @classmethod
    def from_env(cls) -> SmartConfig | None:
        path = os.environ.get(ENV_SMART)
        if not path:
            return None
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(data["client_id"], tuple(i.rstrip("/") for i in data.get("issuers", ())))
