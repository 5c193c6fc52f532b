"""One way to write a zone, on pages, in emails and in the visitor-time script."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from core.zones import utc_offset, zone_label, zone_short


@pytest.mark.parametrize(
    ("zone", "month", "label", "short"),
    [
        ("Europe/Ljubljana", 1, "CET (UTC+1)", "CET"),
        ("Europe/Ljubljana", 7, "CEST (UTC+2)", "CEST"),
        ("America/New_York", 1, "EST (UTC-5)", "EST"),
        ("Asia/Dubai", 1, "UTC+4", "UTC+4"),
        ("Asia/Kolkata", 1, "IST (UTC+5:30)", "IST"),
        ("Asia/Kathmandu", 1, "UTC+5:45", "UTC+5:45"),
        ("UTC", 1, "UTC", "UTC"),
    ],
)
def test_zones_are_written_one_way(zone, month, label, short):
    moment = datetime(2031, month, 15, 12, 0, tzinfo=ZoneInfo(zone))
    assert (zone_label(moment), zone_short(moment)) == (label, short)
    assert utc_offset(moment).startswith("UTC")
