"""The registry of personal data: each app says what it holds about people, in its own
``<app>/personal_data.py``, by registering a ``PersonalData`` holder here.

``portal.privacy`` (the site, at the top) discovers every app's module and coordinates access
requests (export), erasure requests (erase, in one transaction) and the daily retention rules,
and keeps a last safety net that scans every column for the address. No app reaches into
another's tables for this, and a new app that stores people's data adds its own holder.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models
from django.forms.models import model_to_dict

# RFC 2606: never deliverable. An anonymised row keeps a unique placeholder address.
ANONYMISED_DOMAIN = "invalid"


@dataclass
class Erasure:
    """What one holder erased: a count per kind of record (labels are shown to the operator),
    and the records it kept but blanked, as ``app.Model#pk``."""

    counts: dict[str, int] = field(default_factory=dict)
    blanked: list[str] = field(default_factory=list)


class PersonalData:
    """What one app holds about people. Subclass it in ``<app>/personal_data.py`` and
    ``register`` an instance. Every method receives a normalised address (``normalise_email``)."""

    def export(self, email: str) -> dict[str, list[dict[str, Any]]]:
        """Everything held about ``email``: section name → JSON-ready rows."""
        return {}

    def erase(self, email: str) -> Erasure:
        """Delete or anonymise everything held about ``email``. Runs inside the coordinator's
        transaction, together with every other holder's erase."""
        return Erasure()

    def apply_retention(self, *, now: datetime) -> dict[str, int]:
        """Apply this app's retention rules; returns a count per rule. Runs in its own transaction."""
        return {}


_holders: list[PersonalData] = []


def register(holder: PersonalData) -> PersonalData:
    """Add an app's holder (idempotent per class, so a re-imported module adds nothing)."""
    if not any(type(existing) is type(holder) for existing in _holders):
        _holders.append(holder)
    return holder


def holders() -> list[PersonalData]:
    return list(_holders)


def rows(objects: Iterable[models.Model], *, exclude: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Model instances as JSON-ready dictionaries of their concrete fields (and ``id``)."""
    skipped = set(exclude)
    result = []
    for obj in objects:
        data = model_to_dict(obj, fields=[f.name for f in obj._meta.concrete_fields if f.name not in skipped])
        data["id"] = obj.pk
        result.append(data)
    return result
