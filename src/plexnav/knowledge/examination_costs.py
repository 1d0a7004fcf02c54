"""Load examination_costs.yaml: what each examinable item costs, for guided examination.

Why data: how dear a needle in iliopsoas is compared with a sural study is a clinical
judgement a reviewer should be able to read and change with its reason, not a constant in
code.  Loading checks every item id, kind and source key, so a typo fails at load.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from plexnav import vocabulary as V
from plexnav.knowledge.files import read_sources, read_yaml

FILE = "examination_costs.yaml"
KINDS = ("strength", "reflex", "plantar", "sensation", "sign", "ncs_sensory", "ncs_motor", "ncs_late", "needle_emg")
_ITEM_IDS = {
    "strength": V.MOVEMENTS,
    "reflex": V.REFLEXES,
    "sensation": V.SKIN_REGIONS,
    "sign": V.SIGNS,
    "ncs": V.NCS_STUDIES,
    "needle_emg": V.EMG_MUSCLES,
}


@dataclass(frozen=True)
class ExamCosts:
    kinds: Mapping[str, float]  # item kind -> cost
    items: Mapping[str, float]  # side-less finding key ('needle_emg:iliopsoas') -> cost
    notes: Mapping[str, str]  # kind or item -> why it costs what it does
    leader_change_below: float  # stop: no item changes the leader with this chance...
    gain_below: float  # ...nor gains this much (nats)

    def cost(self, key: str, kind: str) -> float:
        """Cost of a finding key (sided or not) of an item kind."""
        base = key.rsplit(":", 1)[0] if key.endswith((":left", ":right")) else key
        return self.items.get(base, self.kinds[kind])


def _check_sources(where: str, refs: Sequence[Mapping[str, Any]] | None, known: Mapping[str, object]) -> None:
    if not refs:
        raise ValueError(f"{FILE}: {where} cites no source")
    for ref in refs:
        if ref.get("key") not in known:
            raise ValueError(f"{FILE}: {where} cites unknown source {ref.get('key')!r}")


def _check_item(key: str) -> None:
    prefix, _, ident = key.partition(":")
    if prefix not in _ITEM_IDS or ident not in _ITEM_IDS[prefix]:
        raise ValueError(f"{FILE}: item {key!r} is not '<{'|'.join(_ITEM_IDS)}>:<id>' with a known id")


def parse_costs(doc: Mapping[str, Any], known_sources: Mapping[str, object]) -> ExamCosts:
    """Build and check the costs from a parsed document (tests pass variants)."""
    kinds: dict[str, float] = {}
    items: dict[str, float] = {}
    notes: dict[str, str] = {}
    missing = set(KINDS) - set(doc.get("kinds", {}))
    if missing:
        raise ValueError(f"{FILE}: kinds without a cost: {', '.join(sorted(missing))}")
    for section, out, check in (("kinds", kinds, None), ("items", items, _check_item)):
        for key, entry in (doc.get(section) or {}).items():
            if check:
                check(key)
            elif key not in KINDS:
                raise ValueError(f"{FILE}: unknown kind {key!r}; kinds are {', '.join(KINDS)}")
            cost = entry.get("cost")
            if not isinstance(cost, int | float) or cost <= 0:
                raise ValueError(f"{FILE}: {section}.{key}.cost must be a positive number")
            if not entry.get("note"):
                raise ValueError(f"{FILE}: {section}.{key} needs a note saying why")
            _check_sources(f"{section}.{key}", entry.get("sources"), known_sources)
            out[key] = float(cost)
            notes[key] = entry["note"]
    stopping = doc.get("stopping") or {}
    _check_sources("stopping", stopping.get("sources"), known_sources)
    return ExamCosts(
        MappingProxyType(kinds),
        MappingProxyType(items),
        MappingProxyType(notes),
        float(stopping["leader_change_below"]),
        float(stopping["gain_below"]),
    )


@lru_cache(maxsize=1)
def load_exam_costs() -> ExamCosts:
    return parse_costs(read_yaml(FILE), read_sources())
