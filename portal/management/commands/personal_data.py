"""``manage.py personal_data export EMAIL`` / ``erase EMAIL``: a data subject's access and erasure
requests (GDPR Articles 15 and 17). ``portal.privacy`` coordinates every app's ``personal_data`` module."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import validate_email

from portal import privacy


class Command(BaseCommand):
    help = "Export (as JSON on stdout) or erase everything the portal holds about an email address."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["export", "erase"])
        parser.add_argument("email")

    def handle(self, *args: Any, action: str, email: str, **options: Any) -> None:
        email = email.strip()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not an email address.") from None
        if action == "export":
            data = privacy.export_personal_data(email=email)
            self.stdout.write(json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False))
            return
        result = privacy.erase_personal_data(email=email)
        for label, count in result.counts.items():
            self.stdout.write(f"{label}: {count}")
        for record in result.blanked:
            self.stdout.write(f"archived and blanked: {record}")
        if result.remaining:
            self.stderr.write(
                "The address is still held in (no app registers these rows; remove them by hand in the admin):\n  "
                + "\n  ".join(result.remaining)
            )
