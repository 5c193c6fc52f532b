from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from seeds.loader import SeedFileError, default_paths, describe, load_parsed, parse_paths
from seeds.writers.base import Report


class Command(BaseCommand):
    help = (
        "Import seed documents (default: every seeds/*.txt). Idempotent: upserts by stable key and "
        "never overwrites a field a coordinator has edited. With --dry-run, print what would be "
        "created or updated (with the evidence for each partner) and write nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="*", type=Path, help="Seed documents (UTF-8 text).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Parse and run the writers in a transaction that is rolled back: nothing is written.",
        )

    def handle(self, *args, paths: list[Path], dry_run: bool = False, **options) -> None:
        paths = paths or default_paths()
        if not paths:
            raise CommandError("No seed documents found in seeds/ (expected *.txt files).")
        try:
            parsed_docs = parse_paths(paths)
            if dry_run:
                # Described before the writers run: "create" or "update" as the database is now.
                for path, parsed in parsed_docs:
                    for line in describe(path, parsed):
                        self.stdout.write(line)
            report = load_parsed(parsed_docs, report=Report(), dry_run=dry_run)
        except SeedFileError as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write(self.style.WARNING(f"Dry run: {len(paths)} document(s) parsed, nothing was written."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Loaded {len(paths)} document(s)."))
