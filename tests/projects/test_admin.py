"""The project admin × the cast: a partner's coordinators see, add and edit only their own
organisation's projects, submit them for review and never publish; network coordinators edit
everything and publish only what meets the listing criteria."""

import pytest

from projects.models import CriterionCheck, ListingCriterion, Project, ProjectStateChange
from tests.network.admin_matrix import DENIED, OK, ROLES, admin_status
from tests.projects.factories import ProjectFactory, TopicFactory, meet_every_criterion

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects(partner_a, partner_b):
    return {
        "a": ProjectFactory(title="Alpha Project", lead_partner=partner_a, review_state="draft"),
        "b": ProjectFactory(title="Beta Project", lead_partner=partner_b, review_state="draft"),
    }


URLS = {
    "changelist": "/admin/projects/project/",
    "add": "/admin/projects/project/add/",
    "change_a": "/admin/projects/project/{a}/change/",
    "change_b": "/admin/projects/project/{b}/change/",
    "history_a": "/admin/projects/project/{a}/history/",
    "delete_a": "/admin/projects/project/{a}/delete/",
    "delete_b": "/admin/projects/project/{b}/delete/",
    "topics": "/admin/projects/topic/",
    "topic_add": "/admin/projects/topic/add/",
    "criteria": "/admin/projects/listingcriterion/",
    "criterion_add": "/admin/projects/listingcriterion/add/",
}

EXPECTED = {
    #                 network  a       b       anonymous
    "changelist": (OK, OK, OK, DENIED),
    "add": (OK, OK, OK, DENIED),
    "change_a": (OK, OK, DENIED, DENIED),
    "change_b": (OK, DENIED, OK, DENIED),
    "history_a": (OK, OK, DENIED, DENIED),
    "delete_a": (OK, DENIED, DENIED, DENIED),
    "delete_b": (OK, DENIED, DENIED, DENIED),
    "topics": (OK, DENIED, DENIED, DENIED),
    "topic_add": (OK, DENIED, DENIED, DENIED),
    "criteria": (OK, DENIED, DENIED, DENIED),
    "criterion_add": (OK, DENIED, DENIED, DENIED),
}


@pytest.mark.parametrize("name", list(URLS))
def test_matrix(client, cast, projects, name):
    url = URLS[name].format(a=projects["a"].pk, b=projects["b"].pk)
    got = tuple(admin_status(client, cast[who], url) for who in ROLES)
    assert got == EXPECTED[name], (name, got)


def test_changelist_and_search_show_only_own_projects(client, coordinator_a, projects):
    client.force_login(coordinator_a)
    body = client.get("/admin/projects/project/").content.decode()
    assert "Alpha Project" in body and "Beta Project" not in body
    body = client.get("/admin/projects/project/", {"q": "Beta"}).content.decode()
    assert "Beta Project" not in body


def test_lead_partner_choices_are_own_partners(client, coordinator_a, partner_a, partner_b):
    client.force_login(coordinator_a)
    form = client.get("/admin/projects/project/add/").context["adminform"].form
    assert list(form.fields["lead_partner"].queryset) == [partner_a]
    participating = set(form.fields["partners"].queryset)
    assert {partner_a, partner_b} <= participating  # any published partner may take part


def test_pending_partners_are_not_offered_to_partner_coordinators(
    client, coordinator_a, network_coordinator, partner_a
):
    from network.models import Partner

    pending = Partner.objects.create(name="Pending Applicant", slug="pending-applicant", status="pending")
    client.force_login(coordinator_a)
    form = client.get("/admin/projects/project/add/").context["adminform"].form
    assert pending not in set(form.fields["partners"].queryset)
    client.force_login(network_coordinator)
    form = client.get("/admin/projects/project/add/").context["adminform"].form
    assert pending in set(form.fields["partners"].queryset)


def _form_data(project_data: dict, checks: list[tuple[int, bool]] = ()) -> dict:
    data = {
        "title_en": "New Project", "title_sl": "", "slug": "new-project", "summary_en": "", "summary_sl": "",
        "description_en": "", "description_sl": "", "participation_en": "", "participation_sl": "",
        "requirements_en": "", "requirements_sl": "", "audience_en": "", "audience_sl": "", "region": "",
        "status": "planned", "starts_on": "", "ends_on": "", "website": "", "how_to_take_part_en": "",
        "how_to_take_part_sl": "",
        "criterion_checks-TOTAL_FORMS": str(len(checks)), "criterion_checks-INITIAL_FORMS": "0",
        "state_changes-TOTAL_FORMS": "0", "state_changes-INITIAL_FORMS": "0",
        **project_data,
    }
    for index, (criterion_id, met) in enumerate(checks):
        data[f"criterion_checks-{index}-criterion"] = str(criterion_id)
        if met:
            data[f"criterion_checks-{index}-met"] = "on"
        data[f"criterion_checks-{index}-note"] = "How."
    return data


