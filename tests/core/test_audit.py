"""The audit log: ``core.audit.record``, its read-only admin for network coordinators alone,
and its retention (old entries deleted by the daily run) and erasure (a coordinator's address)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from core import audit
from core.models import AuditEntry
from events.models import Session
from portal import privacy
from tests.events.factories import SessionFactory

pytestmark = pytest.mark.django_db


def test_record_keeps_who_what_and_the_target(network_coordinator):
    session = SessionFactory()
    entry = audit.record(
        actor=network_coordinator, action=audit.Action.SESSION_CANCELLED, target=session, detail={"told": 3}
    )
    entry.refresh_from_db()
    assert entry.actor == network_coordinator
    assert entry.actor_label == "network.coordinator@example.org"
    assert entry.action == "session_cancelled"
    assert entry.target_type.model_class() is Session and entry.target_id == str(session.pk)
    assert entry.target_label == str(session)
    assert entry.detail == {"told": 3}
    about_session = AuditEntry.objects.filter(target_type=ContentType.objects.get_for_model(session),
                                              target_id=str(session.pk))
    assert list(about_session) == [entry]


def test_the_label_outlives_the_account_and_the_site_itself_has_no_actor(network_coordinator):
    entry = audit.record(actor=network_coordinator, action=audit.Action.REGISTRATIONS_EXPORTED, label="x")
    network_coordinator.delete()
    entry.refresh_from_db()
    assert entry.actor is None and entry.actor_label == "network.coordinator@example.org"
    anonymous = audit.record(actor=AnonymousUser(), action=audit.Action.ATTENDANCE_RECORDED)
    system = audit.record(actor=None, action=audit.Action.ATTENDANCE_RECORDED, detail=None)
    assert (anonymous.actor, anonymous.actor_label, system.detail, system.target_label) == (None, "", {}, "")


def test_the_database_refuses_an_unknown_action():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.create(action="made_up")


# --- The admin ---------------------------------------------------------------------------------


def test_network_coordinators_read_the_log_and_cannot_change_it(network_coordinator_client, network_coordinator):
    entry = audit.record(actor=network_coordinator, action=audit.Action.SESSION_MOVED, label="Workshop · 1 Dec",
                         detail={"told": 37})
    changelist = network_coordinator_client.get(reverse("admin:core_auditentry_changelist"))
    html = changelist.content.decode()
    assert changelist.status_code == 200 and "Workshop · 1 Dec" in html and "registrants told: 37" in html
    index = network_coordinator_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:core_auditentry_changelist") in index
    change = network_coordinator_client.post(reverse("admin:core_auditentry_change", args=[entry.pk]), {"action": "x"})
    assert change.status_code == 403 or AuditEntry.objects.get().action == "session_moved"
    assert network_coordinator_client.get(reverse("admin:core_auditentry_add")).status_code == 403
    delete = network_coordinator_client.post(reverse("admin:core_auditentry_delete", args=[entry.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert AuditEntry.objects.count() == 1


def test_the_detail_is_shown_with_labels_and_an_unknown_key_as_stored(network_coordinator):
    from django.contrib.admin.sites import site
    from django.utils import translation

    entry = audit.record(actor=None, action=audit.Action.ATTENDANCE_RECORDED,
                         detail={"rows": 6, "unmatched_rows": 2, "absent": 1, "something new": 3})
    with translation.override("en"):
        text = site._registry[AuditEntry].detail_text(entry)
    assert text == "rows: 6, unmatched rows: 2, did not attend: 1, something new: 3"
    assert site._registry[AuditEntry].detail_text(audit.record(actor=None, action=audit.Action.SESSION_MOVED)) == "–"


def test_partner_coordinators_get_nothing_even_with_the_permission(client, coordinator_a, partner_a):
    from django.contrib.auth.models import Permission

    coordinator_a.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    entry = audit.record(actor=None, action=audit.Action.SESSION_MOVED, label="Somebody else's workshop")
    client.force_login(coordinator_a)
    assert client.get(reverse("admin:core_auditentry_changelist")).status_code == 403
    assert client.get(reverse("admin:core_auditentry_change", args=[entry.pk])).status_code in (302, 403)
    assert "auditentry" not in client.get(reverse("admin:index")).content.decode()


# --- Retention and erasure -----------------------------------------------------------------------


def test_the_daily_retention_run_deletes_entries_older_than_two_years(settings):
    assert settings.RETENTION_AUDIT_DAYS == 730
    now = timezone.now()
    old = audit.record(actor=None, action=audit.Action.SESSION_MOVED)
    recent = audit.record(actor=None, action=audit.Action.SESSION_MOVED)
    AuditEntry.objects.filter(pk=old.pk).update(at=now - timedelta(days=settings.RETENTION_AUDIT_DAYS + 1))
    AuditEntry.objects.filter(pk=recent.pk).update(at=now - timedelta(days=settings.RETENTION_AUDIT_DAYS - 1))
    result = privacy.apply_retention(now=now)
    assert result["audit_entries_deleted"] == 1
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [recent.pk]


def test_the_retention_period_follows_the_setting(settings):
    settings.RETENTION_AUDIT_DAYS = 30
    entry = audit.record(actor=None, action=audit.Action.SESSION_MOVED)
    AuditEntry.objects.filter(pk=entry.pk).update(at=timezone.now() - timedelta(days=31))
    assert privacy.apply_retention()["audit_entries_deleted"] == 1


def test_a_coordinators_address_is_exported_and_erased_but_the_entry_stays(network_coordinator):
    audit.record(actor=network_coordinator, action=audit.Action.REGISTRATIONS_EXPORTED, label="Workshop")
    exported = privacy.export_personal_data(email="Network.Coordinator@example.org")
    assert [row["action"] for row in exported["audit_log"]] == ["registrations_exported"]
    result = privacy.erase_personal_data(email="network.coordinator@example.org")
    assert result.counts["audit entries made anonymous"] == 1
    entry = AuditEntry.objects.get(action=audit.Action.REGISTRATIONS_EXPORTED)
    assert (entry.actor, entry.actor_label) == (None, "")
    assert not any(hit.startswith("core.AuditEntry") for hit in result.remaining)


def test_a_coordinator_whose_username_is_not_their_address_is_found_by_the_accounts_address():
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username="mojca", email="Mojca.Kos@example.org", is_staff=True)
    someone_else = get_user_model().objects.create_user(username="other", email="other@example.org")
    audit.record(actor=user, action=audit.Action.REGISTRATIONS_EXPORTED, label="Workshop")
    audit.record(actor=someone_else, action=audit.Action.SESSION_MOVED, label="Other")
    assert AuditEntry.objects.get(action=audit.Action.REGISTRATIONS_EXPORTED).actor_label == "mojca"
    exported = privacy.export_personal_data(email="mojca.kos@example.org")
    assert [row["action"] for row in exported["audit_log"]] == ["registrations_exported"]
    assert audit.AuditLog().erase("mojca.kos@example.org").counts["audit entries made anonymous"] == 1
    entry = AuditEntry.objects.get(action=audit.Action.REGISTRATIONS_EXPORTED)
    assert (entry.actor, entry.actor_label) == (None, "")
    other = AuditEntry.objects.get(action=audit.Action.SESSION_MOVED)
    assert (other.actor, other.actor_label) == (someone_else, "other")


def test_erasing_such_a_coordinator_through_the_privacy_run_makes_their_entries_anonymous():
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username="mojca", email="mojca.kos@example.org", is_staff=True)
    audit.record(actor=user, action=audit.Action.REGISTRATIONS_EXPORTED, label="Workshop")
    result = privacy.erase_personal_data(email="mojca.kos@example.org")
    assert result.counts["audit entries made anonymous"] == 1
    entry = AuditEntry.objects.get(action=audit.Action.REGISTRATIONS_EXPORTED)
    assert (entry.actor_id, entry.actor_label) == (None, "")


def test_personal_data_requests_are_recorded_with_counts_not_the_address(network_coordinator):
    from tests.events.factories import RegistrationFactory

    RegistrationFactory(email="ana@example.org")
    privacy.export_personal_data(email="ana@example.org", actor=network_coordinator)
    privacy.erase_personal_data(email="ana@example.org", actor=network_coordinator)
    exported = AuditEntry.objects.get(action=audit.Action.PERSONAL_DATA_EXPORTED)
    erased = AuditEntry.objects.get(action=audit.Action.PERSONAL_DATA_ERASED)
    assert exported.actor == erased.actor == network_coordinator
    assert exported.detail["records"] >= 1 and erased.detail["registrations anonymised"] == 1
    for entry in (exported, erased):
        assert "ana" not in f"{entry.detail} {entry.target_label}"
