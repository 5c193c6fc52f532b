"""Read seed documents, parse them (``seeds.parser``, no Django) and run the writers.

Each document is read strictly (must exist, be non-empty UTF-8), parsed, then written by the
writers listed in ``seeds.writers`` inside one transaction, so a failing document leaves nothing
half-written. A record the database refuses becomes a ``SeedFileError`` naming the file and the
record (the command turns it into a ``CommandError``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings
from django.db import DataError, IntegrityError, transaction
from django.utils.module_loading import import_string

from seeds import writers
from seeds.parser import ParsedNewsItem, ParsedPartnersPage, SeedFormatError, parse_document
from seeds.writers.base import Report, SeedRecordError

SEEDS_DIR = Path(settings.BASE_DIR) / "seeds"


class SeedFileError(Exception):
    """A seed file that cannot be loaded; the message says which file and why."""


def default_paths() -> list[Path]:
    return sorted(SEEDS_DIR.glob("*.txt"))


def read_document(path: Path) -> str:
    if not path.exists():
        raise SeedFileError(f"{path}: no such file.")
    if not path.is_file():
        raise SeedFileError(f"{path}: not a file.")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SeedFileError(f"{path}: not valid UTF-8 (byte {exc.start}); save the file as UTF-8.") from exc
    if not text.strip():
        raise SeedFileError(f"{path}: the file is empty.")
    return text


def writers_for(parsed: object) -> list[Callable[..., None]]:
    if isinstance(parsed, ParsedPartnersPage):
        paths = writers.PARTNERS_PAGE_WRITERS
    elif isinstance(parsed, ParsedNewsItem):
        paths = writers.NEWS_ITEM_WRITERS
    else:  # pragma: no cover - the parser only returns the two kinds
        raise SeedFileError(f"No writers for {type(parsed).__name__}.")
    return [import_string(p) for p in paths]


def load_paths(paths: Iterable[Path], *, report: Report | None = None) -> Report:
    """Load every path in order; raise ``SeedFileError`` on the first bad one.

    All files are read and parsed before anything is written, so a bad file among several
    writes nothing at all.
    """
    report = report if report is not None else Report()
    parsed_docs = []
    for path in paths:
        text = read_document(Path(path))
        try:
            parsed_docs.append((Path(path), parse_document(text)))
        except SeedFormatError as exc:
            raise SeedFileError(f"{path}: {exc}") from exc
    with transaction.atomic():
        for path, parsed in parsed_docs:
            source = path.name
            for writer in writers_for(parsed):
                try:
                    writer(parsed, source=source, report=report)
                except SeedRecordError as exc:
                    raise SeedFileError(f"{path}: {exc}") from exc
                except (IntegrityError, DataError) as exc:  # a write outside ``upsert`` (links, say)
                    raise SeedFileError(f"{path}: {writer.__module__}.{writer.__name__}: the database refused a record ({exc})") from exc
    return report
