"""Sending several statements to PostgreSQL in one round trip.

A registration takes its session's lock, counts the seats, inserts its row and its
confirmation's outbox row while every other registration for the session waits for that lock;
each round trip there is a wait for the database and, on a busy machine, for the CPU after it.
Django has no way to send two models' inserts at once (``bulk_create`` takes one model), nor
several queries in one execute. Django's psycopg 3 cursor binds parameters on the client and
uses PostgreSQL's simple query protocol, which runs several statements sent as one query, each
with its own snapshot (``sends_together``). ``insert_together`` builds each ``INSERT`` with the
ORM's own compiler — the fields' defaults, ``auto_now`` and conversions exactly as ``save()``
applies them — and sends them as one query. Elsewhere (SQLite, a server-side binding
configuration) each row is saved in turn.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery


def sends_together(connection: Any) -> bool:
    """Whether ``connection`` runs several statements sent in one execute: PostgreSQL through
    psycopg 3 with client-side binding (Django's default there)."""
    if connection.vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3 and connection.settings_dict.get("OPTIONS", {}).get("server_side_binding") is not True


def insert_together(*objs: Model, using: str = DEFAULT_DB_ALIAS) -> None:
    """Insert ``objs``, new instances, in one round trip where the connection ``sends_together``
    (in turn elsewhere), inside the caller's transaction. Every primary key must be set but the
    last one's, which is read back. For plain models only: no parents, no ``save()`` of their
    own (it would be bypassed), no other field the database fills in. ``pre_save`` is sent for
    each before the query, ``post_save`` (``created=True``) for each after it."""
    connection = connections[using]
    if not sends_together(connection) or len(objs) < 2:
        for obj in objs:
            obj.save(force_insert=True, using=using)
        return
    for n, obj in enumerate(objs):
        model = type(obj)
        returned = [f for f in model._meta.local_concrete_fields if f.db_returning and not f.primary_key]
        if model._meta.parents or model.save is not Model.save or returned or (obj.pk is None and n < len(objs) - 1):
            raise ValueError(f"insert_together cannot insert this {model.__name__}")
        obj._prepare_related_fields_for_save(operation_name="insert_together")
    statements, params = [], []
    for obj in objs:
        model = type(obj)
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
