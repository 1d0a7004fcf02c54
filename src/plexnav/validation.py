"""Turn raw JSON into a validated :class:`~plexnav.case.Case`, or into friendly errors.

Every error names the JSON path (``exam.strength[2].movement``), says what was wrong, lists
the valid choices and suggests the closest one.  The CLI prints these and exits 2; the API
returns the same structure as a 422 body.
"""

from __future__ import annotations

import difflib
import json
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, NoReturn

from pydantic import BaseModel, ValidationError

from plexnav import vocabulary as V
from plexnav.case import Case, Expected


@dataclass(frozen=True)
class CaseError:
    path: str
    message: str
    choices: list[str] = field(default_factory=list)
    suggestion: str | None = None

    def render(self) -> str:
        text = f"`{self.path}`: {self.message}" if self.path else self.message
        if self.suggestion:
            text += f"; did you mean '{self.suggestion}'?"
        elif self.choices and len(self.choices) <= 40:
            text += f" (valid: {', '.join(self.choices)})"
        return text

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class CaseValidationError(ValueError):
    """Raised with every problem found in one document."""

    def __init__(self, errors: list[CaseError]):
        self.errors = errors
        super().__init__("\n".join(e.render() for e in errors))


# What a value of each field is called, for messages ("… is not a movement").
_NOUNS = {
    "movement": "a movement",
    "reflex": "a reflex",
    "region": "a region",
    "sign": "a sign",
    "study": "a nerve-conduction study",
    "muscle": "a needle-EMG muscle",
    "result": "a result",
    "grade": "a reflex grade",
    "finding": "a finding",
    "kind": "a symptom kind",
    "activity": "a weakness activity",
    "quality": "a pain quality",
    "side": "a side",
    "onset": "an onset",
    "course": "a course",
    "factors": "a history factor",
    "sex": "a sex",
    "test": "a test",
    "format": "the case format",
    "site": "a site",
    "triage": "a triage level",
    "etiology": "a cause",
    "levels": "a root level",
}


def _path(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _unwrap(annotation: Any) -> type[BaseModel] | None:
    """Strip Optional/Annotated/tuple wrappers to reach a model class (or None)."""
    seen = 0
    while seen < 8:
        seen += 1
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0]
        elif origin in (tuple, list):
            annotation = typing.get_args(annotation)[0]
        else:
            break
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _model_at(root: type[BaseModel], loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    model: type[BaseModel] | None = root
    for part in loc:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part)
        if info is None:
            return None
        model = _unwrap(info.annotation)
    return model


def _closest(value: object, choices: list[str]) -> str | None:
    if not isinstance(value, str):
        return None
    match = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    return match[0] if match else None


def _literal_choices(ctx: Mapping[str, Any] | None) -> list[str]:
    expected = (ctx or {}).get("expected", "")
    return re.findall(r"'([^']*)'", expected)


def convert_error(err: Mapping[str, Any], root: type[BaseModel], offset: tuple[str | int, ...] = ()) -> CaseError:
    """One pydantic error as a friendly CaseError (used by the CLI and the API alike)."""
    loc = tuple(err["loc"])
    path = _path(offset + loc)
    kind = err["type"]
    value = err.get("input")
    leaf = next((p for p in reversed(loc) if isinstance(p, str)), "")
    if kind == "literal_error":
        choices = _literal_choices(err.get("ctx"))
        noun = _NOUNS.get(leaf, "a valid value")
        return CaseError(path, f"{value!r} is not {noun}", choices, _closest(value, choices))
    if kind == "extra_forbidden":
        parent = _model_at(root, loc[:-1])
        choices = sorted(parent.model_fields) if parent else []
        if parent is Case:
            choices = sorted([*choices, *V.EVALUATION_KEYS])
        return CaseError(path, f"unknown field {str(leaf)!r}", choices, _closest(leaf, choices))
    if kind == "missing":
        return CaseError(path, "this field is required")
    if kind == "value_error":
        msg = str(err.get("msg", "")).removeprefix("Value error, ")
        return CaseError(path, msg)
    msg = err.get("msg", kind)
    return CaseError(path, f"{msg} (got {json.dumps(value)[:60]})" if value is not None else msg)


class _NonFinite(ValueError):
    pass


def _reject_constant(name: str) -> NoReturn:
    """JSON has no NaN or Infinity; Python's parser would accept them silently."""
    raise _NonFinite(name)


