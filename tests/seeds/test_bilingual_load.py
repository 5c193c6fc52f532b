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
