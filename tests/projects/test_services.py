"""Moving a project through its publication: who may, from where, and the history it leaves."""

import pytest

from projects import services
from projects.models import CriterionCheck, ListingCriterion, Project, ProjectStateChange
from tests.projects.factories import ProjectFactory, meet_every_criterion

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(partner_a):
    return ProjectFactory(lead_partner=partner_a, review_state=Project.ReviewState.DRAFT)


def _history(project):
    return list(ProjectStateChange.objects.filter(project=project).order_by("at", "id").values_list(
        "from_state", "to_state", "actor__email", "note"))


def test_submit_publish_return_and_submit_again(draft, coordinator_a, network_coordinator):
    meet_every_criterion(draft)
    services.submit(project=draft, actor=coordinator_a)
    assert draft.review_state == "submitted"
    services.publish(project=draft, actor=network_coordinator, note="Looks good.")
    services.return_to_partner(project=draft, actor=network_coordinator, note="Add the data policy.")
    services.submit(project=draft, actor=coordinator_a)
    draft.refresh_from_db()
    assert draft.review_state == "submitted"
    assert _history(draft) == [
        ("draft", "submitted", coordinator_a.email, ""),
        ("submitted", "published", network_coordinator.email, "Looks good."),
        ("published", "returned", network_coordinator.email, "Add the data policy."),
        ("returned", "submitted", coordinator_a.email, ""),
    ]


def test_publish_is_refused_while_a_criterion_is_not_met(draft, network_coordinator):
    meet_every_criterion(draft)
    ethics = ListingCriterion.objects.get(label_en__startswith="Ethics")
    CriterionCheck.objects.filter(project=draft, criterion=ethics).update(met=False)
    with pytest.raises(services.ReviewError) as refusal:
        services.publish(project=draft, actor=network_coordinator)
    assert "Ethics and consent" in refusal.value.message
    draft.refresh_from_db()
    assert draft.review_state == "draft"
    assert _history(draft) == []


def test_a_criterion_without_a_check_is_not_met(draft, network_coordinator):
    with pytest.raises(services.ReviewError):
        services.publish(project=draft, actor=network_coordinator)
    assert services.unmet_criteria(draft) == list(ListingCriterion.objects.filter(active=True))


def test_an_inactive_criterion_is_not_required(draft, network_coordinator):
    meet_every_criterion(draft)
    extra = ListingCriterion.objects.create(label="Old rule", active=False)
    services.publish(project=draft, actor=network_coordinator)
    assert draft.review_state == "published"
    assert extra not in services.unmet_criteria(draft)


def test_only_network_coordinators_publish_and_return(draft, coordinator_a):
    meet_every_criterion(draft)
    with pytest.raises(services.ReviewError):
        services.publish(project=draft, actor=coordinator_a)
    services.submit(project=draft, actor=coordinator_a)
    with pytest.raises(services.ReviewError):
        services.return_to_partner(project=draft, actor=coordinator_a, note="No.")
    draft.refresh_from_db()
    assert draft.review_state == "submitted"


def test_a_partner_coordinator_submits_only_their_own_projects(draft, coordinator_b):
    with pytest.raises(services.ReviewError):
        services.submit(project=draft, actor=coordinator_b)
    draft.refresh_from_db()
    assert draft.review_state == "draft"


@pytest.mark.parametrize(
    ("state", "move"),
    [("submitted", "submit"), ("published", "submit"), ("published", "publish"), ("draft", "return_to_partner"),
     ("returned", "return_to_partner")],
)
def test_moves_from_the_wrong_state_are_refused(partner_a, network_coordinator, state, move):
    project = ProjectFactory(lead_partner=partner_a, review_state=state)
    meet_every_criterion(project)
    kwargs = {"note": "Because."} if move == "return_to_partner" else {}
    with pytest.raises(services.ReviewError):
        getattr(services, move)(project=project, actor=network_coordinator, **kwargs)
    project.refresh_from_db()
    assert project.review_state == state
    assert not ProjectStateChange.objects.exists()


def test_returning_needs_a_note(partner_a, network_coordinator):
    project = ProjectFactory(lead_partner=partner_a, review_state="submitted")
    with pytest.raises(services.ReviewError):
        services.return_to_partner(project=project, actor=network_coordinator, note="   ")
    project.refresh_from_db()
    assert project.review_state == "submitted"


def test_a_partners_change_after_publication_sends_it_back_for_review(partner_a, coordinator_a):
    project = ProjectFactory(lead_partner=partner_a, review_state="published")
    assert services.changed_after_publication(project=project, actor=coordinator_a) is True
    project.refresh_from_db()
    assert project.review_state == "submitted"
    assert _history(project) == [
        ("published", "submitted", coordinator_a.email,
         "Changed by the partner after publication: awaits review again."),
    ]
    assert not Project.objects.public().filter(pk=project.pk).exists()
    # not published any more: a further change moves nothing
    assert services.changed_after_publication(project=project, actor=coordinator_a) is False
    assert len(_history(project)) == 1


@pytest.mark.parametrize("state", ["draft", "submitted", "returned"])
def test_a_change_before_publication_moves_nothing(partner_a, coordinator_a, state):
    project = ProjectFactory(lead_partner=partner_a, review_state=state)
    assert services.changed_after_publication(project=project, actor=coordinator_a) is False
    project.refresh_from_db()
    assert project.review_state == state and not ProjectStateChange.objects.exists()


def test_a_network_coordinators_change_stays_published(partner_a, network_coordinator):
    project = ProjectFactory(lead_partner=partner_a, review_state="published")
    assert services.changed_after_publication(project=project, actor=network_coordinator) is False
    project.refresh_from_db()
    assert project.review_state == "published" and not ProjectStateChange.objects.exists()
