"""Shared plumbing for seed writers: the ``Report`` the command prints and ``upsert``.

``upsert`` is the one way a writer stores an imported record. Its rule (the "never overwrite a
coordinator's edit" rule): ``ImportedRecord.imported_values`` remembers, per field, the value the
loader last wrote. On a later import a field is only changed while its current value still equals
that remembered value; once someone has edited it in the admin, imports leave it alone for good.

The seeds are English: a text that has a value per language (``core.content``) is written as its
English value (``name_en``), so a Slovenian value a coordinator entered is never touched.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DataError, IntegrityError, models
from django.db.models import Q
from django.utils import translation

from core.content import translated_fields
from core.models import ImportedRecord

M = TypeVar("M", bound=ImportedRecord)


@dataclass
class Report:
    """What one ``load_seeds`` run did, counted per model label ("network.Partner").

    ``skipped`` counts records that needed no change (or whose every changed field had been
    edited by a coordinator); ``kept_edits`` lists ``label:key:field`` for fields an import did not
    overwrite because a coordinator had edited them.
    """

    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    skipped: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    kept_edits: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, outcome: str, model: type[models.Model] | str) -> None:
        label = model if isinstance(model, str) else model._meta.label
        getattr(self, outcome)[label] += 1

    @property
    def total_created(self) -> int:
        return sum(self.created.values())

    @property
    def total_updated(self) -> int:
        return sum(self.updated.values())

    @property
    def total_skipped(self) -> int:
        return sum(self.skipped.values())

    def lines(self) -> list[str]:
        labels = sorted({*self.created, *self.updated, *self.skipped})
        out = [
            f"{label}: {self.created.get(label, 0)} created, {self.updated.get(label, 0)} updated, "
            f"{self.skipped.get(label, 0)} skipped"
            for label in labels
        ]
        out.append(
            f"Total: {self.total_created} created, {self.total_updated} updated, {self.total_skipped} skipped"
        )
        out += [f"Kept a coordinator's edit: {k}" for k in self.kept_edits]
        out += self.notes
        return out


def _jsonable(value: Any) -> Any:
    """The form in which a value is remembered in ``imported_values`` (tuples → lists, dates → ISO)."""
    if isinstance(value, models.Model):
        return value.pk
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def upsert(
    model: type[M],
    *,
    source_key: str,
    source: str,
    values: dict[str, Any],
    report: Report,
    create_only: dict[str, Any] | None = None,
    adopt_by: tuple[str, ...] = (),
) -> M:
    """Create or update the ``model`` row whose ``source_key`` is given; return it.

    - ``values``: concrete (non-M2M) fields the import owns. On creation all are set; on update a
      field is changed only while it still holds the value last imported (see module docstring).
      A field the previous import did not own is filled only if it is still empty.
    - ``create_only``: fields set when the row is created and never touched again (a slug, say).
    - ``adopt_by``: names of ``create_only``/``values`` fields (a unique slug, say) by which a row a
      coordinator created by hand, without a source key, is *adopted* instead of clashing with it:
      it gets the source key, and every field it already holds a value for counts as the
      coordinator's edit (kept now and on every later import); only its empty fields are filled.
    - Counts one of created / updated / skipped in ``report`` under the model's label.
    - A row the database refuses (a unique or check constraint, a value too long) raises
      ``SeedRecordError`` naming the model and the source key.
    Must be called inside the caller's transaction; takes a row lock on PostgreSQL.
    """
    english = _in_english(model)
    try:
        with translation.override(SEED_LANGUAGE):
            return _upsert(model, source_key=source_key, source=source, values=english(values), report=report,
                           create_only=english(create_only or {}), adopt_by=tuple(english(dict.fromkeys(adopt_by))))
    except (IntegrityError, DataError) as exc:
        raise SeedRecordError(f"{model._meta.label} {source_key!r}: the database refused it ({exc})") from exc


# The language the seed documents are written in.
SEED_LANGUAGE = "en"


def _in_english(model: type[models.Model]):
    """Renames a translated field to its English column ("name" -> "name_en") in a dict."""
    translated = translated_fields(model)

    def rename(fields: dict[str, Any]) -> dict[str, Any]:
        return {f"{name}_{SEED_LANGUAGE}" if name in translated else name: value for name, value in fields.items()}

    return rename


def _with_originals(model: type[models.Model], changed: list[str]) -> list[str]:
    """``update_fields`` plus the original column of each translated field written (modeltranslation
    keeps it, and its constraints, in step with the active language: English here)."""
    suffix = f"_{SEED_LANGUAGE}"
    originals = [name[: -len(suffix)] for name in changed if name.endswith(suffix)]
    return [*changed, *(name for name in originals if name in translated_fields(model))]


def _english_keys(model: type[models.Model], imported: dict[str, Any]) -> dict[str, Any]:
    """``imported_values`` with a translated field's key as its English column: a row imported
    before the field had a value per language remembered "name", which is now "name_en"."""
    return _in_english(model)(dict(imported))


class SeedRecordError(Exception):
    """A record the database refused; the message names the model and the record's source key."""


