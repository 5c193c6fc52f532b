"""``projects.demo.load``: three clearly marked demo projects, led by existing partners; idempotent."""

import io

import pytest

from network.models import Partner
from projects import demo
from projects.models import Project
from projects.services import unmet_criteria
from tests.network.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_without_partners_it_creates_nothing_and_says_why():
    out = io.StringIO()
    demo.load(stdout=out)
    assert not Project.objects.exists() and not Partner.objects.exists()
    assert "load_seeds" in out.getvalue()


def test_it_creates_three_marked_public_projects_once():
    PartnerFactory.create_batch(2)
    demo.load(stdout=io.StringIO())
    demo.load(stdout=io.StringIO())
    projects = list(Project.objects.public())
    assert len(projects) == 3 and Partner.objects.count() == 2
    for project in projects:
        assert project.title_en.startswith("Demo project:") and project.title_sl.startswith("Demo projekt:")
        assert "Demo data" in project.description_en and "Demo podatki" in project.description_sl
        assert unmet_criteria(project) == []
    assert Project.objects.featured().count() == 1
    assert Project.objects.joinable().count() == 2
