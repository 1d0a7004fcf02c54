"""An EHR's Observation, Condition or QuestionnaireResponse item as plexnav-coded Observations.

Why a translation into plexnav's own Observation shape: the reader of plexnav documents
(:func:`plexnav.interop.fhir.read_bundle`) already turns those into a case with located errors,
so a mapped EHR resource is read by exactly the same code as a plexnav export.  Every step that
cannot be done says why (``Translation.problem``); the caller lists it as not read.

What is read from where:

- the finding: the first coding of ``code`` that a ConceptMap maps to the plexnav finding
  CodeSystem (a Condition, and a QuestionnaireResponse item whose ``linkId`` is mapped as a code of
  the questionnaire's canonical URL, are read the same way);
- the side: a ``product`` of that mapping, else a ``bodySite`` coding mapped to the plexnav
  laterality CodeSystem (SNOMED CT 7771000 left ...), else plexnav's laterality extension;
- the value: a quantity (MRC grade, laboratory value in the UCUM unit plexnav expects, duration
  in days or weeks), a coded value mapped to the finding's plexnav value vocabulary (a reflex grade,
  an EMG result ...), or presence (a Condition, ``valueBoolean`` true, a sign without value).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from plexnav import vocabulary as V
from plexnav.interop import terms as T
from plexnav.interop.concept_maps import ConceptMaps, Target

# the value vocabulary of each finding section (or finding code) whose value is coded
_VALUE_VOCABULARY = {
    "history:onset": "onset",
    "history:course": "course",
    "reflex": "reflex-grade",
    "sensation": "sensory-finding",
    "sign": "sign-result",
    "ncs": "nerve-conduction-result",
    "needle_emg": "needle-emg-result",
    "imaging": "imaging-finding",
}
# product properties that become components of the plexnav Observation
_COMPONENT_PRODUCTS = {"weakness-activity": "activity", "pain-quality": "quality"}
_DURATION_DAYS = {"d": 1, "wk": 7}  # exact UCUM conversions only ('mo' and 'a' are not a fixed number of days)
_NOT_CURRENT = ("inactive", "resolved", "remission")
_NOT_DATA = ("refuted", "entered-in-error")


@dataclass
class Translation:
    """The plexnav Observation for one EHR item, or the reason it could not be read."""

    observation: dict | None = None
    problem: str | None = None
    key: tuple = ()  # (finding, side, region): one value per key, the latest wins
    when: datetime = field(default_factory=lambda: datetime.min.replace(tzinfo=UTC))


def _codings(concept: object) -> list[dict]:
    return [c for c in (concept or {}).get("coding", ()) if isinstance(c, dict)] if isinstance(concept, dict) else []


def _time(resource: dict) -> datetime:
    for key in ("effectiveDateTime", "issued", "recordedDate", "onsetDateTime", "authored"):
        value = resource.get(key)
        if isinstance(value, str):
            try:
                ts = datetime.fromisoformat(value.replace("Z", "+00:00") if len(value) > 10 else value)
            except ValueError:
                continue
            return ts if ts.tzinfo else ts.replace(tzinfo=UTC)
    period = resource.get("effectivePeriod") or {}
    if isinstance(period.get("end") or period.get("start"), str):
        return _time({"effectiveDateTime": period.get("end") or period.get("start")})
    return datetime.min.replace(tzinfo=UTC)


def _side(resource: dict, target: Target, maps: ConceptMaps) -> str | None:
    side = target.product(T.system("laterality"))
    if side:
        return side
    sites = resource.get("bodySite")
    for site in sites if isinstance(sites, list) else [sites] if isinstance(sites, dict) else ():
        found, _ = maps.translate(_codings(site), T.system("laterality"))
        if found is not None:
            return found.code
        for ext in site.get("extension", ()):
            if ext.get("url") == T.EXT_LATERALITY:
                return ext.get("valueCode")
    return None


def _value_vocabulary(code: str) -> str | None:
    section, _, target = code.partition(":")
    if code in _VALUE_VOCABULARY:
        return _VALUE_VOCABULARY[code]
    if section == "investigation" and target not in V.LAB_TESTS:
        return "imaging-finding"
    return _VALUE_VOCABULARY.get(section)


def _quantity(resource: dict) -> dict | None:
    if isinstance(resource.get("valueQuantity"), dict):
        return resource["valueQuantity"]
    if isinstance(resource.get("valueInteger"), int) and not isinstance(resource.get("valueInteger"), bool):
        return {"value": resource["valueInteger"]}
    return None


def _value(code: str, resource: dict, maps: ConceptMaps, found: Target) -> tuple[dict | None, str | None]:
    """The plexnav value of the finding: (value members, None) or (None, why not).  A quantity without
    a unit (a questionnaire's integer answer) takes the UCUM unit the mapping names as a product."""
    section, _, target = code.partition(":")
    vocabulary = _value_vocabulary(code)
    if vocabulary is not None:
        concept = resource.get("valueCodeableConcept")
        if concept is None and section == "sign":
            if resource.get("valueBoolean") is True or resource.get("resourceType") == "Condition":
                return {"valueBoolean": True}, None
        value, refused = maps.translate(_codings(concept), T.system(vocabulary))
        if value is not None:
            if value.code not in T.vocabularies()[vocabulary]:
                return None, f"the map gives {value.code!r}, not a plexnav {vocabulary} code"
            return {"valueCodeableConcept": {"coding": [T.coding(vocabulary, value.code)]}}, None
        shown = ", ".join(f"{c.get('system')} {c.get('code')}" for c in _codings(concept)) or "none"
        if refused is not None:
            return None, f"its value maps only {refused.equivalence} to plexnav"
        return None, f"its value ({shown}) has no mapping to a plexnav {vocabulary} code"
    if section == "strength" or code == "history:duration" or (section == "investigation" and target in V.LAB_TESTS):
        quantity = _quantity(resource)
        if quantity is None or not isinstance(quantity.get("value"), int | float):
            return None, "it has no numeric value"
        if not (quantity.get("code") or quantity.get("unit")) and found.product(T.UCUM):
            quantity = {**quantity, "code": found.product(T.UCUM)}
        if code == "history:duration":
            days = _DURATION_DAYS.get(str(quantity.get("code") or quantity.get("unit")))
            if days is None:
                return None, "its duration is not in days or weeks"
            value = quantity["value"] * days
            return {"valueQuantity": {"value": value, "unit": "days", "system": T.UCUM, "code": "d"}}, None
        if section == "investigation":
            ucum, unit = T.lab_unit(target)
            given = quantity.get("code") or quantity.get("unit")
            if given != ucum:
                return None, f"its unit is {given!r}; plexnav reads {T.name('investigation', target)} in {unit or ucum}"
        return {"valueQuantity": {"value": quantity["value"]}}, None
    # presence: a history factor or a symptom
    if resource.get("resourceType") == "Condition":
        return {"valueBoolean": True}, None
    if resource.get("valueBoolean") is True:
        return {"valueBoolean": True}, None
    if resource.get("valueBoolean") is False:
        return None, "it is recorded as absent (plexnav's case lists what is present)"
    return None, "it does not say the finding is present (valueBoolean true)"


def _status_problem(resource: dict) -> str | None:
    if resource.get("resourceType") != "Condition":
        return None
    verification = {c.get("code") for c in _codings(resource.get("verificationStatus"))}
    if verification & set(_NOT_DATA):
        return "skip"
    clinical = {str(c.get("code")) for c in _codings(resource.get("clinicalStatus"))}
    if clinical & set(_NOT_CURRENT):
        return f"its clinical status is {', '.join(sorted(clinical))}, not a current finding"
    return None


def translate(resource: dict, maps: ConceptMaps) -> Translation | None:
    """The plexnav Observation for an EHR Observation or Condition; None when no map knows its code
    (or it is not data: a refuted Condition gives a Translation with neither observation nor problem)."""
    found, refused = maps.translate(_codings(resource.get("code")), T.FINDING_SYSTEM)
    if found is None:
        if refused is not None:
            return Translation(problem=f"its code maps only {refused.equivalence} to plexnav {refused.code!r}")
        return None
    code = found.code
    if code not in _FINDINGS:
        return Translation(problem=f"the map gives {code!r}, which is not a plexnav finding code")
    status = _status_problem(resource)
    if status == "skip":
        return Translation()
    if status is not None and not code.startswith("history:factor:"):  # a past cancer is still history
        return Translation(problem=status)
    value, problem = _value(code, resource, maps, found)
    if value is None:
        return Translation(problem=problem or "its value cannot be read")
    side = _side(resource, found, maps)
    obs: dict = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": T.FINDING_SYSTEM, "code": code}]},
        **value,
    }
    site: dict = {}
    if side is not None:
        site["extension"] = [{"url": T.EXT_LATERALITY, "valueCode": side}]
    region = None
    for vocabulary in ("skin-region", "muscle-region"):
        region = found.product(T.system(vocabulary))
        if region is not None:
            site["coding"] = [{"system": T.system(vocabulary), "code": region}]
            break
    if site:
        obs["bodySite"] = site
    components = [
        {
            "code": {"coding": [{"system": T.ATTRIBUTE_SYSTEM, "code": attribute}]},
            "valueCodeableConcept": {"coding": [{"system": T.system(vocabulary), "code": product}]},
        }
        for vocabulary, attribute in _COMPONENT_PRODUCTS.items()
        if (product := found.product(T.system(vocabulary))) is not None
    ]
    if components:
        obs["component"] = components
    return Translation(obs, key=(code, side, region), when=_time(resource))


