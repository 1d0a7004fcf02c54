"""HTML form fields <-> case documents, for the patient questionnaire and the clinician exam.

Both directions live here so that a saved case reopens in the form it came from: the
``*_to_case`` functions turn submitted fields into a plexnav-case/1 dict (validated
afterwards by :func:`plexnav.validation.validate_case`, like any other input), and the
``case_to_*`` functions turn a stored case back into field values.  Sections a form does
not edit are carried over from the stored case (see :func:`merge`).

Field names:
  questionnaire  pain / numb (multi, "region:side" or a midline region, which may also come
                 as "saddle:left" / "genital:right": one side only, revision 1.1), pain_quality,
                 pain_severity, pain_provoked / pain_relieved (multi, 1.1), numb_kind,
                 weak (multi, "activity:side"), weak_sudden,
                 other (multi: cramps, gait_difficulty, falls), pelvic (multi: bladder_dysfunction,
                 bowel_dysfunction, sexual_dysfunction)
  exam           mrc.MOVEMENT.SIDE, lim.MOVEMENT.SIDE (pain/effort, 1.1), reflex.REFLEX.SIDE,
                 reflex.anal_wink, sens.REGION.SIDE, sens.REGION (midline; sens.saddle.left etc.
                 for one side), sign.SIGN.SIDE, sign.sphincter_tone_reduced,
                 sign.atrophy.REGION.SIDE, sign.tender_tense_compartment.REGION.SIDE (result),
                 ncs.STUDY.SIDE, emg.MUSCLE.SIDE, emg.external_anal_sphincter, lab.TEST,
                 img.N.(test|finding|level|side|position|site)
  both           title, age, sex, onset, course, duration_value, duration_unit, factors (multi)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from plexnav import vocabulary as V
from plexnav.validation import CaseError
from plexnav.web import bodymap, labels

SIDES2 = V.LATERAL_SIDES
DURATION_UNITS = {"days": 1, "weeks": 7, "months": 30, "years": 365}
OTHER_SYMPTOMS = ("cramps", "gait_difficulty", "falls")
PELVIC_SYMPTOMS = ("bladder_dysfunction", "bowel_dysfunction", "sexual_dysfunction")
NUMB_KINDS = {"numbness": ("numbness",), "tingling": ("tingling",), "both": ("numbness", "tingling")}
IMAGING_ROWS = 4
LEVEL_PATTERN = re.compile(V.SPINE_LEVEL_PATTERN)
LEVEL_EXAMPLES = ["L4-L5", "L5-S1", "L3", "T10", "T11-T12"]

QUESTIONNAIRE_SECTIONS = ("patient", "history", "symptoms")
EXAM_SECTIONS = ("patient", "history", "exam", "electrodiagnosis", "investigations")


class FormData:
    """Submitted fields: single values and multi-valued fields (checkbox groups)."""

    def __init__(self, items: Iterable[tuple[str, str]] = ()):
        self._multi: dict[str, list[str]] = {}
        for key, value in items:
            if isinstance(value, str):
                self._multi.setdefault(key, []).append(value)

    @classmethod
    def from_mapping(cls, data: Mapping[str, str | list[str]]) -> FormData:
        items = []
        for key, value in data.items():
            items += [(key, v) for v in value] if isinstance(value, list) else [(key, value)]
        return cls(items)

    def get(self, key: str, default: str = "") -> str:
        values = self._multi.get(key)
        return values[-1].strip() if values else default

    def getlist(self, key: str) -> list[str]:
        return [v.strip() for v in self._multi.get(key, []) if v.strip()]

    def as_values(self) -> dict[str, str | list[str]]:
        """For re-rendering a form with what was typed."""
        return {k: (v if len(v) > 1 else v[0]) for k, v in self._multi.items() if v}


def _number(text: str, path: str, errors: list[CaseError], kind=float):
    if not text:
        return None
    try:
        value = kind(text)
    except ValueError:
        errors.append(CaseError(path, f"{text!r} is not a number"))
        return None
    return value


def parse_mrc(text: str) -> float | None:
    """'4' -> 4, '4+' -> 4.5, '4-' -> 3.5, '4.5' -> 4.5; blank -> None; ValueError otherwise."""
    text = text.strip().replace(",", ".")
    if not text:
        return None
    match = re.fullmatch(r"([0-5](?:\.\d+)?)\s*([+-]?)", text)
    if not match:
        raise ValueError(text)
    value = float(match.group(1)) + {"+": 0.5, "-": -0.5, "": 0.0}[match.group(2)]
    if not 0 <= value <= 5:
        raise ValueError(text)
    return int(value) if value == int(value) else value


def format_mrc(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def _patient_history(form: FormData, errors: list[CaseError]) -> tuple[dict, dict]:
    patient: dict = {}
    age = _number(form.get("age"), "patient.age", errors, int)
    if age is not None:
        patient["age"] = age
    if form.get("sex"):
        patient["sex"] = form.get("sex")
    history: dict = {}
    for key in ("onset", "course"):
        if form.get(key):
            history[key] = form.get(key)
    amount = _number(form.get("duration_value"), "history.duration_days", errors)
    if amount is not None:
        unit = form.get("duration_unit", "days")
        if unit not in DURATION_UNITS:
            errors.append(CaseError("history.duration_days", f"{unit!r} is not a unit", list(DURATION_UNITS)))
        else:
            history["duration_days"] = int(round(amount * DURATION_UNITS[unit]))
    factors = form.getlist("factors")
    if factors:
        history["factors"] = list(dict.fromkeys(factors))
    return patient, history


def _region_symptom(kind: str, key: str, **extra) -> dict:
    region, side = bodymap.split_key(key)
    out = {"kind": kind, "region": region}
    if side:
        out["side"] = side
    return {**out, **extra}


def _region_symptoms(kind: str, keys: list[str], **extra) -> list[dict]:
    """Symptoms for the ticked region keys.  A midline region (saddle, genital) may be ticked
    as a whole ("saddle": no side) or on one side ("saddle:left"); both sides make it bilateral,
    and the whole area wins over one side."""
    out: list[dict[str, Any]] = []
    midline: dict[str, set[str | None]] = {}
    for key in dict.fromkeys(keys):
        region, side = bodymap.split_key(key)
        if region in V.MIDLINE_REGIONS:
            midline.setdefault(region, set()).add(side)
        else:
            out.append(_region_symptom(kind, key, **extra))
    for region, sides in midline.items():
        if None in sides:
            side = None
        elif sides >= set(SIDES2):
            side = "bilateral"
        else:
            side = next(iter(sides))
        out.append(_region_symptom(kind, bodymap.key_of(region, side), **extra))
    return out


def _choices(form: FormData, name: str, allowed: tuple[str, ...], what: str, errors: list[CaseError]) -> list[str]:
    """The ticked values of a multi-valued field, each checked against its choices."""
    out = []
    for value in dict.fromkeys(form.getlist(name)):
        if value in allowed:
            out.append(value)
        else:
            errors.append(CaseError(name, f"{what}: {value!r} is not one of the choices", list(allowed)))
    return out


def _choice(form: FormData, name: str, allowed: tuple[str, ...], what: str, errors: list[CaseError]) -> str | None:
    value = form.get(name)
    if not value:
        return None
    if value not in allowed:
        errors.append(CaseError(name, f"{what}: {value!r} is not one of the choices", list(allowed)))
        return None
    return value


def questionnaire_to_case(form: FormData) -> tuple[dict, list[CaseError]]:
    """The patient's answers as a case document (and any problems with typed numbers)."""
    errors: list[CaseError] = []
    patient, history = _patient_history(form, errors)
    symptoms: list[dict] = []
    pain_extra: dict = {}
    if form.get("pain_quality"):
        pain_extra["quality"] = form.get("pain_quality")
    severity = _number(form.get("pain_severity"), "symptoms.severity", errors)
    if severity is not None:
        pain_extra["severity"] = int(severity) if severity == int(severity) else severity
    provoked = _choices(form, "pain_provoked", V.PROVOKED_BY, "What brings the pain on", errors)
    relieved = _choices(form, "pain_relieved", V.RELIEVED_BY, "What eases the pain", errors)
    if provoked:
        pain_extra["provoked_by"] = provoked
    if relieved:
        pain_extra["relieved_by"] = relieved
    symptoms += _region_symptoms("pain", form.getlist("pain"), **pain_extra)
    kinds = NUMB_KINDS.get(form.get("numb_kind") or "numbness", ("numbness",))
    for kind in kinds:
        symptoms += _region_symptoms(kind, form.getlist("numb"))
    sudden = form.get("weak_sudden") == "yes"
    weak = list(dict.fromkeys(form.getlist("weak")))
    for key in weak:
        activity, _, side = key.partition(":")
        item: dict[str, Any] = {"kind": "weakness", "activity": activity}
        if side:
            item["side"] = side
        if sudden:
            item["onset_sudden_severe"] = True
        symptoms.append(item)
    if sudden and not weak:
        symptoms.append({"kind": "weakness", "onset_sudden_severe": True})
    for kind in form.getlist("other") + form.getlist("pelvic"):
        symptoms.append({"kind": kind})
    case: dict[str, Any] = {"format": V.CASE_FORMAT}
    if patient:
        case["patient"] = patient
    if history:
        case["history"] = history
    if symptoms:
        case["symptoms"] = symptoms
    return case, errors


