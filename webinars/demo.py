"""Demo data for ``make run``: three future sessions of the seed webinar with a demo Zoom link,
so a newcomer can register end to end and read the emails under ``var/mail/``. Idempotent:
sessions are found again by their start; nothing is created twice."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from events.models import Session

from .models import Meeting, Webinar

DEMO_TIME_ZONE = "Europe/Ljubljana"
DEMO_DAYS_AHEAD = (14, 21, 28)
DEMO_CAPACITY = 100


def load(*, stdout: TextIO) -> None:
    webinar = Webinar.objects.select_related("event").filter(source_key__startswith="webinar:").order_by("pk").first()
    if webinar is None:
        stdout.write("No seed webinar yet (run `manage.py load_seeds` first); no demo webinar dates added.\n")
        return
    zone = zoneinfo.ZoneInfo(DEMO_TIME_ZONE)
    today = timezone.localdate(timezone.now(), zone)
    minutes = webinar.duration_minutes or 90
    with transaction.atomic():
        existing_future = Session.objects.filter(event=webinar.event, is_demo=True, start__gt=timezone.now())
        if existing_future.count() >= len(DEMO_DAYS_AHEAD):
            stdout.write(f"Demo webinar dates already present for “{webinar.event.title}”.\n")
            return
        created = 0
        for days in DEMO_DAYS_AHEAD:
            start = datetime.combine(today + timedelta(days=days), time(10, 0), tzinfo=zone)
            session, made = Session.objects.get_or_create(
                event=webinar.event,
                start=start,
                defaults={
                    "end": start + timedelta(minutes=minutes),
                    "time_zone": DEMO_TIME_ZONE,
                    "capacity": DEMO_CAPACITY,
                    "is_demo": True,
                },
            )
            created += made
            # Written directly, not through webinars.services.set_meeting: a new demo session
            # has no registrants to tell.
            Meeting.objects.get_or_create(
                session=session,
                defaults={
                    "join_url": f"https://zoom.example/j/{8_000_000_000 + session.pk}",
                    "meeting_id": f"800 000 {session.pk:04d}",
                    "passcode": f"demo{session.pk:04d}",
                },
            )
    stdout.write(f"Demo webinar dates for “{webinar.event.title}”: {created} added (demo Zoom links).\n")
