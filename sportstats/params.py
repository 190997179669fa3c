"""Query-string parsing for the Sport Stats API: strict, and every error names its parameter."""

import datetime
import re

from django.http import QueryDict
from rest_framework.exceptions import ValidationError

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 25
MAX_LIST_ITEMS = 100
MAX_QUERY_LENGTH = 100
# Ids are stored as bigint; anything larger would overflow the database driver.
MAX_ID = 2**63 - 1
MIN_SEASON, MAX_SEASON = 1900, 2100

# Plain ASCII digits only: int() would also accept "1_000", " 7 " and non-ASCII digits.
_INTEGER = re.compile(r"-?[0-9]{1,30}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _fail(name: str, message: str) -> ValidationError:
    return ValidationError({name: [message]})


def _values(query: QueryDict, name: str) -> list[str]:
    """Both array forms: name=1&name=2 and name[]=1&name[]=2."""
    return query.getlist(name) + query.getlist(f"{name}[]")


def _single(query: QueryDict, name: str) -> str | None:
    values = query.getlist(name)
    if not values:
        return None
    if len(values) > 1:
        raise _fail(name, "Give this parameter once.")
    return values[0]


def _to_int(name: str, raw: str, low: int, high: int | None) -> int:
    if not _INTEGER.fullmatch(raw):
        raise _fail(name, f"{raw[:40]!r} is not an integer.")
    value = int(raw)
    if value < low:
        raise _fail(name, f"Must be at least {low}.")
    if high is not None and value > high:
        raise _fail(name, f"Must be at most {high}.")
    return value


def int_list(query: QueryDict, name: str, low: int = 1, high: int = MAX_ID) -> list[int]:
    values = _values(query, name)
    if len(values) > MAX_LIST_ITEMS:
        raise _fail(name, f"Give at most {MAX_LIST_ITEMS} values.")
    # Deduplicated but in the given order, so the SQL stays small.
    return list(dict.fromkeys(_to_int(name, raw, low, high) for raw in values))


def season_list(query: QueryDict, name: str = "seasons") -> list[int]:
    return int_list(query, name, MIN_SEASON, MAX_SEASON)


def season(query: QueryDict, name: str = "season") -> int | None:
    raw = _single(query, name)
    return None if raw is None else _to_int(name, raw, MIN_SEASON, MAX_SEASON)


def date(query: QueryDict, name: str) -> datetime.date | None:
    raw = _single(query, name)
    if raw is None:
        return None
    try:
        if not _DATE.fullmatch(raw):
            raise ValueError
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise _fail(name, f"{raw[:40]!r} is not a date in YYYY-MM-DD format.") from None


def date_range(query: QueryDict) -> tuple[datetime.date | None, datetime.date | None]:
    # A start after the end is a valid, empty range: it selects nothing.
    return date(query, "start_date"), date(query, "end_date")


def per_page(query: QueryDict) -> int:
    """per_page (balldontlie) or limit (the seed), 1 to MAX_PER_PAGE as the spec says.

    Both are checked whenever they are sent; per_page wins when both are.
    """
    sizes = {}
    for name in ("per_page", "limit"):
        raw = _single(query, name)
        if raw is not None:
            sizes[name] = _to_int(name, raw, 1, MAX_PER_PAGE)
    return sizes.get("per_page", sizes.get("limit", DEFAULT_PER_PAGE))


def cursor(query: QueryDict) -> int:
    raw = _single(query, "cursor")
    return 0 if raw is None else _to_int("cursor", raw, 0, MAX_ID)


def text(query: QueryDict, name: str) -> str | None:
    raw = _single(query, name)
    if raw is None:
        return None
    if len(raw) > MAX_QUERY_LENGTH:
        raise _fail(name, f"Must be at most {MAX_QUERY_LENGTH} characters.")
    # Postgres refuses NUL in text; other control characters are never part of a name.
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in raw):
        raise _fail(name, "Must not contain control characters.")
    return raw.strip() or None