def exam_to_case(form: FormData) -> tuple[dict, list[CaseError]]:
    """The clinician's exam form as a case document (and problems with typed grades)."""
    errors: list[CaseError] = []
    patient, history = _patient_history(form, errors)
    strength = []
    for movement in V.MOVEMENTS:
        for side in SIDES2:
            name = f"mrc.{movement}.{side}"
            try:
                grade = parse_mrc(form.get(name))
            except ValueError:
                errors.append(
                    CaseError(
                        name,
                        f"{form.get(name)!r} is not an MRC grade (0-5, 4+ or 4-)",
                        ["0", "1", "2", "3", "4-", "4", "4+", "5"],
                    )
                )
                continue
            limited = _choice(
                form,
                f"lim.{movement}.{side}",
                V.LIMITED_BY,
                f"{labels.upper_first(labels.movement(movement))}, {side}: limited by",
                errors,
            )
            if grade is not None:
                item: dict[str, Any] = {"movement": movement, "side": side, "mrc": grade}
                if limited:
                    item["limited_by"] = limited
                strength.append(item)
            elif limited:
                errors.append(
                    CaseError(
                        f"mrc.{movement}.{side}",
                        f"{labels.upper_first(labels.movement(movement))}, {side}: "
                        f"'limited by {limited}' needs the MRC grade it limits (0-5, 4+ or 4-)",
                        ["0", "1", "2", "3", "4-", "4", "4+", "5"],
                    )
                )
    reflexes = []
    for reflex in (*labels.LATERAL_REFLEXES, "plantar"):
        for side in SIDES2:
            reflex_grade = form.get(f"reflex.{reflex}.{side}")
            if reflex_grade:
                reflexes.append({"reflex": reflex, "side": side, "grade": reflex_grade})
    if form.get("reflex.anal_wink"):
        reflexes.append({"reflex": "anal_wink", "grade": form.get("reflex.anal_wink")})
    sensation = []
    # (1.1) one side only
    midline_sides: list[tuple[str, str | None]] = [(region, side) for region in V.MIDLINE_REGIONS for side in SIDES2]
    for region, region_side in [*bodymap.region_keys(), *midline_sides]:
        value = form.get(f"sens.{bodymap.key_of(region, region_side).replace(':', '.')}")
        if value:
            item = {"region": region, "finding": value}
            if region_side:
                item["side"] = region_side
            sensation.append(item)
    signs = []
    sign: str  # the loops below run over several vocabularies of signs
    for sign in labels.SIGN_RESULT_SIGNS:
        for side in SIDES2:
            result = _choice(
                form, f"sign.{sign}.{side}", V.SIGN_RESULTS, f"{labels.upper_first(labels.sign(sign))}, {side}", errors
            )
            if result:
                signs.append({"sign": sign, "side": side, "result": result})
    for sign in labels.SIDED_PRESENCE_SIGNS:
        for side in SIDES2:
            if form.get(f"sign.{sign}.{side}"):
                signs.append({"sign": sign, "side": side})
    for sign in labels.MIDLINE_PRESENCE_SIGNS:
        if form.get(f"sign.{sign}"):
            signs.append({"sign": sign})
    for sign in labels.REGION_PRESENCE_SIGNS:
        for region in labels.sign_regions(sign):
            for side in SIDES2:
                if form.get(f"sign.{sign}.{region}.{side}"):
                    signs.append({"sign": sign, "region": region, "side": side})
    for sign in labels.REGION_RESULT_SIGNS:
        for region in labels.sign_regions(sign):
            for side in SIDES2:
                what = f"{labels.upper_first(labels.sign(sign))}, {labels.MUSCLE_REGION_WORDS[region]}, {side}"
                result = _choice(form, f"sign.{sign}.{region}.{side}", V.SIGN_RESULTS, what, errors)
                if result:
                    signs.append({"sign": sign, "region": region, "side": side, "result": result})
    ncs = [
        {"study": study, "side": side, "result": form.get(f"ncs.{study}.{side}")}
        for study in V.NCS_STUDIES
        for side in SIDES2
        if form.get(f"ncs.{study}.{side}")
    ]
    emg = [
        {"muscle": muscle, "side": side, "result": form.get(f"emg.{muscle}.{side}")}
        for muscle in V.EMG_MUSCLES
        if muscle != "external_anal_sphincter"
        for side in SIDES2
        if form.get(f"emg.{muscle}.{side}")
    ]
    if form.get("emg.external_anal_sphincter"):
        emg.append({"muscle": "external_anal_sphincter", "result": form.get("emg.external_anal_sphincter")})
    investigations: list[dict[str, Any]] = []
    test: str | None  # a laboratory test id, then the imaging test typed in each row
    for test in V.LAB_TESTS:
        value = _number(form.get(f"lab.{test}"), f"lab.{test}", errors)
        if value is not None:
            investigations.append({"test": test, "value": value})
    for row in range(IMAGING_ROWS):
        test = form.get(f"img.{row}.test")
        if not test:
            continue
        what = f"Imaging row {row + 1}"
        if test not in V.IMAGING_TESTS:
            errors.append(
                CaseError(f"img.{row}.test", f"{what}: {test!r} is not an imaging test", list(V.IMAGING_TESTS))
            )
            continue
        item = {
            "test": test,
            "finding": _choice(form, f"img.{row}.finding", V.IMAGING_FINDINGS, f"{what}, finding", errors) or "normal",
        }
        level = re.sub(r"\s+", "", form.get(f"img.{row}.level")).upper().replace("–", "-")
        if level and not LEVEL_PATTERN.match(level):
            errors.append(
                CaseError(
                    f"img.{row}.level",
                    f"{what}, level: {form.get(f'img.{row}.level')!r} is not a "
                    "vertebral level (T1-T12, L1-L5, S1-S5) or a range of two",
                    LEVEL_EXAMPLES,
                )
            )
        elif level:
            item["level"] = level
        for key, allowed in (("side", V.SIDES), ("position", V.IMAGING_POSITIONS), ("site", V.SITES)):
            chosen = _choice(form, f"img.{row}.{key}", allowed, f"{what}, {key}", errors)
            if chosen:
                item[key] = chosen
        investigations.append(item)
    case: dict = {"format": V.CASE_FORMAT}
    if patient:
        case["patient"] = patient
    if history:
        case["history"] = history
    exam = {
        k: v
        for k, v in (("strength", strength), ("reflexes", reflexes), ("sensation", sensation), ("signs", signs))
        if v
    }
    if exam:
        case["exam"] = exam
    edx = {k: v for k, v in (("nerve_conduction", ncs), ("needle_emg", emg)) if v}
    if edx:
        case["electrodiagnosis"] = edx
    if investigations:
        case["investigations"] = investigations
    return case, errors


