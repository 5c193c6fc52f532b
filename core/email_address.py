"""Email addresses as the portal stores and compares them."""

from __future__ import annotations


def normalise_email(email: str | None) -> str:
    """Trimmed and lower-cased, so that one person is one address: registrations, subscriptions
    and personal-data requests all compare addresses in this form. (Only the domain is
    case-insensitive by the standard, but no mail system in use treats local parts by case.)"""
    return (email or "").strip().lower()
