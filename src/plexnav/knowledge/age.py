"""Age conditions of the model's parameters ('age>=60', 'age<40'): one reading of them for
the knowledge check, single assessments and cohort scoring."""

from __future__ import annotations

import re
from collections.abc import Iterable

_AGE_KEY = re.compile(r"age(>=|<)(\d+)")


def is_age_condition(key: str) -> bool:
    return _AGE_KEY.fullmatch(key) is not None


def age_applies(key: str, age: int | None) -> bool:
    """Whether an age condition holds; an unknown age meets none of them."""
    found = _AGE_KEY.fullmatch(key)
    if found is None or age is None:
        return False
    limit = int(found.group(2))
    return age >= limit if found.group(1) == ">=" else age < limit


def age_thresholds(keys: Iterable[str]) -> tuple[int, ...]:
    """The ages at which the age conditions among ``keys`` change, sorted."""
    return tuple(sorted({int(m.group(2)) for k in keys if (m := _AGE_KEY.fullmatch(k))}))