@dataclass(frozen=True)
class FormError:
    """An error said at the form field it belongs to, in plain words (``path``: the field's name)."""

    path: str
    message: str
    label: str = ""
    choices: list[str] = dc_field(default_factory=list)
    suggestion: str | None = None


# case path (from validation) -> the form field that holds it, and its name in words
FIELD_OF_PATH = (
    (re.compile(r"patient\.age$"), "age", "Age"),
    (re.compile(r"patient\.sex$"), "sex", "Sex"),
    (re.compile(r"history\.onset$"), "onset", "How it started"),
    (re.compile(r"history\.course$"), "course", "Since then"),
    (re.compile(r"history\.duration_days$"), "duration_value", "How long you have had it"),
    (re.compile(r"history\.factors"), "factors", "History"),
    (re.compile(r"symptoms(\[\d+\])?\.severity$"), "pain_severity", "How bad the pain is"),
    (re.compile(r"^pain$"), "pain", "Symptoms"),
    (re.compile(r"^exam$"), "exam", "Findings"),
)
# validation's wording -> plain words ("Input should be less than or equal to 120 (got 250)")
PLAIN_MESSAGES = (
    (re.compile(r"Input should be less than or equal to (\S+)"), r"must be \1 or less"),
    (re.compile(r"Input should be greater than or equal to (\S+)"), r"must be \1 or more"),
    (re.compile(r"Input should be less than (\S+)"), r"must be less than \1"),
    (re.compile(r"Input should be greater than (\S+)"), r"must be more than \1"),
    (re.compile(r"Input should be a valid integer.*?(?= \(got|$)"), "must be a whole number"),
    (re.compile(r"Input should be a valid number.*?(?= \(got|$)"), "must be a number"),
    (re.compile(r"String should match pattern '[^']*'"), "is not in the expected form"),
    (re.compile(r"\(got ([^)]*)\)"), r"(you entered \1)"),
    (re.compile(r"^'([^']*)' is not a number$"), r"'\1' is not a number: type digits only, such as 42"),
)


