"""The site coordinates personal data over every app's own holder, found by discovery."""

from __future__ import annotations

from core import personal_data
from portal import privacy


def test_every_app_that_holds_personal_data_is_discovered():
    holders = {f"{type(h).__module__}.{type(h).__name__}" for h in privacy.discover()}
    assert holders == {
        "core.audit.AuditLog",
        "events.personal_data.Registrations",
        "infrastructure.personal_data.UseRequests",
        "mailing.personal_data.Subscribers",
        "network.personal_data.NetworkContacts",
        "outbox.personal_data.Messages",
        "portal.personal_data.AdminHistory",
        "portal.personal_data.LoginAccounts",
        "webinars.personal_data.ZoomRegistrants",
    }


def test_discovering_twice_registers_nothing_twice():
    first = privacy.discover()
    assert privacy.discover() == first
    personal_data.register(type(first[0])())  # a module imported again registers its holder again
    assert privacy.discover() == first
