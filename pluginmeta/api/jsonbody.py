"""Strict JSON for request bodies, one reading for every endpoint that takes JSON."""

import json
from typing import Any


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def strict_loads(raw: bytes) -> Any:
    """The JSON in raw; ValueError unless it is UTF-8 JSON without NaN/Infinity or deep nesting."""
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except RecursionError:
        raise ValueError("The JSON is nested too deeply.") from None