def _adoptable(model: type[M], *, lookup: dict[str, Any]) -> M | None:
    """A row without a source key matching ``lookup`` (one created by hand in the admin)."""
    if not lookup:
        return None
    unkeyed = Q(source_key__isnull=True) | Q(source_key="")
    return model.objects.select_for_update().filter(unkeyed, **lookup).first()


def _upsert(
    model: type[M],
    *,
    source_key: str,
    source: str,
    values: dict[str, Any],
    report: Report,
    create_only: dict[str, Any],
    adopt_by: tuple[str, ...],
) -> M:
    obj = model.objects.select_for_update().filter(source_key=source_key).first()
    if obj is None:
        fields = {**create_only, **values}
        obj = _adoptable(model, lookup={name: fields[name] for name in adopt_by})
        if obj is not None:
            return _adopt(obj, source_key=source_key, source=source, values=values, report=report)
        obj = model(source_key=source_key, source=source, **fields)
        obj.imported_values = {name: _jsonable(value) for name, value in values.items()}
        obj.save()
        report.count("created", model)
        return obj

    imported = _english_keys(model, obj.imported_values or {})
    changed: list[str] = []
    for name, new_value in values.items():
        current = _jsonable(getattr(obj, name))
        new = _jsonable(new_value)
        if name in imported:
            if current != imported[name]:
                if current != new:
                    report.kept_edits.append(f"{model._meta.label}:{source_key}:{name}")
                continue  # edited by a coordinator: theirs wins, for good
        elif current not in (None, "", [], {}) and current != new:
            continue  # a value the import never owned: leave it
        if current != new:
            setattr(obj, name, new_value)
            changed.append(name)
        if imported.get(name) != new:
            imported[name] = new
            if "imported_values" not in changed:
                changed.append("imported_values")
    if obj.source != source and not obj.source:
        obj.source = source
        changed.append("source")
    if changed:
        obj.imported_values = imported
        obj.save(update_fields=_with_originals(model, changed))
        # Only bookkeeping changed (e.g. first import after a field was added): not an update.
        real = [c for c in changed if c not in ("imported_values", "source")]
        report.count("updated" if real else "skipped", model)
    else:
        report.count("skipped", model)
    return obj


def _adopt(obj: M, *, source_key: str, source: str, values: dict[str, Any], report: Report) -> M:
    """Give a hand-made row the source key. Its non-empty fields are the coordinator's: they are
    remembered as edited (``imported_values`` holds the imported value, which differs), so no
    import overwrites them; its empty fields are filled and owned by the import from now on."""
    model = type(obj)
    imported: dict[str, Any] = {}
    changed = ["source_key", "source", "imported_values"]
    for name, new_value in values.items():
        current = _jsonable(getattr(obj, name))
        new = _jsonable(new_value)
        imported[name] = new
        if current in (None, "", [], {}) and current != new:
            setattr(obj, name, new_value)
            changed.append(name)
        elif current != new:
            report.kept_edits.append(f"{model._meta.label}:{source_key}:{name}")
    obj.source_key, obj.source, obj.imported_values = source_key, source, imported
    obj.save(update_fields=_with_originals(model, changed))
    report.count("updated", model)
    report.notes.append(
        f"Adopted {model._meta.label} #{obj.pk} ({obj}), created by hand, as {source_key!r}; its own values are kept."
    )
    return obj