def test_partner_coordinator_adds_a_draft_for_their_organisation(client, coordinator_a, partner_a, partner_b):
    client.force_login(coordinator_a)
    criteria = list(ListingCriterion.objects.filter(active=True))
    response = client.post(
        "/admin/projects/project/add/",
        _form_data({"lead_partner": partner_a.pk, "review_state": "published", "featured": "on"},
                   [(c.pk, True) for c in criteria]),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    project = Project.objects.get(slug="new-project")
    assert project.review_state == "draft" and not project.featured  # neither can be set in the form
    # they say how the project meets each criterion; whether it does is the network's judgement
    checks = CriterionCheck.objects.filter(project=project)
    assert checks.count() == len(criteria) and not checks.filter(met=True).exists()
    assert set(checks.values_list("note", flat=True)) == {"How."}


def test_network_coordinator_marks_criteria_as_met(client, network_coordinator, partner_a):
    client.force_login(network_coordinator)
    criteria = list(ListingCriterion.objects.filter(active=True))
    response = client.post(
        "/admin/projects/project/add/",
        _form_data({"lead_partner": partner_a.pk, "featured": "on"}, [(c.pk, True) for c in criteria]),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    project = Project.objects.get(slug="new-project")
    assert project.featured and project.review_state == "draft"
    assert CriterionCheck.objects.filter(project=project, met=True).count() == len(criteria)


def test_partner_coordinator_cannot_add_a_project_for_another_partner(client, coordinator_a, partner_a, partner_b):
    client.force_login(coordinator_a)
    response = client.post("/admin/projects/project/add/", _form_data({"lead_partner": partner_b.pk}))
    assert response.status_code == 200
    assert "lead_partner" in response.context["adminform"].form.errors
    assert not Project.objects.exists()


def test_partner_coordinator_cannot_edit_another_partners_project(client, coordinator_a, projects, partner_b):
    client.force_login(coordinator_a)
    response = client.post(
        f"/admin/projects/project/{projects['b'].pk}/change/",
        _form_data({"lead_partner": partner_b.pk, "title_en": "Taken Over", "slug": projects["b"].slug}),
    )
    assert response.status_code != 200 or "Taken Over" not in response.content.decode()
    projects["b"].refresh_from_db()
    assert projects["b"].title == "Beta Project"


def test_the_change_form_offers_every_active_criterion(client, coordinator_a, projects):
    client.force_login(coordinator_a)
    response = client.get(f"/admin/projects/project/{projects['a'].pk}/change/")
    formset = next(f.formset for f in response.context["inline_admin_formsets"] if f.formset.model is CriterionCheck)
    offered = [form.initial.get("criterion") for form in formset.forms]
    assert offered == list(ListingCriterion.objects.filter(active=True).values_list("pk", flat=True))


def _actions(client, url="/admin/projects/project/") -> set[str]:
    action_form = client.get(url).context["action_form"]
    return {value for value, _ in action_form.fields["action"].choices} if action_form else set()


def test_partner_coordinator_submits_but_cannot_publish(client, coordinator_a, projects):
    meet_every_criterion(projects["a"])
    client.force_login(coordinator_a)
    actions = _actions(client)
    assert "submit_for_review" in actions
    assert "publish" not in actions and "return_to_partners" not in actions
    client.post("/admin/projects/project/", {"action": "publish", "_selected_action": [projects["a"].pk]})
    projects["a"].refresh_from_db()
    assert projects["a"].review_state == "draft"
    client.post("/admin/projects/project/", {"action": "submit_for_review", "_selected_action": [projects["a"].pk]})
    projects["a"].refresh_from_db()
    assert projects["a"].review_state == "submitted"
    change = ProjectStateChange.objects.get(project=projects["a"])
    assert (change.from_state, change.to_state, change.actor) == ("draft", "submitted", coordinator_a)


def test_partner_coordinator_cannot_submit_another_partners_project(client, coordinator_a, projects):
    client.force_login(coordinator_a)
    client.post("/admin/projects/project/", {"action": "submit_for_review", "_selected_action": [projects["b"].pk]})
    projects["b"].refresh_from_db()
    assert projects["b"].review_state == "draft"


def test_network_coordinator_publishes_only_what_meets_the_criteria(client, network_coordinator, projects):
    meet_every_criterion(projects["a"])
    client.force_login(network_coordinator)
    assert {"publish", "return_to_partners", "submit_for_review"} <= _actions(client)
    response = client.post(
        "/admin/projects/project/",
        {"action": "publish", "_selected_action": [projects["a"].pk, projects["b"].pk]},
        follow=True,
    )
    body = response.content.decode()
    assert "1 project published." in body
    assert "Beta Project" in body and "not marked as met" in body
    assert "The project asks a real research question." in body
    projects["a"].refresh_from_db()
    projects["b"].refresh_from_db()
    assert projects["a"].review_state == "published" and projects["b"].review_state == "draft"


def test_network_coordinator_returns_with_a_note(client, network_coordinator, projects):
    Project.objects.filter(pk=projects["a"].pk).update(review_state="submitted")
    client.force_login(network_coordinator)
    selected = {"action": "return_to_partners", "_selected_action": [projects["a"].pk]}
    page = client.post("/admin/projects/project/", selected)
    assert page.status_code == 200 and "What the partner should change" in page.content.decode()
    client.post("/admin/projects/project/", {**selected, "note": "Say how results are returned."})
    projects["a"].refresh_from_db()
    assert projects["a"].review_state == "returned"
    assert ProjectStateChange.objects.get(project=projects["a"]).note == "Say how results are returned."


def test_review_state_is_read_only_and_history_is_shown(client, network_coordinator, projects):
    ProjectStateChange.objects.create(project=projects["a"], from_state="draft", to_state="submitted", note="First go")
    client.force_login(network_coordinator)
    response = client.get(f"/admin/projects/project/{projects['a'].pk}/change/")
    assert "review_state" not in response.context["adminform"].form.fields
    assert "featured" in response.context["adminform"].form.fields
    assert "First go" in response.content.decode()


def test_languages_side_by_side(client, network_coordinator):
    TopicFactory()
    client.force_login(network_coordinator)
    body = client.get("/admin/projects/project/add/").content.decode()
    assert "Title (English)" in body and "Title (Slovenian)" in body
    assert 'name="title_sl"' in body and 'lang="sl"' in body


def test_partner_coordinators_see_their_projects_history_and_checks_read_only_met(client, coordinator_a, projects):
    ProjectStateChange.objects.create(
        project=projects["a"], from_state="submitted", to_state="returned", note="Describe the consent form."
    )
    client.force_login(coordinator_a)
    response = client.get(f"/admin/projects/project/{projects['a'].pk}/change/")
    assert "Describe the consent form." in response.content.decode()
    formset = next(f.formset for f in response.context["inline_admin_formsets"] if f.formset.model is CriterionCheck)
    assert "met" not in formset.forms[0].fields and "note" in formset.forms[0].fields


def test_checks_of_retired_criteria_are_not_offered(client, network_coordinator, projects):
    retired = ListingCriterion.objects.create(label="Retired rule", active=False)
    CriterionCheck.objects.create(project=projects["a"], criterion=retired, met=False, note="Old note")
    client.force_login(network_coordinator)
    body = client.get(f"/admin/projects/project/{projects['a'].pk}/change/").content.decode()
    assert "Old note" not in body


def _resubmitted(client, project: Project, **changes) -> tuple[int, str]:
    """Post the project's change form as the logged-in user sees it, with ``changes``; the status
    and the page the admin goes to next (with its messages)."""
    page = client.get(f"/admin/projects/project/{project.pk}/change/").context
    forms = [page["adminform"].form]
    for inline in page["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data: dict = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            key = form.add_prefix(name)
            data[key] = "on" if value is True else [str(v) for v in value] if isinstance(value, list) else str(value)
    response = client.post(f"/admin/projects/project/{project.pk}/change/", {**data, **changes}, follow=True)
    return response.status_code, response.content.decode()


@pytest.fixture
def published(projects, network_coordinator):
    project = projects["a"]
    meet_every_criterion(project)
    Project.objects.filter(pk=project.pk).update(review_state="published")
    project.refresh_from_db()
    return project


def test_a_partners_change_to_a_published_project_goes_back_for_review(client, coordinator_a, published,
                                                                         django_capture_on_commit_callbacks):
    assert client.get(published.get_absolute_url()).status_code == 200  # cached, until the change commits
    client.force_login(coordinator_a)
    with django_capture_on_commit_callbacks(execute=True):
        status, body = _resubmitted(client, published, summary_en="Now with frogs.")
    assert status == 200 and "awaits the network coordinators&#x27; review again" in body
    published.refresh_from_db()
    assert published.summary == "Now with frogs." and published.review_state == "submitted"
    change = ProjectStateChange.objects.get(project=published)
    assert (change.from_state, change.to_state, change.actor) == ("published", "submitted", coordinator_a)
    assert "Changed by the partner after publication" in change.note
    client.logout()  # off the public pages until published again
    assert client.get(published.get_absolute_url()).status_code == 404
    assert "Alpha Project" not in client.get("/projects/").content.decode()


def test_a_partners_save_without_changes_keeps_the_project_published(client, coordinator_a, published):
    client.force_login(coordinator_a)
    status, body = _resubmitted(client, published)
    assert status == 200 and "review again" not in body
    published.refresh_from_db()
    assert published.review_state == "published" and not ProjectStateChange.objects.exists()


def test_a_network_coordinators_change_keeps_the_project_published(client, network_coordinator, published):
    client.force_login(network_coordinator)
    status, body = _resubmitted(client, published, summary_en="Edited by the network.")
    assert status == 200 and "review again" not in body
    published.refresh_from_db()
    assert published.summary == "Edited by the network." and published.review_state == "published"
    assert not ProjectStateChange.objects.exists()
    client.logout()
    assert "Edited by the network." in client.get(published.get_absolute_url()).content.decode()
