"""A partner's replaced, cleared or deleted logo leaves storage once the change commits, so
/media/ no longer serves it (issue 16, finding 11); not before the commit, and not on a rollback."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from network.admin import PartnerAdmin
from network.models import Partner
from tests.network.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def _png(colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def partner() -> Partner:
    partner = PartnerFactory(name="Kranj Library", slug="kranj-library")
    partner.logo.save("kranj.png", ContentFile(_png()), save=True)
    return partner


class _FormFields(HTMLParser):
    """The values the browser would submit from the admin's change form (no file inputs)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def _add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("file", "submit", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self._add(name, a.get("value", "on" if a.get("type") == "checkbox" else ""))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self._add(self._select, a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self._add(name, "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea][-1] += data.removeprefix("\n") if not self.data[self._textarea][-1] else data


def _change(client, partner: Partner, **changes):
    url = f"/admin/network/partner/{partner.pk}/change/"
    fields = _FormFields()
    fields.feed(client.get(url).content.decode())
    data = {name: values for name, values in fields.data.items() if name != "logo-clear"}
    data.update(changes)
    return client.post(url, data)


def _served(client, name: str) -> int:
    return client.get(f"/media/{name}").status_code


def test_a_replaced_logo_leaves_storage_once_the_change_commits(
    network_coordinator_client, partner, django_capture_on_commit_callbacks
):
    old = partner.logo.name
    with django_capture_on_commit_callbacks() as callbacks:
        response = _change(network_coordinator_client, partner, logo=SimpleUploadedFile("new.png", _png("blue"), "image/png"))
        assert response.status_code == 302, response.content.decode()[:2000]
        assert default_storage.exists(old)  # not before the commit
    for callback in callbacks:
        callback()

    partner.refresh_from_db()
    assert partner.logo.name != old and default_storage.exists(partner.logo.name)
    assert not default_storage.exists(old)
    assert _served(network_coordinator_client, old) == 404
    assert _served(network_coordinator_client, partner.logo.name) == 200


def test_a_cleared_logo_leaves_storage(network_coordinator_client, partner, django_capture_on_commit_callbacks):
    old = partner.logo.name
    with django_capture_on_commit_callbacks(execute=True):
        assert _change(network_coordinator_client, partner, **{"logo-clear": "on"}).status_code == 302
    partner.refresh_from_db()
    assert not partner.logo
    assert not default_storage.exists(old) and _served(network_coordinator_client, old) == 404


def test_a_save_without_a_new_logo_keeps_it(network_coordinator_client, partner, django_capture_on_commit_callbacks):
    old = partner.logo.name
    with django_capture_on_commit_callbacks(execute=True):
        assert _change(network_coordinator_client, partner, city="Kranj").status_code == 302
    partner.refresh_from_db()
    assert partner.city == "Kranj" and partner.description == "A library that lends microscopes."
    assert partner.logo.name == old
    assert _served(network_coordinator_client, old) == 200


def test_a_replacement_that_rolls_back_keeps_the_old_logo_and_one_that_commits_does_not(
    network_coordinator_client, partner, monkeypatch, django_capture_on_commit_callbacks
):
    old = partner.logo.name

    def fail(*args, **kwargs):
        raise RuntimeError("the admin's transaction fails after the save")

    with monkeypatch.context() as patch, django_capture_on_commit_callbacks(execute=True):
        patch.setattr(PartnerAdmin, "log_change", fail)
        with pytest.raises(RuntimeError):
            _change(network_coordinator_client, partner, logo=SimpleUploadedFile("new.png", _png("blue"), "image/png"))
    partner.refresh_from_db()
    assert partner.logo.name == old
    assert _served(network_coordinator_client, old) == 200

    with django_capture_on_commit_callbacks(execute=True):
        _change(network_coordinator_client, partner, logo=SimpleUploadedFile("new.png", _png("blue"), "image/png"))
    assert _served(network_coordinator_client, old) == 404


def test_a_deleted_partners_logo_leaves_storage(network_coordinator_client, partner, django_capture_on_commit_callbacks):
    old = partner.logo.name
    with django_capture_on_commit_callbacks(execute=True):
        response = network_coordinator_client.post(f"/admin/network/partner/{partner.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Partner.objects.filter(pk=partner.pk).exists()
    assert not default_storage.exists(old) and _served(network_coordinator_client, old) == 404


def test_partners_deleted_in_bulk_take_their_logos_with_them(
    network_coordinator_client, partner, django_capture_on_commit_callbacks
):
    other = PartnerFactory()
    other.logo.save("other.png", ContentFile(_png("green")), save=True)
    kept = PartnerFactory()
    kept.logo.save("kept.png", ContentFile(_png("white")), save=True)
    names = [partner.logo.name, other.logo.name]
    with django_capture_on_commit_callbacks(execute=True):
        response = network_coordinator_client.post(
            "/admin/network/partner/",
            {"action": "delete_selected", "_selected_action": [partner.pk, other.pk], "post": "yes"},
        )
    assert response.status_code == 302
    assert [_served(network_coordinator_client, name) for name in names] == [404, 404]
    assert _served(network_coordinator_client, kept.logo.name) == 200


def test_storage_failing_after_the_commit_leaves_the_change_standing_and_is_logged(
    network_coordinator_client, partner, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def refuse(self, name):
        raise PermissionError(f"read-only file system: {name}")

    monkeypatch.setattr(FileSystemStorage, "delete", refuse)  # the media volume turned read-only
    with django_capture_on_commit_callbacks(execute=True):  # raises here if the callback is not robust
        response = _change(network_coordinator_client, partner, logo=SimpleUploadedFile("new.png", _png("blue"), "image/png"))
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.logo.name != "partners/logos/kranj.png"
    assert "read-only file system" in caplog.text
