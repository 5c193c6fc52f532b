"""Email addresses as the portal stores and compares them."""

from __future__ import annotations


def normalise_email(email: str | None) -> str:
    """Trimmed and lower-cased, so that one person is one address: registrations, subscriptions
    and personal-data requests all compare addresses in this form. (Only the domain is
    case-insensitive by the standard, but no mail system in use treats local parts by case.)"""
    return (email or "").strip().lower()


def limit_key(email: str | None) -> str:
    """The address as the registration engine's limit on plus-tagged addresses counts it
    (``events.services``): normalised, and with a plus tag dropped from the local part
    (``Ana+1@x.org`` → ``ana@x.org``), because every tag is delivered to one mailbox. For that
    limit only: the address is stored and mailed as typed (``normalise_email``), since not every
    mail system treats ``+`` as a tag, and the public forms' per-address limit
    (``core.ratelimit.limit_public_form``) counts the address as typed, so that a stranger's
    tagged variants cannot use up the plain address's allowance."""
    address = normalise_email(email)
    local, at, domain = address.rpartition("@")
    if not at:
        return address
    return f"{local.split('+', 1)[0]}@{domain}"


def is_tagged(email: str | None) -> bool:
    """Whether ``email`` carries a plus tag, i.e. whether it differs from its ``limit_key``."""
    return limit_key(email) != normalise_email(email)
