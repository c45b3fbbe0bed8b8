"""Release months: parsing ``YYYY-MM``, their UTC bounds, and which month a scheduled run releases."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from prefloop.curator.releases.errors import ReleaseInputError

__all__ = ["month_bounds", "month_of", "parse_month", "previous_month"]

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str) -> tuple[int, int]:
    """``"2026-10"`` -> ``(2026, 10)``; anything else raises :class:`ReleaseInputError`."""
    match = _MONTH.match(value or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ReleaseInputError(f"month {value!r} is not YYYY-MM (e.g. 2026-10)", value=value)
    return int(match.group(1)), int(match.group(2))


def month_bounds(value: str) -> tuple[datetime, datetime]:
    """The month's ``[start, end)`` in UTC."""
    year, month = parse_month(value)
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def month_of(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return f"{moment.year:04d}-{moment.month:02d}"


def previous_month(moment: datetime) -> str:
    """The month before the one ``moment`` falls in: what a run on the 1st releases."""
    moment = moment.astimezone(UTC)
    year, month = (moment.year - 1, 12) if moment.month == 1 else (moment.year, moment.month - 1)
    return f"{year:04d}-{month:02d}"
