"""``manage.py personal_data export|erase EMAIL``: everything held about an address, as JSON; and
after erasure the address is found in no text, character or JSON column of any table."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import models
from django.db.models import Q

from events import services as event_services
from events.models import Registration
from mailing import services as mailing_services
from mailing.models import CONSENT_TEXT, CONSENT_VERSION, ConsentRecord, MailingList, Subscription
from network import services as network_services
from network.models import Partner
from outbox.models import OutgoingEmail
from tests.events.factories import SessionFactory
from tests.network.factories import PartnerFactory, ServiceModuleFactory, ServiceOfferFactory, WorkingGroupFactory

pytestmark = pytest.mark.django_db
ADDRESS = "Maja.Kovac@Example.org"
address = ADDRESS.lower()
OTHER = "someone.else@example.org"


def scan_database(needle: str) -> list[str]:
    """Every text, character and JSON column of every model, searched for ``needle``."""
    hits = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        columns = [f.name for f in model._meta.concrete_fields
                   if isinstance(f, (models.CharField, models.TextField, models.JSONField))]
        if not columns:
            continue
        query = Q()
        for name in columns:
            query |= Q(**{f"{name}__icontains": needle})
        hits += [f"{model._meta.label}#{pk}" for pk in model._default_manager.filter(query).values_list("pk", flat=True)]
    return hits


@pytest.fixture
def person(db):
    """The address everywhere the portal can hold it, written through the apps' own services."""
    session = SessionFactory()
    event_services.register(session=session, name="Maja Kovač", email=ADDRESS, affiliation="NUK",
                            consent_text="I agree.", language="sl")
    event_services.register(session=session, name="Someone Else", email=OTHER, consent_text="I agree.")
    news = MailingList.objects.get(slug="network-news")
    mailing_services.request_subscription(email=ADDRESS, lists=[news], consent_text=str(CONSENT_TEXT),
                                          consent_version=CONSENT_VERSION, source="test")
    network_services.submit_application(
        name="Maja's Reading Circle", kind="organisation", partner_type="ngo", roles=["promoter"],
        description="Birdwatching with readers.", contact_name="Maja Kovač", email=ADDRESS,
    )
    rejected = network_services.submit_application(
        name="Second try", kind="organisation", partner_type="ngo", roles=[], description="-",
        contact_name="Maja Kovač", email=ADDRESS,
    )
    network_services.reject_application(partner=rejected, reason="Duplicate")
    published = PartnerFactory(name="Kovač Lab", email=ADDRESS, contact_name="Maja Kovač")
    PartnerFactory(name="Maja Kovač", kind=Partner.Kind.INDIVIDUAL, partner_type=Partner.Type.INDIVIDUAL,
                   email=ADDRESS, phone="+386 40 555 666", description="Maja Kovač records orchids.")
    WorkingGroupFactory(contact_email=ADDRESS, contact_name="Maja Kovač")
    offer = ServiceOfferFactory(contact_email=ADDRESS, contact_name="Maja Kovač")
    network_services.request_service(module=ServiceModuleFactory(), name="Maja", email=ADDRESS, message="Help")
    ServiceOfferFactory(module=offer.module, partner=PartnerFactory(), contact_email="library@example.org")
    network_services.request_service(module=ServiceOfferFactory().module, name="Other", email=OTHER, message="Hi")
    return {"session": session, "published": published}


def export(email: str) -> dict:
    out = StringIO()
    call_command("personal_data", "export", email, stdout=out)
    return json.loads(out.getvalue())


def test_export_contains_every_kind_of_record(person):
    data = export(ADDRESS.upper())
    assert data["email"] == address
    assert [r["name"] for r in data["registrations"]] == ["Maja Kovač"]
    assert data["registrations"][0]["event"] == person["session"].event.title
    assert [s["mailing_list"] for s in data["subscriptions"]] == [MailingList.objects.get(slug="network-news").name]
    assert len(data["consent_records"]) == 1 and data["consent_records"][0]["consent_version"] == CONSENT_VERSION
    assert sorted(a["name"] for a in data["applications"]) == ["Maja's Reading Circle", "Second try"]
    assert [p["name"] for p in data["partners"]] == ["Kovač Lab", "Maja Kovač"]
    assert len(data["working_group_contacts"]) == 1
    assert len(data["service_offer_contacts"]) == 1
    recipients = {m["to"] for m in data["outbox_messages"]}
    assert address in recipients  # confirmations sent to the person
    assert "coordinators@network.example" in recipients  # the application forwarded to coordinators
    assert OTHER not in json.dumps(data)  # nobody else's data


def test_export_of_an_unknown_address_is_empty(db):
    data = export("nobody@example.org")
    kinds = {"registrations", "subscriptions", "consent_records", "applications", "partners",
             "working_group_contacts", "service_offer_contacts", "outbox_messages"}
    assert kinds <= set(data), "every app's part of the export is there"
    assert all(data[key] == [] for key in data if isinstance(data[key], list))


def test_the_scan_finds_the_address_before_erasure(person):
    hits = scan_database(address)
    labels = {hit.split("#")[0] for hit in hits}
    assert {"events.Registration", "mailing.Subscription", "mailing.ConsentRecord", "network.Partner",
            "network.WorkingGroup", "network.ServiceOffer", "outbox.OutgoingEmail"} <= labels


def test_after_erasure_the_address_appears_nowhere(person):
    registrations_before = Registration.objects.count()
    out = StringIO()
    call_command("personal_data", "erase", ADDRESS, stdout=out)
    assert scan_database(address) == []
    assert scan_database("Maja Kovač") == []
    # Seat counts stay right; the registration is anonymised, not deleted.
    assert Registration.objects.count() == registrations_before
    assert Registration.objects.filter(session=person["session"]).confirmed().count() == 2
    # The published partner stays, without the contact; applications are gone.
    person["published"].refresh_from_db()
    assert person["published"].email == "" and person["published"].contact_name == ""
    assert not Partner.objects.exclude(status=Partner.Status.PUBLISHED).filter(contact_name__icontains="maja").exists()
    assert not Subscription.objects.filter(email=address).exists()
    assert not ConsentRecord.objects.filter(email=address).exists()
    # Other people's data is untouched.
    assert Registration.objects.filter(email=OTHER).exists()
    assert OutgoingEmail.objects.filter(reply_to=OTHER).exists()
    printed = out.getvalue()
    assert "registrations anonymised: 1" in printed
    assert "subscriptions deleted: 1" in printed
    assert "applications deleted: 2" in printed
    assert "individual partners archived and erased: 1" in printed
    assert scan_database("+386 40 555 666") == []


def test_erasure_is_one_transaction(person, monkeypatch):
    from portal import privacy

    def boom(email):
        raise RuntimeError("disk full")

    monkeypatch.setattr(privacy, "find_address", boom)
    with pytest.raises(RuntimeError):
        call_command("personal_data", "erase", ADDRESS, stdout=StringIO())
    assert Registration.objects.filter(email=address).exists()
    assert Subscription.objects.filter(email=address).exists()


def test_erase_reports_what_no_holder_covers_to_the_administrator(db):
    from django.contrib.sites.models import Site

    Site.objects.create(domain="other.example", name=ADDRESS)  # a table no app registers
    err = StringIO()
    call_command("personal_data", "erase", ADDRESS, stdout=StringIO(), stderr=err)
    assert "sites.Site" in err.getvalue()


def test_a_malformed_address_is_refused(db):
    with pytest.raises(CommandError):
        call_command("personal_data", "export", "not-an-address")
