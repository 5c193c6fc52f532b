"""``core.db.insert_together``: rows of two models inserted as ``save()`` would insert them —
defaults, ``auto_now``, JSON, signals — in one round trip on PostgreSQL."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.db.models import Value
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext

from core.db import insert_together
from events.models import Registration
from outbox.models import OutgoingEmail
from tests.events.factories import SessionFactory

pytestmark = pytest.mark.django_db


def _next_registration_id() -> int:
    if connection.vendor != "postgresql":
        return (Registration.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Registration._meta.db_table])
        return cursor.fetchone()[0]


def test_two_models_rows_go_in_as_save_would_put_them_and_signals_are_sent():
    session = SessionFactory()
    registration = Registration(
        pk=_next_registration_id(), session=session, name="Ana Novak", email="ana@example.org",
        consent_text="I agree.", status=Registration.Status.CONFIRMED, answers={"7": ["č", "ž"]},
    )
    email = OutgoingEmail(to="ana@example.org", subject="Hello", body_text="Hi", render_args={"id": registration.pk},
                          idempotency_key=f"test:{registration.pk}")
    saved = []

    def receiver(sender, instance, created, **kwargs):
        saved.append((sender.__name__, instance.pk, created))

    post_save.connect(receiver, weak=False, dispatch_uid="test-insert-together")
    try:
        with CaptureQueriesContext(connection) as queries:
            insert_together(registration, email)
    finally:
        post_save.disconnect(dispatch_uid="test-insert-together")
    assert email.pk is not None, "the last row's key is read back"
    assert saved == [("Registration", registration.pk, True), ("OutgoingEmail", email.pk, True)]
    if connection.vendor == "postgresql":
        assert len(queries) == 1, "one round trip"
    stored = Registration.objects.get(pk=registration.pk)
    assert (stored.name, stored.answers, stored.session_id) == ("Ana Novak", {"7": ["č", "ž"]}, session.pk)
    assert stored.updated_at is not None and stored.public_id == registration.public_id
    assert OutgoingEmail.objects.get(pk=email.pk).render_args == {"id": registration.pk}
    assert not registration._state.adding and not email._state.adding


@pytest.mark.skipif(connection.vendor != "postgresql", reason="elsewhere the rows are saved in turn")
def test_a_row_without_a_key_can_only_come_last():
    session = SessionFactory()
    first = Registration(session=session, name="A", email="a@example.org", consent_text="ok", status="confirmed")
    second = OutgoingEmail(to="a@example.org", subject="Hello", body_text="Hi")
    with pytest.raises(ValueError):
        insert_together(first, second)
    assert not Registration.objects.exists() and not OutgoingEmail.objects.exists()


def test_a_cached_insert_is_the_statement_and_parameters_the_compiler_makes():
    from django.db.models.sql import InsertQuery

    from core.db import _STATEMENTS, _insert_fields, _insert_statement

    session = SessionFactory()
    _STATEMENTS.clear()
    rows = [
        Registration(pk=_next_registration_id() + n, session=session, name=f"Ana {n}", email=f"ana{n}@example.org",
                     consent_text="I agree.", status=Registration.Status.CONFIRMED, answers={"7": ["č"]})
        for n in range(2)
    ]
    with time_machine.travel("2026-11-30 12:00:00+00:00", tick=False):  # auto_now takes the same moment
        statements = [_insert_statement(row, connection) for row in rows]  # the first compiles, the second reuses
        assert len(_STATEMENTS) == 1
        query = InsertQuery(Registration)
        query.insert_values(_insert_fields(Registration, True), [rows[1]])
        ((sql, params),) = query.get_compiler(connection=connection).as_sql()
    assert statements[1][0] == sql
    assert [str(p) for p in statements[1][1]] == [str(p) for p in params]


def test_a_row_with_an_expression_is_compiled_afresh_and_stored_as_the_database_computes_it():
    from django.db.models.functions import Lower

    from core.db import _STATEMENTS, sends_together

    def pair(address, **email_fields):
        registration = Registration(pk=_next_registration_id(), session=SessionFactory(), name="B", email=address,
                                    consent_text="ok", status="confirmed")
        return registration, OutgoingEmail(**{"to": address, "subject": "Plain", "body_text": "Hi", **email_fields})

    _STATEMENTS.clear()
    insert_together(*pair("a@example.org"))  # on PostgreSQL, compiles and keeps the plain email row's INSERT
    plain = {key: sql for key, sql in _STATEMENTS.items() if key[0] is OutgoingEmail}
    if sends_together(connection):
        assert len(plain) == 1 and "LOWER" not in next(iter(plain.values())).upper()
    with CaptureQueriesContext(connection) as queries:
        insert_together(*pair("b@example.org", subject=Lower(Value("SHOUTED"))))
        insert_together(*pair("c@example.org"))
    assert OutgoingEmail.objects.get(to="b@example.org").subject == "shouted"
    assert OutgoingEmail.objects.get(to="c@example.org").subject == "Plain"
    assert {key: sql for key, sql in _STATEMENTS.items() if key[0] is OutgoingEmail} == plain, (
        "the expression's statement is not kept for later plain rows"
    )
    if sends_together(connection):
        expression_sql, plain_sql = [
            query["sql"] for query in queries if '"outbox_outgoingemail"' in query["sql"]  # the pairs' one queries
        ]
        assert "LOWER" in expression_sql.upper() and "LOWER" not in plain_sql.upper()
