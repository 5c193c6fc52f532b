"""How a time's zone is written, the same on pages, in emails and in the script that adds the
visitor's own time: "CET (UTC+1)", "UTC+5:30", "EET"; and whether a zone's name is one this
server knows (``zone_or_none``)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone_or_none(name: str) -> ZoneInfo | None:
    """The time zone ``name`` names ("Europe/Ljubljana"), or None when it is empty or names no
    zone this server knows (a typo, a path, a folder of the tz database such as "Europe")."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def utc_offset(moment: datetime) -> str:
    """The UTC offset of an aware datetime: "UTC+1", "UTC-5", "UTC+5:30", "UTC+0"."""
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_short(moment: datetime) -> str:
    """The zone's abbreviation ("CET", "EEST"), or its offset where it has none ("UTC+4" for
    the tz database's "+04"); "UTC" for UTC."""
    abbreviation = moment.tzname() or ""
    if abbreviation and abbreviation[0] not in "+-":
        return abbreviation
    return utc_offset(moment)


def zone_label(moment: datetime) -> str:
    """The zone as the pages write a session's: "CET (UTC+1)"; the offset alone where the zone
    has no abbreviation ("UTC+4" rather than "+04 (UTC+4)"), "UTC" for UTC."""
    abbreviation = moment.tzname() or ""
    offset = utc_offset(moment)
    if abbreviation in ("UTC", "") or abbreviation[0] in "+-":
        return "UTC" if abbreviation == "UTC" and offset == "UTC+0" else offset
    return f"{abbreviation} ({offset})"