def questionnaire_items(response: dict) -> list[tuple[str, dict]]:
    """Each answered item of a QuestionnaireResponse as (its words, an Observation-shaped dict whose code
    is the item's linkId in the questionnaire's canonical URL)."""
    canonical = (response.get("questionnaire") or "").split("|")[0]
    out: list[tuple[str, dict]] = []

    def walk(items: list) -> None:
        for item in items or ():
            if not isinstance(item, dict):
                continue
            for answer in item.get("answer", ()):
                pseudo: dict = {
                    "resourceType": "Observation",
                    "code": {"coding": [{"system": canonical, "code": item.get("linkId")}]},
                    "authored": response.get("authored"),
                }
                if "valueCoding" in answer:
                    pseudo["valueCodeableConcept"] = {"coding": [answer["valueCoding"]]}
                for key in ("valueBoolean", "valueInteger", "valueQuantity"):
                    if key in answer:
                        pseudo[key] = answer[key]
                if "valueDecimal" in answer:
                    pseudo["valueQuantity"] = {"value": answer["valueDecimal"]}
                words = item.get("text") or item.get("linkId") or "an item"
                out.append(
                    (
                        f'QuestionnaireResponse item "{words}" ({canonical or "no questionnaire"} '
                        f"{item.get('linkId')})",
                        pseudo,
                    )
                )
                walk(answer.get("item", ()))
            walk(item.get("item", ()))

    walk(response.get("item", ()))
    return out


_FINDINGS = frozenset(T.finding_codes())
