from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from network.models import NetworkContact, Partner, ServiceModule
from seeds.loader import default_paths

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "loader_fixtures"


def run(*paths) -> str:
    from io import StringIO

    out = StringIO()
    call_command("load_seeds", *[str(p) for p in paths], stdout=out)
    return out.getvalue()


@pytest.fixture
def loaded():
    return run()


def test_loads_the_32_network_partners(loaded):
    partners = Partner.objects.published().network_partners()
    assert partners.count() == 32
    assert partners.filter(kind="individual").count() == 1
    assert partners.filter(needs_review=True, name__icontains="carnivores").count() == 1
    dopps = partners.get(acronym="DOPPS")
    assert "BirdLife International" in dopps.description
    assert "Total: " in loaded and " created" in loaded


def test_contact_block_and_footer(loaded, client):
    contact = NetworkContact.objects.get()
    assert contact.phone and contact.address
    body = client.get("/").content.decode()
    assert contact.address in body and contact.coordinator_name in body


def test_news_item_creates_external_organisations_and_modules(loaded):
    externals = Partner.objects.external()
    assert set(externals.values_list("name", flat=True)) >= {"University of Tartu", "Kaunas University of Technology", "TalTech"}
    assert all(p.status == "published" for p in externals)
    assert list(ServiceModule.objects.values_list("name", flat=True)) == [
        "Activity Portal", "Community Builder", "Gateway to Society", "Citizen Science Communication",
    ]


def test_second_run_changes_nothing(loaded):
    before = list(Partner.objects.order_by("pk").values())
    out = run()
    assert "Total: 0 created, 0 updated" in out
    assert list(Partner.objects.order_by("pk").values()) == before


def test_coordinator_edit_is_never_overwritten(loaded):
    partner = Partner.objects.get(name="Slovenian Institute fo Adult Education")
    partner.name = "Slovenian Institute for Adult Education"
    partner.save()
    out = run()
    partner.refresh_from_db()
    assert partner.name == "Slovenian Institute for Adult Education"
    assert "Total: 0 created, 0 updated" in out


def test_untouched_field_follows_a_changed_source(loaded, tmp_path):
    partner = Partner.objects.get(acronym="DOPPS")
    text = Path(default_paths()[-1]).read_text(encoding="utf-8") if "004" in str(default_paths()[-1]) else None
    assert text is not None
    changed = tmp_path / "004_partners.txt"
    changed.write_text(text.replace("BirdLife International", "BirdLife Int."), encoding="utf-8")
    out = run(changed)
    partner.refresh_from_db()
    assert "BirdLife Int." in partner.description
    assert "1 updated" in out


def test_unseen_partners_page_imports(tmp_path):
    out = run(FIXTURES / "unseen_partners_page.txt")
    names = set(Partner.objects.values_list("name", flat=True))
    assert {"Mountain Valley Library", "Alpine Stream Society", "Institute for Freshwater Research"} <= names
    mvl = Partner.objects.get(name="Mountain Valley Library")
    assert mvl.acronym == "MVL"
    assert "open archive" in mvl.description
    assert "annual report" in Partner.objects.get(name="Institute for Freshwater Research").description
    assert NetworkContact.objects.get().phone == "04 123 4567"
    assert "3 created" in out
    assert "Total: 0 created, 0 updated" in run(FIXTURES / "unseen_partners_page.txt")


@pytest.mark.parametrize(
    "content, message",
    [(None, "no such file"), (b"", "empty"), (b"  \n\n", "empty"), (b"Caf\xe9 \xff\xfe", "UTF-8")],
)
def test_bad_files_fail_clearly_and_write_nothing(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run(FIXTURES / "unseen_partners_page.txt", path)
    assert Partner.objects.count() == 0


def test_bad_file_exits_non_zero(tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "manage.py", "load_seeds", str(tmp_path / "missing.txt")],
        capture_output=True, text=True, env={"DEBUG": "True", "VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode != 0
    assert "no such file" in result.stderr
