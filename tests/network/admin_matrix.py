"""The admin permission matrices (network, projects, infrastructure): each admin URL opened by each
member of the cast (the ``cast`` fixture), the outcome written ``OK`` or ``DENIED``."""

from __future__ import annotations

OK, DENIED = "ok", "denied"
# The cast in the order of an ``EXPECTED`` row: network coordinator, partner a's, partner b's, anonymous.
ROLES = ("network", "a", "b", "anonymous")


def admin_status(client, user, url: str) -> str:
    """``OK`` when ``user`` (None: anonymous) gets ``url`` with a 200, else ``DENIED``: anonymous
    is redirected to the login, another partner's row to the admin index ("does not exist") or
    answered 403/404. Logs the client out first."""
    client.logout()
    if user is not None:
        client.force_login(user)
    return OK if client.get(url).status_code == 200 else DENIED
