"""Personal data across the site: access and erasure requests (``manage.py personal_data``) and
the daily retention rules (Celery beat), coordinated over every app's own holder.

Each app says what it holds about people in its ``personal_data`` module, registered with
``core.personal_data`` (discovered here with Django's ``autodiscover_modules``, as the admin finds
``admin`` modules). This module only coordinates: it asks every holder, runs an erasure as one
transaction, and keeps a last safety net that scans every text, character and JSON column of
every table for the address, so that an erasure cannot silently miss a table nobody registered.

Retention (the privacy notice shows the same numbers, read from settings): registrations are
anonymised ``RETENTION_REGISTRATION_DAYS`` after their session; outbox messages lose their bodies
and addresses after ``RETENTION_OUTBOX_DAYS``; sign-ups never confirmed (with their consent
records) and rejected applications are deleted after ``RETENTION_UNCONFIRMED_DAYS``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from core import audit, personal_data
from core.email_address import normalise_email


def discover() -> list[personal_data.PersonalData]:
    """Every installed app's ``personal_data`` module, imported once; their holders."""
    autodiscover_modules("personal_data")
    return personal_data.holders()


def apply_retention(*, now: datetime | None = None) -> dict[str, int]:
    """Every app's retention rules, each app in its own transaction (one failing does not undo
    the others). Returns a count per rule."""
    now = now or timezone.now()
    result: dict[str, int] = {}
    for holder in discover():
        with transaction.atomic():
            result.update(holder.apply_retention(now=now))
    return result


def export_personal_data(*, email: str, actor: Any = None) -> dict[str, Any]:
    """Everything the site holds about ``email`` (case-insensitive), as JSON-ready data. The
    audit log records that an export was made (by ``actor``), with counts, not the address."""
    email = normalise_email(email)
    data: dict[str, Any] = {"email": email, "exported_at": timezone.now()}
    for holder in discover():
        data.update(holder.export(email))
    audit.record(
        actor=actor,
        action=audit.Action.PERSONAL_DATA_EXPORTED,
        detail={"records": sum(len(v) for v in data.values() if isinstance(v, list))},
    )
    return data


@dataclass
class ErasureResult(personal_data.Erasure):
    """Every holder's erasure together, and where the address still appears afterwards
    (``app.Model#pk.field``: rows no app registers, which an administrator removes by hand)."""

    remaining: list[str] = field(default_factory=list)


@transaction.atomic
def erase_personal_data(*, email: str, actor: Any = None) -> ErasureResult:
    """Delete or anonymise everything held about ``email``, in one transaction: every app's
    holder erases its part (see each ``<app>/personal_data.py``), then ``find_address`` lists
    what still mentions the address."""
    email = normalise_email(email)
    if not email:
        raise ValueError("An email address is required.")
    result = ErasureResult()
    for holder in discover():
        erasure = holder.erase(email)
        result.counts.update(erasure.counts)
        result.blanked += erasure.blanked
    result.remaining = find_address(email)
    audit.record(actor=actor, action=audit.Action.PERSONAL_DATA_ERASED, detail=dict(result.counts))
    return result


def find_address(email: str) -> list[str]:
    """Every ``app.Model#pk.field`` whose text, character or JSON column contains ``email``."""
    hits: list[str] = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        text_fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))
        ]
        if not text_fields:
            continue
        query = Q()
        for name in text_fields:
            query |= Q(**{f"{name}__icontains": email})
        rows = model._default_manager.all()
        if hasattr(rows, "rewrite"):  # modeltranslation: every column as stored, no language rewriting
            rows = rows.rewrite(False)
        for pk, *values in rows.filter(query).values_list("pk", *text_fields):
            for name, value in zip(text_fields, values, strict=True):
                if email.lower() in str(value).lower():
                    hits.append(f"{model._meta.label}#{pk}.{name}")
    return hits
