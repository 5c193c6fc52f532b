"""Slovenian: the day with a full stop, the month in the genitive after it ("4. marca 2024"; the
``E`` format character, whose genitive names are in the project's catalogue under the context
"alt. month"), no leading zero, and times with a full stop ("10.00–11.30")."""

from django.conf.locale.sl.formats import *  # noqa: F403 — Django's Slovenian formats, then ours
from django.utils.translation import pgettext_lazy

DATE_FORMAT = "j. E Y"
TIME_FORMAT = "H.i"
DATETIME_FORMAT = "l, j. E Y, H.i"
MONTH_DAY_FORMAT = "j. E"

# The genitive month names are translations of Django's "alt. month" strings; marking them here
# keeps them in the project's catalogue when `make messages` regenerates it (xgettext reads only
# literal strings, so each is written out).
GENITIVE_MONTHS = (
    pgettext_lazy("alt. month", "January"),
    pgettext_lazy("alt. month", "February"),
    pgettext_lazy("alt. month", "March"),
    pgettext_lazy("alt. month", "April"),
    pgettext_lazy("alt. month", "May"),
    pgettext_lazy("alt. month", "June"),
    pgettext_lazy("alt. month", "July"),
    pgettext_lazy("alt. month", "August"),
    pgettext_lazy("alt. month", "September"),
    pgettext_lazy("alt. month", "October"),
    pgettext_lazy("alt. month", "November"),
    pgettext_lazy("alt. month", "December"),
)
