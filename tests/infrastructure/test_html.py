"""The catalogue's public pages, in both languages: exactly one <h1>, and valid HTML according to
the Nu HTML checker (``tests/test_html_validity.py``), its form re-rendered with errors too."""

from __future__ import annotations

import pytest

from tests.infrastructure.factories import ResourceFactory
from tests.network.factories import PartnerFactory
from tests.test_html_validity import check_documents

pytestmark = pytest.mark.django_db


@pytest.fixture
def resource():
    partner = PartnerFactory(name="Alpha Library", region="Gorenjska", city="Kranj", email="info@alpha.example")
    ResourceFactory(partner=partner, title_en="English only kit", title_sl="")
    return ResourceFactory(
        partner=partner, slug="pond-kit", title_en="Pond kit", title_sl="Komplet za mlako", lead_time_days=2,
        fee_note_en="Ten euros a week.", cost="fee", who_may_use_en="Schools", booking_notes_en="Ring **first**.",
        description_en="## What is in it\n\nNets, jars and a *guide*.\n\n<script>alert(1)</script>",
    )


def pages(client) -> dict[str, str]:
    documents = {}
    for prefix in ("", "/sl"):
        sent = client.post(prefix + "/infrastructure/pond-kit/", {
            "name": "Ana", "email": "ana@example.org", "message": f"Hello {prefix}", "consent": "on",
        })
        assert sent.status_code == 302
        for path in ("/infrastructure/", "/infrastructure/?q=kit&free=on", "/infrastructure/pond-kit/",
                     "/infrastructure/pond-kit/request-sent/"):
            response = client.get(prefix + path)
            assert response.status_code == 200, prefix + path
            documents[prefix + path] = response.content.decode()
        errors = client.post(prefix + "/infrastructure/pond-kit/", {"email": "x", "wanted_from": "2020-01-01"})
        documents[prefix + "/infrastructure/pond-kit/ (errors)"] = errors.content.decode()
    return documents


def test_one_h1_and_no_script_from_the_description(client, resource):
    for label, html in pages(client).items():
        assert html.count("<h1") == 1, label
        assert "<script>alert(1)</script>" not in html, label


def test_valid_html(client, resource, tmp_path):
    errors = check_documents(pages(client), tmp_path)
    report = "\n".join(f"{label}:\n  " + "\n  ".join(lines) for label, lines in sorted(errors.items()))
    assert not errors, f"HTML errors:\n{report}"
