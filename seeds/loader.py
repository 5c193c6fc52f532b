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
from django.utils import translation
from django.utils.module_loading import import_string

from network.models import Partner
from seeds import writers
from seeds.parser import (
    ParsedContact,
    ParsedNewsItem,
    ParsedPartner,
    ParsedPartnersPage,
    SeedFormatError,
    parse_document,
)
from seeds.writers.base import SEED_LANGUAGE, Report, SeedRecordError
from seeds.writers.network import partner_source_key

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


ParsedDocument = ParsedPartnersPage | ParsedNewsItem


def parse_paths(paths: Iterable[Path]) -> list[tuple[Path, ParsedDocument]]:
    """Read and parse every path; raise ``SeedFileError`` on the first bad one."""
    parsed_docs: list[tuple[Path, ParsedDocument]] = []
    for path in paths:
        text = read_document(Path(path))
        try:
            parsed_docs.append((Path(path), parse_document(text)))
        except SeedFormatError as exc:
            raise SeedFileError(f"{path}: {exc}") from exc
    return parsed_docs


def load_parsed(parsed_docs: list[tuple[Path, ParsedDocument]], *, report: Report, dry_run: bool = False) -> Report:
    """Run the writers of every parsed document in one transaction. With ``dry_run`` the
    transaction is rolled back at the end, so ``report`` tells what a real run would do and the
    database is left as it was (``on_commit`` hooks such as queued emails never run).
    The writers run in the seeds' language (English), whatever language is active: a plain
    ``name`` lookup then reads the English column, where the imports are."""
    with transaction.atomic(), translation.override(SEED_LANGUAGE):
        for path, parsed in parsed_docs:
            source = path.name
            for writer in writers_for(parsed):
                try:
                    writer(parsed, source=source, report=report)
                except SeedRecordError as exc:
                    raise SeedFileError(f"{path}: {exc}") from exc
                except (IntegrityError, DataError) as exc:  # a write outside ``upsert`` (links, say)
                    raise SeedFileError(
                        f"{path}: {writer.__module__}.{writer.__name__}: the database refused a record ({exc})"
                    ) from exc
        if dry_run:
            transaction.set_rollback(True)
    return report


def load_paths(paths: Iterable[Path], *, report: Report | None = None, dry_run: bool = False) -> Report:
    """Load every path in order; raise ``SeedFileError`` on the first bad one.

    All files are read and parsed before anything is written, so a bad file among several
    writes nothing at all. ``dry_run``: see ``load_parsed``.
    """
    report = report if report is not None else Report()
    return load_parsed(parse_paths(paths), report=report, dry_run=dry_run)


# ------------------------------------------------------------------------------------------
# What a run would do (``load_seeds --dry-run``)
# ------------------------------------------------------------------------------------------

_EVIDENCE_WORDS = 14


def _opening(text: str, words: int = _EVIDENCE_WORDS) -> str:
    """The first words of a block: where the parser read the partner's name from."""
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def _partner_evidence(partner: ParsedPartner) -> str:
    """The opening of the block the name was read from, then the parser's own account of the
    block boundary and the name (so a reviewer sees the words the reasons are about)."""
    stated = getattr(partner, "evidence", "")  # a parser that explains itself says why
    if isinstance(stated, (tuple, list)):
        stated = "; ".join(str(item) for item in stated)
    return "; ".join(filter(None, [f"name read from: “{_opening(partner.description)}”", str(stated)]))


def _describe_partner(partner: ParsedPartner) -> list[str]:
    key = partner_source_key(partner.key)[:200]
    exists = Partner.objects.filter(source_key=key).exists()
    acronym = f" [{partner.acronym}]" if partner.acronym else ""
    kind = ", ".join(filter(None, [partner.kind, partner.partner_type]))
    lines = [f"  {'update' if exists else 'create'} partner: {partner.name}{acronym} ({kind}) — {key}"]
    lines.append(f"      evidence: {_partner_evidence(partner)}")
    if partner.needs_review:
        lines.append(f"      needs review: {partner.review_reason}")
    return lines


def _describe_contact(contact: ParsedContact) -> list[str]:
    coordinator = " ".join(filter(None, [contact.coordinator_honorific, contact.coordinator_name]))
    person = f"({contact.contact_person})" if contact.contact_person else ""
    facts = [
        ("organisation", contact.organisation),
        ("address", contact.address),
        ("phone", " ".join(filter(None, [contact.phone, person]))),
        ("email", contact.email),
        ("coordinator", ", ".join(filter(None, [coordinator, contact.coordinator_organisation]))),
        ("mailing lists", "; ".join(contact.mailing_lists)),
    ]
    return ["  network contact:"] + [f"      {label}: {value}" for label, value in facts if value]


def describe(path: Path, parsed: ParsedDocument) -> list[str]:
    """Human-readable lines saying what loading ``parsed`` would create or update."""
    if isinstance(parsed, ParsedNewsItem):
        lines = [f"{path.name}: news item “{parsed.title}” ({parsed.category}, {parsed.date.isoformat()})"]
        lines += [f"  organisation named: {name}" for name in parsed.organisations]
        return lines
    lines = [f"{path.name}: partners page, {len(parsed.partners)} partners"]
    for partner in parsed.partners:
        lines += _describe_partner(partner)
    if parsed.contact is not None:
        lines += _describe_contact(parsed.contact)
    return lines
