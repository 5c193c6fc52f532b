"""Erasure and export of the partners' contact data: the applicant's private contact (from
/join/) and *individual* partners, who are the person themselves."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from network import services as network_services
from network.models import Partner
from network.services import ERASED_INDIVIDUAL_NAME
from portal import privacy
from tests.network.factories import PartnerFactory

pytestmark = pytest.mark.django_db
ADDRESS = "maja.kovac@example.org"


def _join(**extra) -> Partner:
    data = dict(
        name="Maja's Reading Circle", kind="organisation", partner_type="ngo", roles=[], description="Birds.",
        contact_name="Maja Kovač", email=ADDRESS, phone="+386 40 555 666",
    )
    return network_services.submit_application(**{**data, **extra})


def test_export_includes_applications_and_partners_by_the_private_address():
    _join()
    approved = network_services.approve_application(partner=_join(name="Kovač Lab"))
    data = privacy.export_personal_data(email=ADDRESS.upper())
    assert [a["application_email"] for a in data["applications"]] == [ADDRESS]
    assert [(p["name"], p["application_phone"]) for p in data["partners"]] == [(approved.name, "+386 40 555 666")]


def test_erase_blanks_the_applicant_contact_of_a_published_organisation():
    partner = network_services.approve_application(partner=_join())
    partner.email = "info@circle.example.org"  # the public address a coordinator added
    partner.save()
    result = privacy.erase_personal_data(email=ADDRESS)
    partner.refresh_from_db()
    assert partner.status == Partner.Status.PUBLISHED and partner.name == "Maja's Reading Circle"
    assert (partner.application_email, partner.application_phone, partner.contact_name) == ("", "", "")
    assert partner.email == "info@circle.example.org"
    assert result.counts["partner applicant contacts removed"] == 1
    assert result.remaining == [] and result.blanked == []


def test_erase_archives_and_blanks_a_published_individual():
    person = PartnerFactory(
        kind=Partner.Kind.INDIVIDUAL, partner_type=Partner.Type.INDIVIDUAL, name="Dr Maja Kovač", slug="dr-maja-kovac",
        acronym="MK", email=ADDRESS, phone="+386 40 555 666", address="Mill Street 1", website="https://maja.example.org",
        description="A retired biology teacher who records orchids.", contact_name="Maja Kovač",
        source="004.txt", source_key="partner:dr-maja-kovac",
        imported_values={"name": "Dr Maja Kovač", "description": "A retired biology teacher who records orchids.",
                         "status": "published"},
    )
    organisation = PartnerFactory(name="Orchid Society", email=ADDRESS, contact_name="Maja Kovač")
    out = StringIO()
    call_command("personal_data", "erase", ADDRESS, stdout=out)
    person.refresh_from_db()
    assert person.status == Partner.Status.ARCHIVED
    assert person.name == ERASED_INDIVIDUAL_NAME
    assert "maja" not in person.slug and "kovac" not in person.search_text
    for name in ("acronym", "email", "phone", "address", "website", "description", "contact_name"):
        assert getattr(person, name) == "", name
    assert "Kovač" not in str(person.imported_values) and "orchids" not in str(person.imported_values)
    assert "individual partners archived and erased: 1" in out.getvalue()
    # An organisation keeps its public profile; only the address and contact person go.
    organisation.refresh_from_db()
    assert organisation.status == Partner.Status.PUBLISHED and organisation.name == "Orchid Society"
    assert organisation.email == "" and organisation.contact_name == ""


def test_the_result_lists_the_erased_individual():
    person = PartnerFactory(kind=Partner.Kind.INDIVIDUAL, partner_type=Partner.Type.INDIVIDUAL, name="Ana Novak")
    other = PartnerFactory(kind=Partner.Kind.INDIVIDUAL, partner_type=Partner.Type.INDIVIDUAL, name="Bor Zupan",
                           email="bor@example.org")
    Partner.objects.filter(pk=person.pk).update(application_email=ADDRESS)
    result = privacy.erase_personal_data(email=ADDRESS)
    assert result.blanked == [f"network.Partner#{person.pk}"]
    other.refresh_from_db()
    assert other.name == "Bor Zupan" and other.status == Partner.Status.PUBLISHED


def test_a_later_import_does_not_restore_an_erased_individual():
    from seeds.writers.base import Report, upsert

    person = PartnerFactory(kind=Partner.Kind.INDIVIDUAL, partner_type=Partner.Type.INDIVIDUAL, name="Dr Maja Kovač",
                            email=ADDRESS, source_key="partner:dr-maja-kovac", source="004.txt",
                            description="Orchids.", imported_values={"name": "Dr Maja Kovač", "description": "Orchids.",
                                                                     "status": "published"})
    privacy.erase_personal_data(email=ADDRESS)
    upsert(Partner, source_key="partner:dr-maja-kovac", source="004.txt", report=Report(),
           values={"name": "Dr Maja Kovač", "description": "Orchids.", "status": "published"})
    person.refresh_from_db()
    assert person.name == ERASED_INDIVIDUAL_NAME
    assert person.description == "" and person.status == Partner.Status.ARCHIVED


def test_the_erase_command_names_the_archived_individual():
    person = PartnerFactory(kind=Partner.Kind.INDIVIDUAL, partner_type=Partner.Type.INDIVIDUAL, name="Ana Novak")
    Partner.objects.filter(pk=person.pk).update(application_email=ADDRESS)
    out = StringIO()
    call_command("personal_data", "erase", ADDRESS, stdout=out, stderr=StringIO())
    assert f"archived and blanked: network.Partner#{person.pk}" in out.getvalue()


def test_erase_removes_the_logos_of_deleted_applications_once_it_commits(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    """The rows go in the erasure's transaction, the files after it commits (not at all on a
    rollback), so /media/ no longer serves an erased applicant's logo."""
    settings.MEDIA_ROOT = tmp_path / "media"
    application = _join()
    application.logo.save("circle.png", ContentFile(b"\x89PNG logo"), save=True)
    storage, name = application.logo.storage, application.logo.name
    with django_capture_on_commit_callbacks() as after_commit:
        result = privacy.erase_personal_data(email=ADDRESS)
    assert result.counts["applications deleted"] == 1
    assert not Partner.objects.filter(pk=application.pk).exists()
    assert storage.exists(name), "the file outlives the rows until the commit"
    for callback in after_commit:
        callback()
    assert not storage.exists(name), "the deleted application's logo is still in storage"
