"""The project tables: constraints in the schema, and the queryset API other apps use."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from projects.models import CriterionCheck, ListingCriterion, Project
from tests.network.factories import PartnerFactory
from tests.projects.factories import ProjectFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_a_project_cannot_end_before_it_starts():
    ProjectFactory(starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 1))  # the same day is fine
    ProjectFactory(starts_on=date(2026, 1, 1), ends_on=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectFactory(starts_on=date(2026, 2, 1), ends_on=date(2026, 1, 31))


@pytest.mark.parametrize(("field", "value"), [("status", "dreaming"), ("review_state", "approved")])
def test_unknown_states_are_refused_by_the_database(field, value):
    project = ProjectFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(**{field: value})


def test_a_criterion_is_checked_once_per_project():
    project = ProjectFactory()
    criterion = ListingCriterion.objects.first()
    CriterionCheck.objects.create(project=project, criterion=criterion, met=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        CriterionCheck.objects.create(project=project, criterion=criterion, met=False)


def test_the_default_criteria_are_there_in_both_languages():
    criteria = list(ListingCriterion.objects.filter(active=True))
    assert len(criteria) == 5
    assert all(c.label_en and c.label_sl and c.help_text_en and c.help_text_sl for c in criteria)
    assert "research question" in criteria[0].label_en
    assert "Ethics" in criteria[-1].label_en


def test_public_is_only_published():
    shown = ProjectFactory()
    for state in ("draft", "submitted", "returned"):
        ProjectFactory(review_state=state)
    assert list(Project.objects.public()) == [shown]


def test_featured():
    featured = ProjectFactory(featured=True)
    ProjectFactory()
    assert list(Project.objects.featured()) == [featured]


def test_joinable_is_recruiting_or_active_with_a_way_to_take_part():
    recruiting = ProjectFactory(status="recruiting")
    active_with_how = ProjectFactory(status="active", how_to_take_part_en="", how_to_take_part_sl="Prijavite se.")
    ProjectFactory(status="active", how_to_take_part="")
    ProjectFactory(status="completed", how_to_take_part="Sign up.")
    ProjectFactory(status="planned", how_to_take_part="Sign up.")
    assert set(Project.objects.joinable()) == {recruiting, active_with_how}
    assert {p for p in Project.objects.all() if p.is_joinable} == {recruiting, active_with_how}


@pytest.mark.parametrize("query", ["znanost", "ZNANOST", "Znanost", "znanóst"])
def test_search_ignores_case_and_accents(query):
    found = ProjectFactory(title="Znanost za vse")
    ProjectFactory(title="Counting birds")
    assert list(Project.objects.search(query)) == [found]


def test_search_reaches_both_languages_the_description_and_topics():
    topic = TopicFactory(name_en="Water", name_sl="Voda")
    by_topic = ProjectFactory(title="Rivers")
    by_topic.topics.add(topic)
    in_slovenian = ProjectFactory(title_en="Beetles", title_sl="Hrošči", description_sl="Štejemo žuželke.")
    ProjectFactory(title="Other")
    assert list(Project.objects.search("voda")) == [by_topic]
    assert list(Project.objects.search("hrosci")) == [in_slovenian]
    assert list(Project.objects.search("zuzelke")) == [in_slovenian]
    assert list(Project.objects.search("")) != []  # no words: no filter


def test_a_renamed_topic_is_found_by_its_new_name():
    project = ProjectFactory()
    topic = TopicFactory(name_en="Moths")
    project.topics.add(topic)
    topic.name_en = "Butterflies"
    topic.save()
    assert list(Project.objects.search("butterflies")) == [project]
    assert list(Project.objects.search("moths")) == []


def test_title_order_follows_the_readers_alphabet():
    lead = PartnerFactory()
    for title in ("Zebra", "Čebele", "Cvetlice", "Drevesa"):
        ProjectFactory(title_en=title, title_sl=title, lead_partner=lead)
    with translation.override("sl"):
        assert [p.title for p in Project.objects.in_title_order()] == ["Cvetlice", "Čebele", "Drevesa", "Zebra"]
    with translation.override("en"):
        assert [p.title for p in Project.objects.in_title_order()] == ["Čebele", "Cvetlice", "Drevesa", "Zebra"]


def test_absolute_url():
    assert ProjectFactory(slug="bees").get_absolute_url() == "/projects/bees/"
