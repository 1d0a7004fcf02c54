"""Output records built by their validators directly.

Why: an assessment builds some seventy small pydantic records (explanation lines, causes,
tests, advice).  ``Model(**fields)`` is a Python wrapper around the model's validator;
calling the validator with the fields checks and builds exactly the same record (the same
values, the same fields set) in about two thirds of the time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def builder(model: type[M]) -> Callable[[dict[str, Any]], M]:
    """``build(fields)``: the validated record, as ``model(**fields)`` makes it."""
    validate: Callable[[dict[str, Any]], M] = model.__pydantic_validator__.validate_python
    return validate
