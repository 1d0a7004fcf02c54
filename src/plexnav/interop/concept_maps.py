"""FHIR ConceptMaps that say which EHR codes are which plexnav findings.

Why ConceptMaps: a hospital's flowsheet codes (MRC grades, reflexes, EMG rows) are its own; no
program can guess them, and a guess would be worse than not reading.  A ConceptMap is the FHIR
resource a terminology team already writes for this, so plexnav reads its mappings from:

- the shipped map ``data/conceptmap-standard.json`` (standard LOINC laboratory codes, SNOMED CT
  conditions and laterality qualifiers, with their sources in its ``description``), always on;
- the hospital's own maps, JSON files named by ``PLEXNAV_FHIR_CONCEPT_MAPS`` (paths separated by
  ``os.pathsep``), loaded once by the caller (the API), never by the pure functions here.

A mapping is used only when its ``equivalence`` says the plexnav concept holds for the source
(``equivalent``, ``equal``, ``wider``, ``subsumes``); ``narrower``, ``inexact`` and the rest are
reported as not read.  ``target.product`` carries what a single code fixes besides the finding:
a side (property = the plexnav laterality CodeSystem), a skin or muscle region, a weakness
activity or pain quality (property = that plexnav CodeSystem, value = the plexnav id), and the
UCUM unit of a quantity sent without one (property ``http://unitsofmeasure.org``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from fhir.resources.R4B.conceptmap import ConceptMap
from pydantic import ValidationError

ENV_MAPS = "PLEXNAV_FHIR_CONCEPT_MAPS"
STANDARD_MAP = "conceptmap-standard.json"
USABLE = frozenset({"equivalent", "equal", "wider", "subsumes"})


class ConceptMapError(ValueError):
    """A ConceptMap file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class Target:
    code: str
    equivalence: str
    products: tuple[tuple[str, str], ...] = ()  # (property, value): e.g. (laterality system, "left")
    map_url: str = ""

    @property
    def usable(self) -> bool:
        return self.equivalence in USABLE

    def product(self, prop: str) -> str | None:
        return next((value for p, value in self.products if p == prop), None)


class ConceptMaps:
    """An index of ConceptMap groups: (source system, source code, target system) -> targets.

    Later maps come first, so a hospital map can override the shipped one for a code."""

    def __init__(self, maps: Iterable[dict] = ()):
        self.maps = list(maps)
        self._index: dict[tuple[str, str, str], list[Target]] = {}
        for cm in reversed(self.maps):
            for group in cm.get("group", ()):
                source, target = group.get("source"), group.get("target")
                if not source or not target:
                    continue
                for element in group.get("element", ()):
                    for t in element.get("target", ()):
                        if "code" not in t:
                            continue
                        products = tuple((p["property"], p["value"]) for p in t.get("product", ()))
                        self._index.setdefault((source, element["code"], target), []).append(
                            Target(t["code"], t.get("equivalence", "equivalent"), products, cm.get("url", ""))
                        )

    def __add__(self, other: ConceptMaps) -> ConceptMaps:
        return ConceptMaps([*self.maps, *other.maps])

    @property
    def urls(self) -> list[str]:
        return [cm.get("url", "(no url)") for cm in self.maps]

    def lookup(self, system: str | None, code: str | None, target_system: str) -> Target | None:
        """The first mapping of a coding to ``target_system`` (usable or not), None if no map has it."""
        if not system or not code:
            return None
        found = self._index.get((system, code, target_system))
        return found[0] if found else None

    def translate(self, codings: list[dict], target_system: str) -> tuple[Target | None, Target | None]:
        """(the first usable mapping of any coding, else the first unusable one seen)."""
        refused = None
        for c in codings:
            if not isinstance(c, dict):
                continue
            if c.get("system") == target_system and c.get("code"):
                return Target(c["code"], "equal"), None
            t = self.lookup(c.get("system"), c.get("code"), target_system)
            if t is not None:
                if t.usable:
                    return t, None
                refused = refused or t
        return None, refused


def validated(data: object, where: str) -> dict:
    """A ConceptMap's JSON, validated as FHIR R4B (fhir.resources), or :class:`ConceptMapError`."""
    if not isinstance(data, dict) or data.get("resourceType") != "ConceptMap":
        raise ConceptMapError(f"{where}: resourceType: expected a FHIR ConceptMap")
    try:
        ConceptMap.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "ConceptMap"
        raise ConceptMapError(f"{where}: {field}: {err['msg']}") from None
    for i, group in enumerate(data.get("group", ())):
        for key in ("source", "target"):
            if not group.get(key):
                raise ConceptMapError(f"{where}: group[{i}].{key}: plexnav needs the code system of each group")
    return data


def load_file(path: str | Path) -> dict:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConceptMapError(f"{path}: cannot be read ({exc.strerror})") from None
    except json.JSONDecodeError as exc:
        raise ConceptMapError(f"{path}: not JSON (line {exc.lineno}: {exc.msg})") from None
    return validated(data, str(path))


@lru_cache(maxsize=1)
def standard_maps() -> ConceptMaps:
    """The shipped map of standard codes."""
    text = resources.files("plexnav.interop").joinpath("data", STANDARD_MAP).read_text(encoding="utf-8")
    return ConceptMaps([validated(json.loads(text), STANDARD_MAP)])


def maps_from_paths(paths: list[str | Path]) -> ConceptMaps:
    """The shipped map plus the hospital's maps (which win where both map a code)."""
    return standard_maps() + ConceptMaps([load_file(p) for p in paths])


def maps_from_env() -> ConceptMaps:
    raw = os.environ.get(ENV_MAPS, "")
    return maps_from_paths([p for p in raw.split(os.pathsep) if p.strip()])


@cache
def standard_codings(finding: str, finding_system: str) -> tuple[tuple[str, str, str], ...]:
    """(system, code, display) of the standard codes the shipped map says are *equivalent* to a plexnav
    finding (LOINC 4548-4 for HbA1c ...), for the export: a wider mapping (type 2 diabetes -> diabetes)
    does not hold the other way and is never exported."""
    out = []
    for cm in standard_maps().maps:
        for group in cm.get("group", ()):
            if group.get("target") != finding_system:
                continue
            for element in group.get("element", ()):
                if any(
                    t.get("code") == finding and t.get("equivalence") in ("equivalent", "equal")
                    for t in element.get("target", ())
                ):
                    out.append((group["source"], element["code"], element.get("display", "")))
                    break  # the first (preferred) code of each system
    return tuple(out)
