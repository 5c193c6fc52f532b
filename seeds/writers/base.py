"""Shared plumbing for seed writers: the ``Report`` the command prints and ``upsert``.

``upsert`` is the one way a writer stores an imported record. Its rule (the "never overwrite a
coordinator's edit" rule): ``ImportedRecord.imported_values`` remembers, per field, the value the
loader last wrote. On a later import a field is only changed while its current value still equals
that remembered value; once someone has edited it in the admin, imports leave it alone for good.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from portal.models import ImportedRecord

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
) -> M:
    """Create or update the ``model`` row whose ``source_key`` is given; return it.

    - ``values``: concrete (non-M2M) fields the import owns. On creation all are set; on update a
      field is changed only while it still holds the value last imported (see module docstring).
      A field the previous import did not own is filled only if it is still empty.
    - ``create_only``: fields set when the row is created and never touched again (a slug, say).
    - Counts one of created / updated / skipped in ``report`` under the model's label.
    Must be called inside the caller's transaction; takes a row lock on PostgreSQL.
    """
    obj = model.objects.select_for_update().filter(source_key=source_key).first()
    if obj is None:
        obj = model(source_key=source_key, source=source, **(create_only or {}), **values)
        obj.imported_values = {name: _jsonable(value) for name, value in values.items()}
        obj.save()
        report.count("created", model)
        return obj

    imported = dict(obj.imported_values or {})
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
        obj.save(update_fields=changed)
        # Only bookkeeping changed (e.g. first import after a field was added): not an update.
        real = [c for c in changed if c not in ("imported_values", "source")]
        report.count("updated" if real else "skipped", model)
    else:
        report.count("skipped", model)
    return obj
