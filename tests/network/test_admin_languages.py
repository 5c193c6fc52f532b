"""Coordinators edit record texts in English and Slovenian side by side in the admin (issue 11,
item 2): every field in both languages, labelled with the language's name, the English name
still required; a partner's coordinators fill their own organisation's Slovenian name and
description, and only their own; the admin searches both languages."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.contrib.admin import site
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from events.models import Event
from mailing.models import MailingList
from network.models import NetworkContact, Partner, ServiceModule, ServiceOffer, WorkingGroup, WorkingGroupOutput
from portal.models import NewsItem
from tests.network.factories import PartnerFactory, ServiceModuleFactory, ServiceOfferFactory, WorkingGroupFactory

pytestmark = pytest.mark.django_db

SLOVENIAN_NAME = "Alfa knjižnica"
SLOVENIAN_DESCRIPTION = "Knjižnica, ki posoja mikroskope in vodi delavnice za šole."


def _form_data(form) -> dict:
    """What the browser posts back for an unchanged ``form``."""
    data: dict = {}
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        value = form[name].value()
        if isinstance(field, (forms.ModelMultipleChoiceField, forms.MultipleChoiceField)):
            data[key] = [str(v) for v in value or []]
        elif isinstance(field, forms.BooleanField):
            if value:
                data[key] = "on"
        elif isinstance(field, forms.FileField):
            continue
        else:
            data[key] = "" if value is None else str(value)
    return data


def _change_form_data(response) -> dict:
    data = _form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        data.update(_form_data(inline.formset.management_form))
        for form in inline.formset.forms:
            data.update(_form_data(form))
    return data


def _visible(response) -> str:
    """The page without its JSON-LD (which names the partner in both languages, tagged)."""
    assert response.status_code == 200
    return re.sub(r"<script[^>]*>.*?</script>", "", response.content.decode(), flags=re.S)


def _heading(html: str) -> str:
    (h1,) = re.findall(r"<h1[^>]*>(.*?)</h1>", html, flags=re.S)
    return re.sub(r"<[^>]+>", "", h1).strip()


def _change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


# --- A partner's coordinator and their own organisation -----------------------------------------
def test_partner_coordinator_gives_their_partner_a_slovenian_name_and_description(client, coordinator_a, partner_a):
    client.force_login(coordinator_a)
    url = _change_url(partner_a)
    data = _change_form_data(client.get(url))
    assert data["name_en"] == "Alpha Library" and data["name_sl"] == ""
    data.update(name_sl=SLOVENIAN_NAME, description_en="A library that lends microscopes.",
                description_sl=SLOVENIAN_DESCRIPTION)

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    partner_a.refresh_from_db()
    assert (partner_a.name_en, partner_a.name_sl) == ("Alpha Library", SLOVENIAN_NAME)
    assert (partner_a.description_en, partner_a.description_sl) == ("A library that lends microscopes.", SLOVENIAN_DESCRIPTION)
    assert partner_a.status == Partner.Status.PUBLISHED  # moderation fields untouched

    client.logout()  # what visitors see
    slovenian = _visible(client.get(f"/sl/partners/{partner_a.slug}/"))
    assert _heading(slovenian) == SLOVENIAN_NAME and SLOVENIAN_DESCRIPTION in slovenian
    english = _visible(client.get(f"/partners/{partner_a.slug}/"))
    assert _heading(english) == "Alpha Library" and "A library that lends microscopes." in english
    assert SLOVENIAN_NAME not in english and SLOVENIAN_DESCRIPTION not in english
    # Found by a word of the Slovenian name typed without its accents.
    assert SLOVENIAN_NAME in client.get("/sl/partners/", {"q": "knjiznica"}).content.decode()


def test_partner_coordinator_cannot_give_another_partner_a_slovenian_name(client, coordinator_a, partner_a, partner_b):
    client.force_login(coordinator_a)
    # The form of their own partner, pointed at another partner's URL.
    data = _change_form_data(client.get(_change_url(partner_a)))
    data.update(name_en="Beta Institute", name_sl="Beta inštitut", description_sl="Prevzeto.")

    response = client.post(_change_url(partner_b), data)

    assert response.status_code in (302, 403, 404)
    if response.status_code == 302:  # Django's "does not exist" redirect to the admin index
        assert response["Location"] == reverse("admin:index")
    partner_b.refresh_from_db()
    assert not partner_b.name_sl and not partner_b.description_sl


def test_partner_coordinator_still_cannot_change_moderation_fields(client, coordinator_a, partner_a):
    client.force_login(coordinator_a)
    response = client.get(_change_url(partner_a))
    fields = response.context["adminform"].form.fields
    assert {"name_en", "name_sl", "acronym_en", "acronym_sl", "description_en", "description_sl"} <= set(fields)
    assert not {"status", "is_network_partner", "coordinators", "slug", "name", "description"} & set(fields)


def test_a_name_in_one_language_is_required_and_enough(client, coordinator_a, partner_a):
    """An application from /sl/join/ has only a Slovenian name: its coordinator can still save it."""
    client.force_login(coordinator_a)
    url = _change_url(partner_a)
    data = _change_form_data(client.get(url))

    response = client.post(url, {**data, "name_en": "", "name_sl": ""})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name_en"] == ["Required: fill this in in at least one language."]
    partner_a.refresh_from_db()
    assert partner_a.name_en == "Alpha Library"

    assert client.post(url, {**data, "name_en": "", "name_sl": SLOVENIAN_NAME}).status_code == 302
    partner_a.refresh_from_db()
    assert (partner_a.name_en or "", partner_a.name_sl) == ("", SLOVENIAN_NAME)
    with translation.override("en"):
        assert partner_a.name == SLOVENIAN_NAME  # the English pages show it, marked lang="sl"


# --- Labels, languages and layout --------------------------------------------------------------
def test_each_field_is_labelled_with_its_language_and_marked_with_its_lang(client, coordinator_a, partner_a):
    client.force_login(coordinator_a)
    response = client.get(_change_url(partner_a))
    form = response.context["adminform"].form
    assert str(form.fields["name_en"].label) == "Name (English)"
    assert str(form.fields["name_sl"].label) == "Name (Slovenian)"
    assert str(form.fields["description_sl"].label) == "Description (Markdown, Slovenian)"
    html = response.content.decode()
    assert 'for="id_name_en">Name (English):</label>' in html
    assert "Required: fill this in in at least one language." in html
    assert 'for="id_name_sl">Name (Slovenian):</label>' in html
    for name, language in (("name_en", "en"), ("name_sl", "sl"), ("description_sl", "sl")):
        assert form.fields[name].widget.attrs["lang"] == language
    # In the Slovenian interface, the languages are named in Slovenian.
    with translation.override("sl"):
        assert str(form.fields["name_sl"].label) == "Ime (slovenščina)"
        assert str(form.fields["name_en"].label) == "Ime (angleščina)"


def test_the_languages_of_a_field_are_side_by_side(network_coordinator, partner_a):
    request = RequestFactory().get("/admin/")
    request.user = network_coordinator
    fieldsets = site._registry[Partner].get_fieldsets(request, partner_a)
    lines = [line for _name, options in fieldsets for line in options["fields"]]
    assert ("name_en", "name_sl") in lines and ("description_en", "description_sl") in lines
    assert "name" not in lines and "name_sl" not in lines  # each language once, on its field's line


# --- Every admin of a model with translated texts ------------------------------------------------
@pytest.fixture
def records(partner_a):
    group = WorkingGroupFactory()
    WorkingGroupOutput.objects.create(working_group=group, title="Guide")
    module = ServiceModuleFactory()
    offer = ServiceOfferFactory(partner=partner_a, module=module, note="Monthly")
    event = Event.objects.create(title="Bioblitz", slug="bioblitz")
    event.organisers.add(partner_a)
    return {
        Partner: partner_a, WorkingGroup: group, ServiceModule: module, ServiceOffer: offer,
        NetworkContact: NetworkContact.objects.create(organisation="CTK"), Event: event,
        NewsItem: NewsItem.objects.create(title="Launch", slug="launch", body="We are live."),
        MailingList: MailingList.objects.create(name="News", slug="news"),
    }


@pytest.mark.parametrize("model", [Partner, WorkingGroup, ServiceModule, ServiceOffer, NetworkContact, Event, NewsItem, MailingList])
def test_every_translated_admin_edits_both_languages(network_coordinator_client, records, model):
    from core.content import translated_fields

    for url in (reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add"), _change_url(records[model])):
        response = network_coordinator_client.get(url)
        assert response.status_code == 200, url
        fields = response.context["adminform"].form.fields
        for field in translated_fields(model):
            assert {f"{field}_en", f"{field}_sl"} <= set(fields) and field not in fields, (url, field)
            assert str(fields[f"{field}_sl"].label).endswith("Slovenian)"), (url, fields[f"{field}_sl"].label)


def test_inlines_edit_both_languages(network_coordinator_client, records):
    for model, inline_model, field in ((WorkingGroup, WorkingGroupOutput, "title"), (Partner, ServiceOffer, "note")):
        response = network_coordinator_client.get(_change_url(records[model]))
        (inline,) = [i for i in response.context["inline_admin_formsets"] if i.formset.model is inline_model]
        form = inline.formset.forms[0]
        assert {f"{field}_en", f"{field}_sl"} <= set(form.fields) and field not in form.fields
        assert str(form.fields[f"{field}_sl"].label).endswith("(Slovenian)")


def test_working_group_output_title_saved_in_both_languages(network_coordinator_client, records):
    group = records[WorkingGroup]
    url = _change_url(group)
    data = _change_form_data(network_coordinator_client.get(url))
    data.update({"name_sl": "Delovna skupina", "outputs-0-title_sl": "Vodnik"})

    response = network_coordinator_client.post(url, data)

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    group.refresh_from_db()
    assert group.name_sl == "Delovna skupina"
    assert group.outputs.get().title_sl == "Vodnik" and group.outputs.get().title_en == "Guide"


def test_read_only_texts_are_labelled_with_their_language_too(client, coordinator_a, records):
    """A partner's coordinators may only view their events and the working groups."""
    client.force_login(coordinator_a)
    html = client.get(_change_url(records[Event])).content.decode()
    assert "Bioblitz" in html
    assert "<label>Title (English):</label>" in html and '<label class="inline">Title (Slovenian):</label>' in html
    assert "[en]" not in html and "[sl]" not in html
    html = client.get(_change_url(records[WorkingGroup])).content.decode()
    assert '<label class="inline">Name (Slovenian):</label>' in html
    assert "[en]" not in html and "[sl]" not in html


