"""Inserting several new rows in one round trip to PostgreSQL.

A registration inserts its row and its confirmation's outbox row while every other registration
for the session waits for its lock; each round trip there is a wait for the database and, on a
busy machine, for the CPU after it. Django has no way to send two models' inserts at once
(``bulk_create`` takes one model), so ``insert_together`` builds each ``INSERT`` with the ORM's
own compiler — the fields' defaults, ``auto_now`` and conversions exactly as ``save()`` applies
them — and sends them as one query (the client-side binding cursor Django uses on psycopg 3 runs
several statements in one execute). ``pre_save`` and ``post_save`` are sent as ``save()`` sends
them, so the cache invalidation and every other receiver see the rows as usual. Elsewhere
(SQLite) each row is saved in turn.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery


def insert_together(*objs: Model, using: str = DEFAULT_DB_ALIAS) -> None:
    """Insert ``objs`` — new instances of models without parents, primary keys set (one without
    a key must come last) — in one round trip on PostgreSQL, in turn elsewhere, inside the
    caller's transaction."""
    connection = connections[using]
    if connection.vendor != "postgresql" or len(objs) < 2:
        for obj in objs:
            obj.save(force_insert=True, using=using)
        return
    statements, params = [], []
    for n, obj in enumerate(objs):
        model = type(obj)
        if model._meta.parents or (obj.pk is None and n < len(objs) - 1):
            raise ValueError(f"insert_together cannot insert {model.__name__} here")
        pre_save.send(sender=model, instance=obj, raw=False, using=using, update_fields=None)
        key_set = obj.pk is not None
        fields = [f for f in model._meta.local_concrete_fields if not f.generated and (key_set or not f.primary_key)]
        query = InsertQuery(model)
        query.insert_values(fields, [obj])
        compiler = query.get_compiler(using=using)
        if not key_set:
            compiler.returning_fields = [model._meta.pk]
        ((sql, values),) = compiler.as_sql()
        statements.append(sql)
        params.extend(values)
    with connection.cursor() as cursor:
        cursor.execute("; ".join(statements), params)
        if objs[-1].pk is None:
            for _ in statements[1:]:
                cursor.nextset()  # on to the last statement's result: the key it returned
            objs[-1].pk = cursor.fetchone()[0]
    for obj in objs:
        obj._state.adding = False
        obj._state.db = using
        post_save.send(sender=type(obj), instance=obj, created=True, update_fields=None, raw=False, using=using)
