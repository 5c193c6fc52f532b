"""The bytes a worker sends (``delivery.OutboxMessage``, serialised more cheaply) are Django's
own but for the random MIME boundaries, whatever the message holds."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.mail import EmailMultiAlternatives
from hypothesis import given
from hypothesis import strategies as st

from outbox.delivery import OutboxMessage

BOUNDARY = re.compile(rb"={15}\d{19}==")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def both(**kwargs) -> tuple[bytes, bytes]:
    """The message serialised by Django and by the outbox, each as SMTP gets it."""
    html = kwargs.pop("html", "")
    attachments = kwargs.pop("attachments", [])
    result = []
    for cls in (EmailMultiAlternatives, OutboxMessage):
        message = cls(**kwargs)
        if html:
            message.attach_alternative(html, "text/html")
        for attachment in attachments:
            message.attach(*attachment)
        with time_machine.travel(NOW, tick=False):
            result.append(message.message().as_bytes(linesep="\r\n"))
    return result[0], result[1]


def same_but_for_boundaries(django: bytes, outbox: bytes) -> bool:
    boundaries = dict.fromkeys(BOUNDARY.findall(django))
    ours = dict.fromkeys(BOUNDARY.findall(outbox))
    assert len(boundaries) == len(ours), "a boundary per multipart part"
    for theirs, mine in zip(boundaries, ours, strict=True):
        outbox = outbox.replace(mine, theirs)
    return django == outbox


ANNOUNCEMENT = dict(
    subject="Novice: Dan odprtih vrat v laboratoriju za občansko znanost, 4. marca 2024 ob 17.00 (CET)",
    body="Pozdravljeni,\n\nvabimo vas …\n\n-- \nOdjava: https://example.org/sl/odjava/abc/\n",
    from_email="Mreža za občansko znanost <network@example.org>",
    to=["ana.novak@example.org"],
    reply_to=["coordinators@example.org"],
    headers={
        "Message-ID": "<179604443460.9895.1122441941338875071.42@example.org>",
        "List-Unsubscribe": "<https://example.org/sl/mailing/unsubscribe/a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4/>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "X-Bench-Id": "a1",
    },
    html="<p>Pozdravljeni,</p>\n<p>vabimo vas …</p>",
)


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"html": ""},
        {"subject": "Plain ASCII subject", "from_email": "Citizen Science Network <network@localhost>"},
        {"attachments": [("event.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")]},
        {"html": "", "attachments": [("notes.txt", "One\nTwo\n", "text/plain")]},
        {"body": "A line of fifteen equals signs: ===============\n"},  # the generator chooses
        {"body": "x" * 1200},  # a line longer than SMTP allows: quoted-printable
        {"subject": "A subject long enough that its header line must be folded to stay under 78 characters"},
    ],
    ids=["announcement", "text only", "ascii", "calendar", "text attachment", "equals run", "long line", "folded"],
)
def test_the_outbox_sends_djangos_bytes_but_for_the_boundaries(changes):
    django, outbox = both(**{**ANNOUNCEMENT, **changes})
    assert same_but_for_boundaries(django, outbox)


def test_each_message_has_boundaries_of_its_own():
    first, second = both(**ANNOUNCEMENT)[1], both(**ANNOUNCEMENT)[1]
    assert BOUNDARY.findall(first)[0] != BOUNDARY.findall(second)[0]


header_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=120)


@given(subject=header_text, bench_id=header_text, body=st.text(max_size=300), html=st.text(max_size=300))
def test_any_subject_header_and_body_give_djangos_bytes(subject, bench_id, body, html):
    django, outbox = both(
        subject=subject, body=body, html=html, from_email="Mreža <network@example.org>", to=["ana@example.org"],
        headers={"X-Bench-Id": bench_id, "Message-ID": "<1.2.3@example.org>"},
    )
    assert same_but_for_boundaries(django, outbox)
