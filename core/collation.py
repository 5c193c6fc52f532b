"""Sorting names in the reader's alphabet, identically on SQLite and PostgreSQL.

Slovenian sorts č after c, š after s and ž after z (c < č < d); English ignores accents; both
ignore case ("Ljubljana" before "LUTRA"). The databases cannot be asked for this portably —
SQLite has no locale collations and PostgreSQL's depend on how the server was built — so a
model stores a sort key per language (``sort_key``), compared code point by code point
(``by_key``: PostgreSQL's "C" collation, SQLite's default BINARY). Written here because
no library builds such keys without ICU, which is not installed on every machine.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from django.db import connection
from django.db.models import F, OrderBy
from django.db.models.functions import Collate

# Letters of an alphabet that sort after their base letter rather than with it: the key
# writes the base letter and then a character above every letter, so that "č" sorts after
# every "c…" and before "d". In the order they follow the base letter.
_SEPARATE_LETTERS = {
    "sl": {"č": "c{", "ć": "c{{", "đ": "d{", "š": "s{", "ž": "z{"},
}
_UNDECOMPOSED = str.maketrans({"đ": "d", "ł": "l", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe"})


def unaccented(text: str) -> str:
    """``text`` in lower case without accents ("Jožef" -> "jozef", "Ørsted" -> "orsted"): what
    the partner search stores and compares (``network.models.normalise_search_text``), and the
    letters a sort key does not keep apart."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_UNDECOMPOSED)


def sort_key(text: str, language: str) -> str:
    """A key whose code-point order is ``text``'s alphabetical order in ``language``."""
    separate = _SEPARATE_LETTERS.get(language, {})
    out = []
    for char in " ".join((text or "").split()).casefold():
        if char in separate:
            out.append(separate[char])
            continue
        out.append(unaccented(char))
    return "".join(out)


def sorted_choices(values: Iterable[str], language: str) -> list[tuple[str, str]]:
    """Form choices for names that are their own labels (the regions of a filter), in
    ``language``'s alphabetical order."""
    return [(value, value) for value in sorted(values, key=lambda value: sort_key(value, language))]


def by_key(field: str, *, descending: bool = False) -> OrderBy:
    """``order_by(by_key("sort_name_sl"))``: the key compared by code point on either database."""
    expression = Collate(F(field), "C") if connection.vendor == "postgresql" else F(field)
    return OrderBy(expression, descending=descending)