def load_json(text: str | bytes) -> object:
    """Parse JSON text, raising CaseValidationError on empty or broken documents."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CaseValidationError([CaseError("", f"the document is not UTF-8 text ({exc.reason})")]) from None
    if not text.strip():
        raise CaseValidationError([CaseError("", "the document is empty; expected a JSON case object")])
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except _NonFinite as exc:
        message = f"not valid JSON: {exc.args[0]} is not a number JSON allows"
        raise CaseValidationError([CaseError("", message)]) from None
    except json.JSONDecodeError as exc:
        raise CaseValidationError(
            [CaseError("", f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")]
        ) from None
    except RecursionError:
        raise CaseValidationError([CaseError("", "not valid JSON: nested too deeply")]) from None


def validate_case(data: object) -> tuple[Case, Expected | None]:
    """Validate a decoded case object; evaluation keys are split off and checked too."""
    if not isinstance(data, dict):
        raise CaseValidationError([CaseError("", f"a case must be a JSON object, not {type(data).__name__}")])
    body = {k: v for k, v in data.items() if k not in V.EVALUATION_KEYS}
    errors: list[CaseError] = []
    case: Case | None = None
    expected: Expected | None = None
    try:
        case = Case.model_validate(body)
    except ValidationError as exc:
        errors += [convert_error(e, Case) for e in exc.errors()]
    if data.get("expected") is not None:
        try:
            expected = Expected.model_validate(data["expected"])
        except ValidationError as exc:
            errors += [convert_error(e, Expected, ("expected",)) for e in exc.errors()]
    for key in ("teaching", "source", "source_kind"):
        if key in data and not isinstance(data[key], str):
            errors.append(CaseError(key, "must be a string"))
    if not errors and case is not None:
        errors = contradictions(case)
    if errors or case is None:
        raise CaseValidationError(errors)
    return case, expected


# The API refuses request bodies over this many bytes (413, ``PLEXNAV_MAX_BODY_BYTES``); the
# command line refuses case files over the same size, so one case is accepted by both or neither.
MAX_CASE_BYTES = 256 * 1024


def check_size(size: int, limit: int = MAX_CASE_BYTES, hint: str = "") -> None:
    """Refuse a document larger than ``limit`` bytes before parsing it (``hint``: how to raise it)."""
    if size > limit:
        raise CaseValidationError(
            [CaseError("", f"the document is {size:,} bytes, more than the limit of {limit:,} bytes{hint}")]
        )


def parse_case(text: str | bytes) -> tuple[Case, Expected | None]:
    """Parse and validate one case document."""
    return validate_case(load_json(text))


# --- contradictory findings: the same thing recorded twice with values that cannot both hold ---


def finding_sides(side: str | None) -> tuple[str | None, ...]:
    """``bilateral`` is a statement about the left and the right side."""
    return V.LATERAL_SIDES if side == "bilateral" else (side,)


def _differ(a: object, b: object) -> bool:
    return bool(a != b)


def _normal_vs_abnormal(a: object, b: object) -> bool:
    # two abnormal results may both hold (amplitude reduced and velocity slowed); normal and abnormal cannot
    return a != b and "normal" in (a, b)


# (JSON path, key fields, value field, when two values contradict); public: the fast
# line reader (caseline) and the cohort table apply the same rules
CONTRADICTION_RULES = (
    ("exam.strength", ("movement",), "mrc", _differ),
    ("exam.reflexes", ("reflex",), "grade", _differ),
    ("exam.sensation", ("region",), "finding", _differ),
    ("exam.signs", ("sign", "region"), "present", _differ),
    ("electrodiagnosis.nerve_conduction", ("study",), "result", _normal_vs_abnormal),
    ("electrodiagnosis.needle_emg", ("muscle",), "result", _normal_vs_abnormal),
)
# The same rules for readers that compare findings without building a case (the cohort
# table): list path -> (fields that name the item besides its side, whether only a normal
# result against an abnormal one clashes).
CONTRADICTION_ITEMS: dict[str, tuple[tuple[str, ...], bool]] = {
    path: (keys, clash is _normal_vs_abnormal) for path, keys, _, clash in CONTRADICTION_RULES
}


def _section(case: Case, path: str) -> list[BaseModel]:
    value: typing.Any = case
    for part in path.split("."):
        value = getattr(value, part)
    return list(value)


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "positive" if value else "negative"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def contradictions(case: Case) -> list[CaseError]:
    """Findings recorded twice for the same item and side with values that cannot both be true.

    Why an error and not a guess: the engine would silently weigh both, and the answer would
    rest on an entry slip (MRC 5 and MRC 2 for one movement).  Each error names both paths.
    """
    errors: list[CaseError] = []
    for path, keys, field_name, clash in CONTRADICTION_RULES:
        seen: dict[tuple[object, ...], tuple[int, object]] = {}
        reported: set[tuple[int, int]] = set()
        for i, item in enumerate(_section(case, path)):
            value = getattr(item, field_name)
            for side in finding_sides(getattr(item, "side", None)):
                key = (*(getattr(item, k) for k in keys), side)
                if key not in seen:
                    seen[key] = (i, value)
                    continue
                j, earlier = seen[key]
                if clash(earlier, value) and (j, i) not in reported:
                    reported.add((j, i))
                    what = " ".join(str(getattr(item, k)) for k in keys if getattr(item, k) is not None)
                    where = f" on the {side} side" if side else ""
                    leaf = "result" if field_name == "present" else field_name
                    errors.append(
                        CaseError(
                            f"{path}[{i}].{leaf}",
                            f"contradicts `{path}[{j}].{leaf}`: {what}{where} is recorded as both "
                            f"{_show(earlier)} and {_show(value)}; keep the one that is right",
                        )
                    )
    return errors