# --- Search across both languages -----------------------------------------------------------------
def test_admin_search_finds_a_partner_by_either_name(network_coordinator_client):
    partner = PartnerFactory(name="Central Technical Library", name_sl="Centralna tehniška knjižnica")
    PartnerFactory(name="Somewhere else")
    for query in ("Centralna", "tehniška", "tehniska", "Technical"):
        response = network_coordinator_client.get(reverse("admin:network_partner_changelist"), {"q": query})
        assert list(response.context["cl"].result_list) == [partner], query


def test_admin_lists_partners_in_the_interface_languages_alphabet(network_coordinator_client):
    names = ["Zavod", "Čebelarska zveza", "Center", "drustvo"]
    for name in names:
        PartnerFactory(name=name)
    response = network_coordinator_client.get(reverse("admin:network_partner_changelist"))
    assert [p.name for p in response.context["cl"].result_list] == ["Čebelarska zveza", "Center", "drustvo", "Zavod"]
    # Sorting by the name column sorts the same way.
    response = network_coordinator_client.get(reverse("admin:network_partner_changelist"), {"o": "-1"})
    assert [p.name for p in response.context["cl"].result_list] == ["Zavod", "drustvo", "Center", "Čebelarska zveza"]


@pytest.mark.parametrize(("model", "query"), [(WorkingGroup, "Zelenjavna skupina"), (ServiceModule, "Zelenjavni modul"),
                                              (Event, "Zelenjavna delavnica"), (NewsItem, "Zelenjavna novica"),
                                              (MailingList, "Zelenjavne novice")])
def test_other_admins_search_both_languages(network_coordinator_client, model, query):
    field = "name" if model in (WorkingGroup, ServiceModule, MailingList) else "title"
    admin = site._registry[model]
    assert {f"{field}_en", f"{field}_sl"} <= set(admin.search_fields)
    extra = {"body": "x"} if model is NewsItem else {}
    obj = model.objects.create(**{f"{field}_en": "English only", f"{field}_sl": f"{query} po slovensko"},
                               slug="found", **extra)
    response = network_coordinator_client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"), {"q": query})
    assert list(response.context["cl"].result_list) == [obj]