def plain_error(error: CaseError) -> FormError:
    """The error at its form field, in plain words: 'Age: must be 120 or less (you entered 250)'."""
    field, label = error.path, ""
    for pattern, name, words in FIELD_OF_PATH:
        if pattern.search(error.path):
            field, label = name, words
            break
    message = error.message
    for pattern, replacement in PLAIN_MESSAGES:
        message = pattern.sub(replacement, message)
    return FormError(field, message, label, list(error.choices), error.suggestion)


FINDING_SECTIONS = ("symptoms", "exam", "electrodiagnosis", "investigations")
NOTHING_TO_ASSESS = {
    "check": CaseError(
        "pain",
        "Tell us at least one symptom before we can say anything: where it hurts, what is "
        "numb or tingles, what is hard to do because the leg is weak, or a bladder, bowel or "
        "walking problem. Age and history alone are not enough.",
    ),
    "exam": CaseError(
        "exam",
        "Enter at least one finding before plexnav ranks lesion sites: a strength grade, "
        "reflex, sensory finding, sign, nerve conduction or EMG result, or a test result.",
    ),
}


def nothing_to_assess(kind: str, document: Mapping) -> list[CaseError]:
    """An error when the case has no symptom or finding at all: an empty form must not get a
    result ("routine ... wear and tear") that nothing in it supports."""
    if any(document.get(section) for section in FINDING_SECTIONS):
        return []
    return [NOTHING_TO_ASSESS[kind]]


