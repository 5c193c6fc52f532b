from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from seeds.loader import SeedFileError, default_paths, load_paths


class Command(BaseCommand):
    help = (
        "Import seed documents (default: every seeds/*.txt). Idempotent: upserts by stable key and "
        "never overwrites a field a coordinator has edited."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="*", type=Path, help="Seed documents (UTF-8 text).")

    def handle(self, *args, paths: list[Path], **options) -> None:
        paths = paths or default_paths()
        if not paths:
            raise CommandError("No seed documents found in seeds/ (expected *.txt files).")
        try:
            report = load_paths(paths)
        except SeedFileError as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Loaded {len(paths)} document(s)."))
