"""English: "4 March 2024", "Monday, 14 December 2026, 10:00" (day before month, as readers in
Europe expect, and a 24-hour clock like the Slovenian pages)."""

from django.conf.locale.en.formats import *  # noqa: F403 — Django's English formats, then ours

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "l, j F Y, H:i"
MONTH_DAY_FORMAT = "j F"
