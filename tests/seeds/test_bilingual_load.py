"""The seeds are English: the loader writes English values only, and a Slovenian value a
coordinator entered survives every later load, as does the English edit rule."""

import pytest
from django.core.management import call_command
from django.utils import translation

from events.models import Event
from network.models import NetworkContact, Partner, ServiceModule
from portal.models import NewsItem

pytestmark = pytest.mark.django_db


def load() -> None:
    call_command("load_seeds", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_imported_text_is_the_english_value_and_slovenian_is_left_empty():
    with translation.override("sl"):  # the active language does not decide where imports go
        load()
    partner = Partner.objects.get(name_en__startswith="Central Technical Library")
    assert partner.name_en.startswith("Central Technical Library")
    assert partner.name_sl is None and partner.description_sl is None
    item = NewsItem.objects.get()
    assert item.title_en and item.body_en and item.category_en and item.title_sl is None
    assert Event.objects.filter(title_en__gt="", title_sl__isnull=True).exists()
    assert ServiceModule.objects.filter(name_en="Activity Portal", name_sl__isnull=True).exists()
    assert NetworkContact.objects.get().organisation_en


def test_a_later_load_keeps_the_slovenian_values_a_coordinator_entered():
    load()
    partner = Partner.objects.get(name_en__startswith="Central Technical Library")
    partner.name_sl = "Centralna tehniška knjižnica Univerze v Ljubljani"
    partner.description_sl = "Osrednja knjižnica za tehniko."
    partner.save()
    module = ServiceModule.objects.get(name_en="Activity Portal")
    module.name_sl = "Portal dejavnosti"
    module.save()
    item = NewsItem.objects.get()
    item.category_sl = "Pomembno"
    item.save()

    for language in ("en", "sl"):
        with translation.override(language):
            load()

    partner.refresh_from_db()
    assert partner.name_sl == "Centralna tehniška knjižnica Univerze v Ljubljani"
    assert partner.description_sl == "Osrednja knjižnica za tehniko."
    assert partner.name_en.startswith("Central Technical Library")
    assert ServiceModule.objects.get(pk=module.pk).name_sl == "Portal dejavnosti"
    assert NewsItem.objects.get().category_sl == "Pomembno"
    # Sorting and search follow both languages after the loads too.
    assert Partner.objects.search("tehniska").filter(pk=partner.pk).exists()
    assert partner.sort_name_sl.startswith("centralna tehnis{ka")


def test_an_english_edit_still_wins_over_the_import():
    load()
    partner = Partner.objects.get(name_en__startswith="Central Technical Library")
    partner.name_en = "Central Technical Library (edited)"
    partner.save()
    load()
    assert Partner.objects.get(pk=partner.pk).name_en == "Central Technical Library (edited)"


def test_rows_imported_before_the_languages_keep_their_edit_rule():
    """A row whose bookkeeping names "description" (imported before fields had languages) is
    read as owning ``description_en``: an unchanged value is updated, an edited one kept."""
    load()
    partner = Partner.objects.get(name_en__startswith="Central Technical Library")
    imported = dict(partner.imported_values)
    imported["description"] = imported.pop("description_en")
    Partner.objects.filter(pk=partner.pk).update(imported_values=imported, description_en="Edited by hand.")
    load()
    partner.refresh_from_db()
    assert partner.description_en == "Edited by hand."


def test_labels_the_catalogue_translates_get_their_slovenian_value(client, django_capture_on_commit_callbacks):
    """A news category and the coordinator's title are labels: the catalogue's translation is
    stored as the Slovenian value; the coordinator's organisation is linked to the partner of
    that name, whose Slovenian name the pages then show."""
    with django_capture_on_commit_callbacks(execute=True):
        load()
    item = NewsItem.objects.get()
    assert (item.category_en, item.category_sl) == ("Important", "Pomembno")
    contact = NetworkContact.objects.get()
    assert contact.coordinator_title_sl and contact.coordinator_title_sl != contact.coordinator_title_en
    assert contact.coordinator_partner is not None
    assert contact.coordinator_partner.name_en == "Ljubljana City Library"

    with django_capture_on_commit_callbacks(execute=True):
        library = contact.coordinator_partner
        library.name_sl = "Mestna knjižnica Ljubljana"
        library.save()
    page = client.get("/sl/news/").content.decode()
    assert "Pomembno" in page and "Important" not in page
    assert "Mestna knjižnica Ljubljana" in page  # the footer, refreshed by the partner's edit
    assert "City library of Ljubljana" not in page

    item.category_sl = "Nujno"
    item.save()
    load()
    assert NewsItem.objects.get().category_sl == "Nujno"


def test_a_label_the_catalogue_does_not_know_stays_english():
    from seeds.vocabulary import NEWS_CATEGORY, catalogue_value

    assert catalogue_value("IMPORTANT", context=NEWS_CATEGORY) == "Pomembno"
    assert catalogue_value("Quarterly digest", context=NEWS_CATEGORY) == ""
    assert catalogue_value("Important", context="role title") == ""