def merge(stored: Mapping | None, edited: dict, sections: tuple[str, ...]) -> dict:
    """The edited sections from the form, everything else (and the id) from the stored case."""
    if not stored:
        return edited
    out = {k: v for k, v in stored.items() if k not in sections}
    out.update({k: v for k, v in edited.items() if k in sections or k == "format"})
    return out


# ----------------------------------------------------------------------------- case -> form


def _history_values(case: Mapping) -> dict:
    values: dict = {}
    patient = case.get("patient") or {}
    history = case.get("history") or {}
    if patient.get("age") is not None:
        values["age"] = str(patient["age"])
    if patient.get("sex"):
        values["sex"] = patient["sex"]
    for key in ("onset", "course"):
        if history.get(key):
            values[key] = history[key]
    if history.get("duration_days") is not None:
        values["duration_value"] = str(history["duration_days"])
        values["duration_unit"] = "days"
    values["factors"] = list(history.get("factors") or [])
    return values


def _symptom_keys(region: str | None, side: str | None) -> list[str]:
    """Questionnaire keys of a symptom's region: one per side ticked on the map."""
    if not region:
        return []
    if region in V.MIDLINE_REGIONS:  # (1.1) one side, both sides (each ticked) or the whole area
        if side == "bilateral":
            return [bodymap.key_of(region, s) for s in SIDES2]
        return [bodymap.key_of(region, side)]
    if region == "whole_foot_stocking":
        return [bodymap.key_of(region, "bilateral")]
    sides = SIDES2 if side in (None, "bilateral") else (side,)
    return [bodymap.key_of(region, s) for s in sides]


def case_to_questionnaire(case: Mapping) -> dict:
    values = _history_values(case)
    pain: list[str] = []
    numb: list[str] = []
    weak: list[str] = []
    other: list[str] = []
    pelvic: list[str] = []
    provoked: list[str] = []
    relieved: list[str] = []
    kinds_seen = set()
    for symptom in case.get("symptoms") or []:
        kind = symptom.get("kind")
        keys = _symptom_keys(symptom.get("region"), symptom.get("side"))
        if kind == "pain" and keys:
            pain += keys
            provoked += symptom.get("provoked_by") or []
            relieved += symptom.get("relieved_by") or []
            if symptom.get("quality"):
                values.setdefault("pain_quality", symptom["quality"])
            if symptom.get("severity") is not None:
                values["pain_severity"] = str(
                    max(int(round(symptom["severity"])), int(values.get("pain_severity", 0) or 0))
                )
        elif kind in ("numbness", "tingling") and keys:
            numb += keys
            kinds_seen.add(kind)
        elif kind == "weakness":
            if symptom.get("activity"):
                weak.append(f"{symptom['activity']}:{symptom['side']}" if symptom.get("side") else symptom["activity"])
            if symptom.get("onset_sudden_severe"):
                values["weak_sudden"] = "yes"
        elif kind in OTHER_SYMPTOMS:
            other.append(kind)
        elif kind in PELVIC_SYMPTOMS:
            pelvic.append(kind)
    values.update(
        pain=list(dict.fromkeys(pain)),
        numb=list(dict.fromkeys(numb)),
        weak=weak,
        other=other,
        pelvic=pelvic,
        pain_provoked=list(dict.fromkeys(provoked)),
        pain_relieved=list(dict.fromkeys(relieved)),
    )
    values["numb_kind"] = (
        "both" if kinds_seen == {"numbness", "tingling"} else "tingling" if kinds_seen == {"tingling"} else "numbness"
    )
    return values


