"""The audit log: every consequential thing a coordinator does (moving or cancelling a session,
messaging registrants, exporting registrations, recording attendance, answering a personal-data
request) leaves one ``AuditEntry``, written by ``record`` in the caller's transaction.

What an entry may hold: who (the account, and its name as text so the entry survives the
account), the action, the target record (content type, id and a short label) and ``detail`` —
counts and formats only, never a registrant's name, address or answers. Pass ``label=`` for a
target whose ``str()`` names a person (a registration).

Retention: entries are deleted ``RETENTION_AUDIT_DAYS`` (by default two years) after they were
written, by the daily retention run (``portal.privacy.apply_retention``, through the holder this
module registers with ``core.personal_data``). A coordinator's own address (in ``actor_label``,
or as the email of the ``actor`` account) is exported, and the entries made anonymous, with their
personal data.

Stock Django's ``LogEntry`` records admin form saves only, not actions done through services or
downloads, and cannot be scoped or expired on its own; hence this table.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from . import personal_data
from .models import AuditAction, AuditEntry

Action = AuditAction


def actor_label(actor: Any) -> str:
    """The account as text (its username, which is the login address or name); "" for none."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ""
    return str(actor.get_username())[:254]


def record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    detail: dict[str, Any] | None = None,
    label: str | None = None,
) -> AuditEntry:
    """Write one entry: ``actor`` is a user (``None`` or an anonymous user for the site itself),
    ``action`` an ``AuditAction``, ``target`` the record acted on (its label defaults to
    ``str(target)``; give ``label`` when that would name a person), ``detail`` JSON-ready counts."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=user,
        actor_label=actor_label(user),
        action=str(action),
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None and target.pk is not None else "",
        target_label=(label if label is not None else str(target) if target is not None else "")[:200],
        detail=detail or {},
    )


def _by(email: str) -> Q:
    """The entries a person made: recorded under their address as the account name, or by the
    account that has their address (its username may be something else)."""
    return Q(actor_label__iexact=email) | Q(actor__email__iexact=email)


class AuditLog(personal_data.PersonalData):
    """The log holds coordinators' account names (often their address), nothing of registrants."""

    def export(self, email: str) -> dict[str, list[dict[str, Any]]]:
        entries = AuditEntry.objects.filter(_by(email)).order_by("at", "id")
        return {
            "audit_log": [
                {"at": e.at, "action": e.action, "target": e.target_label, "detail": e.detail} for e in entries
            ]
        }

    def erase(self, email: str) -> personal_data.Erasure:
        """The entries stay (what was done is the network's record), without the address."""
        count = AuditEntry.objects.filter(_by(email)).update(actor_label="", actor=None)
        return personal_data.Erasure(counts={"audit entries made anonymous": count})

    def apply_retention(self, *, now: datetime) -> dict[str, int]:
        cutoff = now - timedelta(days=settings.RETENTION_AUDIT_DAYS)
        deleted, _ = AuditEntry.objects.filter(at__lt=cutoff).delete()
        return {"audit_entries_deleted": deleted}


personal_data.register(AuditLog())
