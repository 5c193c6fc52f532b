"""A project's lead partner is named in public only while the partner is published
(``Project.public_lead_partner``): a pending applicant, often a private person, or an archived
partner is named on no public page, in no JSON-LD, API row or CSV cell; the same for
participating partners."""

import csv
import io
import json
import re

import pytest

from network.models import Partner
from tests.network.factories import PartnerFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def _lead(status: str) -> Partner:
    return PartnerFactory(
        name="Ana Novak", slug="ana-novak", kind=Partner.Kind.INDIVIDUAL, partner_type=Partner.Type.INDIVIDUAL,
        status=status,
    )


def _public_texts(client, project) -> dict[str, str]:
    """Every public place a project is shown, by where."""
    texts = {}
    for prefix in ("", "/sl"):
        for path in ("/projects/", project.get_absolute_url(), "/"):
            response = client.get(prefix + path)
            assert response.status_code == 200, prefix + path
            texts[prefix + path] = response.content.decode()
    for path in ("/api/projects/", "/projects.csv"):
        response = client.get(path)
        assert response.status_code == 200, path
        texts[path] = response.content.decode("utf-8-sig")
    return texts


def _api_lead(client):
    return json.loads(client.get("/api/projects/").content)["results"][0]["lead_partner"]


def _csv_lead(client) -> str:
    rows = list(csv.DictReader(io.StringIO(client.get("/projects.csv").content.decode("utf-8-sig"))))
    return rows[0]["lead_partner"]


def _ld_lead(client, project):
    data = json.loads(LD_JSON.search(client.get(project.get_absolute_url()).content.decode()).group(1))
    return data.get("parentOrganization")


@pytest.mark.parametrize("status", [Partner.Status.PENDING, Partner.Status.ARCHIVED])
def test_an_unpublished_lead_partner_is_named_nowhere_in_public(client, status):
    project = ProjectFactory(title="River Watch", lead_partner=_lead(status), featured=True)
    assert project.public_lead_partner is None
    for where, text in _public_texts(client, project).items():
        assert "River Watch" in text, where  # the project is shown ...
        assert "Ana Novak" not in text and "ana-novak" not in text, where  # ... its lead is not
    assert _api_lead(client) is None
    assert _csv_lead(client) == ""
    assert _ld_lead(client, project) is None


def test_a_published_lead_partner_is_named_everywhere(client):
    lead = _lead(Partner.Status.PUBLISHED)
    project = ProjectFactory(title="River Watch", lead_partner=lead, featured=True)
    assert project.public_lead_partner == lead
    for where, text in _public_texts(client, project).items():
        assert "Ana Novak" in text, where
    assert 'href="/partners/ana-novak/"' in client.get(project.get_absolute_url()).content.decode()
    assert _api_lead(client)["slug"] == "ana-novak"
    assert _csv_lead(client) == "Ana Novak"
    assert _ld_lead(client, project)["name"] == "Ana Novak"


def test_only_published_participating_partners_are_named(client):
    project = ProjectFactory(title="River Watch", featured=True)
    project.partners.add(_lead(Partner.Status.PENDING), PartnerFactory(name="Beta Institute"))
    texts = _public_texts(client, project)
    detail, api = texts[project.get_absolute_url()], texts["/api/projects/"]
    assert "Beta Institute" in detail and "Beta Institute" in api and "Beta Institute" in texts["/projects.csv"]
    for where, text in texts.items():
        assert "Ana Novak" not in text, where