def case_to_exam(case: Mapping) -> dict:
    values = _history_values(case)
    exam = case.get("exam") or {}
    for item in exam.get("strength") or []:
        for side in SIDES2 if item["side"] == "bilateral" else (item["side"],):
            values[f"mrc.{item['movement']}.{side}"] = format_mrc(item["mrc"])
            if item.get("limited_by"):
                values[f"lim.{item['movement']}.{side}"] = item["limited_by"]
            else:  # a later grade of the same cell replaces an earlier one whole
                values.pop(f"lim.{item['movement']}.{side}", None)
    for item in exam.get("reflexes") or []:
        if item["reflex"] in V.MIDLINE_REFLEXES:
            values[f"reflex.{item['reflex']}"] = item["grade"]
        else:
            for side in SIDES2 if item.get("side") in ("bilateral", None) else (item["side"],):
                values[f"reflex.{item['reflex']}.{side}"] = item["grade"]
    for item in exam.get("sensation") or []:
        region = item["region"]
        if region in V.MIDLINE_REGIONS:
            side = item.get("side")
            values[f"sens.{region}.{side}" if side in SIDES2 else f"sens.{region}"] = item["finding"]
        elif region == "whole_foot_stocking":
            values[f"sens.{region}.bilateral"] = item["finding"]
        else:
            for side in SIDES2 if item.get("side") in ("bilateral", None) else (item["side"],):
                values[f"sens.{region}.{side}"] = item["finding"]
    for item in exam.get("signs") or []:
        sign, side = item["sign"], item.get("side")
        sides = SIDES2 if side in ("bilateral", None) else (side,)
        if sign in labels.REGION_RESULT_SIGNS:
            for s in sides:
                values[f"sign.{sign}.{item['region']}.{s}"] = item.get("result") or "positive"
        elif sign in V.SIGNS_WITH_REGION:
            for s in sides:
                values[f"sign.{sign}.{item['region']}.{s}"] = "yes"
        elif sign in labels.SIGN_RESULT_SIGNS:
            for s in sides:
                values[f"sign.{sign}.{s}"] = item.get("result") or "positive"
        elif sign in labels.MIDLINE_PRESENCE_SIGNS:
            values[f"sign.{sign}"] = "yes"
        else:
            for s in sides:
                values[f"sign.{sign}.{s}"] = "yes"
    edx = case.get("electrodiagnosis") or {}
    for item in edx.get("nerve_conduction") or []:
        for side in SIDES2 if item["side"] == "bilateral" else (item["side"],):
            values[f"ncs.{item['study']}.{side}"] = item["result"]
    for item in edx.get("needle_emg") or []:
        if item["muscle"] == "external_anal_sphincter":
            values["emg.external_anal_sphincter"] = item["result"]
        else:
            for side in SIDES2 if item.get("side") in ("bilateral", None) else (item["side"],):
                values[f"emg.{item['muscle']}.{side}"] = item["result"]
    row = 0
    for item in case.get("investigations") or []:
        if item["test"] in V.LAB_TESTS:
            values[f"lab.{item['test']}"] = f"{item['value']:g}"
        elif row < IMAGING_ROWS:
            values[f"img.{row}.test"] = item["test"]
            values[f"img.{row}.finding"] = item.get("finding", "")
            values[f"img.{row}.level"] = item.get("level", "")
            values[f"img.{row}.side"] = item.get("side", "")
            values[f"img.{row}.position"] = item.get("position", "")
            values[f"img.{row}.site"] = item.get("site", "")
            row += 1
    return values
