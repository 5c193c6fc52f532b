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

An ``INSERT``'s text depends only on its model and columns when every value is a plain value
(no expression) and no field writes a placeholder of its own: it is compiled once per process
(``_STATEMENTS``) and later rows only prepare their values (``save()``'s ``pre_save`` and
``get_db_prep_save``, as the compiler calls them). Compiling it is two fifths of an insert's
CPU, spent under the session lock of every registration.
"""

from __future__ import annotations

import functools
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
        if not _insertable(type(obj)) or (obj.pk is None and n < len(objs) - 1):
            raise ValueError(f"insert_together cannot insert this {type(obj).__name__}")
        obj._prepare_related_fields_for_save(operation_name="insert_together")
    statements, params = [], []
    for obj in objs:
        pre_save.send(sender=type(obj), instance=obj, raw=False, using=using, update_fields=None)
        sql, values = _insert_statement(obj, connection)
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


# (model, database alias, whether the key is set) → the INSERT's text, for rows of plain values.
_STATEMENTS: dict[tuple[type[Model], str, bool], str] = {}


@functools.cache
def _insertable(model: type[Model]) -> bool:
    """A plain model: no parents, no ``save()`` of its own, no field the database fills in but its key."""
    returned = any(f.db_returning and not f.primary_key for f in model._meta.local_concrete_fields)
    return not model._meta.parents and model.save is Model.save and not returned


@functools.cache
def _insert_fields(model: type[Model], key_set: bool) -> tuple[Any, ...]:
    return tuple(f for f in model._meta.local_concrete_fields if not f.generated and (key_set or not f.primary_key))


def _insert_statement(obj: Model, connection: Any) -> tuple[str, list[Any]]:
    """``obj``'s INSERT (returning its key if it has none yet) and its parameters, as the ORM's
    compiler makes them; the text compiled once per model and alias (``_STATEMENTS``)."""
    model, key_set = type(obj), obj.pk is not None
    fields = _insert_fields(model, key_set)
    key = (model, connection.alias, key_set)
    values = [f.pre_save(obj, True) for f in fields]  # as the compiler takes them (auto_now, defaults)
    plain = not any(hasattr(value, "resolve_expression") for value in values)
    sql = _STATEMENTS.get(key) if plain else None
    if sql is not None:
        return sql, [f.get_db_prep_save(value, connection=connection) for f, value in zip(fields, values, strict=True)]
    query = InsertQuery(model)
    query.insert_values(fields, [obj])
    compiler = query.get_compiler(connection=connection)
    if not key_set:
        compiler.returning_fields = [model._meta.pk]
    ((sql, values),) = compiler.as_sql()
    if plain and not any(hasattr(f, "get_placeholder") for f in fields):
        _STATEMENTS[key] = sql
    return sql, list(values)
