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


# --- A module a coordinator created by hand before the import (same slug, no source key) --------


def test_a_hand_made_module_with_the_same_slug_is_adopted_with_its_edits():
    from seeds.writers.network import BESPOC_MODULES

    hand_made = ServiceModule.objects.create(
        name="Activity portal (our wording)", slug="activity-portal", summary="", offers="Written by a coordinator."
    )
    out = run()
    hand_made.refresh_from_db()
    assert ServiceModule.objects.filter(slug__startswith="activity-portal").count() == 1
    assert hand_made.source_key == "bespoc-module:activity-portal"
    assert hand_made.name == "Activity portal (our wording)"  # the coordinator's value is kept
    assert hand_made.offers == "Written by a coordinator."
    assert hand_made.summary == BESPOC_MODULES[0][1]  # an empty field is filled
    assert "Adopted network.ServiceModule" in out
    assert "Kept a coordinator's edit: network.ServiceModule:bespoc-module:activity-portal:name" in out
    # A later import changes nothing and keeps the coordinator's name for good.
    assert "Total: 0 created, 0 updated" in run()
    hand_made.refresh_from_db()
    assert hand_made.name == "Activity portal (our wording)"


def test_a_record_the_database_refuses_is_a_command_error_naming_file_and_record():
    # A module with the slug of a seed module under another source key: no adoption, a clash.
    ServiceModule.objects.create(name="Other", slug="community-builder", source_key="elsewhere:1")
    with pytest.raises(CommandError) as excinfo:
        run()
    message = str(excinfo.value)
    assert "000_87500a816e81581a.txt" in message
    assert "network.ServiceModule 'bespoc-module:community-builder'" in message
    assert Partner.objects.count() == 0  # nothing half-written


def _refusing_writer(parsed, *, source, report):
    from django.db import DataError

    raise DataError("value too long for type character varying(60)")


def test_a_database_error_outside_upsert_names_the_file_and_writer(monkeypatch):
    monkeypatch.setattr("seeds.writers.PARTNERS_PAGE_WRITERS", ["tests.seeds.test_loader._refusing_writer"])
    with pytest.raises(CommandError, match=r"unseen_partners_page\.txt: .*the database refused a record"):
        run(FIXTURES / "unseen_partners_page.txt")


# --- A partner renamed in a later version of a partners page -----------------------------------


def _page(tmp_path, text: str, name: str = "partners.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_partner_missing_from_a_later_version_is_flagged_not_removed(tmp_path):
    original = (FIXTURES / "unseen_partners_page.txt").read_text(encoding="utf-8")
    path = _page(tmp_path, original)
    run(path)
    old = Partner.objects.get(name="Alpine Stream Society")
    assert not old.needs_review
    path = _page(tmp_path, original.replace("Alpine Stream Society", "Alpine Springs Society"))
    out = run(path)
    old.refresh_from_db()
    assert old.status == Partner.Status.PUBLISHED  # never unpublished or deleted automatically
    assert old.needs_review
    assert old.review_reason.startswith("No longer in partners.txt")
    assert "Not in partners.txt any more, flagged for review: Alpine Stream Society" in out
    new = Partner.objects.get(name="Alpine Springs Society")
    assert not new.needs_review
    others = Partner.objects.exclude(pk__in=[old.pk, new.pk])
    assert not others.filter(needs_review=True).exists()
    # Running the same version again changes nothing.
    assert "Total: 0 created, 0 updated" in run(path)
    # If the old name comes back, the import clears its own flag.
    run(_page(tmp_path, original))
    old.refresh_from_db()
    assert not old.needs_review and old.review_reason == ""


def test_a_flag_a_coordinator_cleared_is_not_raised_again(tmp_path):
    original = (FIXTURES / "unseen_partners_page.txt").read_text(encoding="utf-8")
    run(_page(tmp_path, original))
    renamed = _page(tmp_path, original.replace("Alpine Stream Society", "Alpine Springs Society"))
    run(renamed)
    old = Partner.objects.get(name="Alpine Stream Society")
    old.needs_review = False
    old.save()
    run(renamed)
    old.refresh_from_db()
    assert not old.needs_review


def test_another_file_does_not_flag_partners_of_the_first(loaded):
    run(FIXTURES / "unseen_partners_page.txt")
    assert not Partner.objects.filter(review_reason__startswith="No longer in").exists()
