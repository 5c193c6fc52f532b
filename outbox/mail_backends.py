"""The embedded default's email backend: each message printed to the console and kept as an
``.eml`` file under ``var/mail/`` where a newcomer can open it. Django's own file backend appends
every message of a connection to one log file; one file per message is easier to find and read."""

from __future__ import annotations

import re
import sys
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage


class ConsoleAndFileBackend(BaseEmailBackend):
    def send_messages(self, email_messages: list[EmailMessage]) -> int:
        folder = Path(settings.EMAIL_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            raw = message.message().as_bytes(linesep="\n")
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
            slug = re.sub(r"[^a-z0-9]+", "-", message.subject.lower()).strip("-")[:50] or "message"
            (folder / f"{stamp}-{slug}.eml").write_bytes(raw)
            stream = sys.stdout
            stream.write(raw.decode("utf-8", errors="replace"))
            stream.write("\n" + "-" * 79 + "\n")
            stream.flush()
            sent += 1
        return sent
