"""Signed, expiring tokens for the links in mailing-list emails.

Each purpose has its own salt, so a token made for one purpose (say, managing subscriptions) is
rejected by every other (say, unsubscribing). Tokens carry ids or an address, never a secret.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core import signing

CONFIRM = "confirm"
UNSUBSCRIBE = "unsubscribe"
MANAGE = "manage"

MAX_AGE: dict[str, timedelta] = {
    CONFIRM: timedelta(days=7),
    # Unsubscribe links sit in old messages and in List-Unsubscribe headers: they live long.
    UNSUBSCRIBE: timedelta(days=400),
    MANAGE: timedelta(days=90),
}


class InvalidToken(Exception):
    """Tampered, expired, or made for another purpose."""


def _signer(purpose: str) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"mailing.{purpose}")


def make_token(purpose: str, payload: dict[str, Any]) -> str:
    return _signer(purpose).sign_object(payload, compress=True)


def read_token(purpose: str, token: str) -> dict[str, Any]:
    try:
        payload = _signer(purpose).unsign_object(token, max_age=MAX_AGE[purpose])
    except (signing.BadSignature, ValueError, TypeError, UnicodeError) as exc:  # SignatureExpired is a BadSignature
        raise InvalidToken(str(exc)) from None
    if not isinstance(payload, dict):
        raise InvalidToken("payload")
    return payload


def confirm_token(subscription_ids: list[int]) -> str:
    return make_token(CONFIRM, {"s": sorted(subscription_ids)})


def unsubscribe_token(subscription_id: int) -> str:
    return make_token(UNSUBSCRIBE, {"s": subscription_id})


def manage_token(email: str) -> str:
    return make_token(MANAGE, {"e": email})


def read_confirm_token(token: str) -> list[int]:
    ids = read_token(CONFIRM, token).get("s")
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        raise InvalidToken("payload")
    return ids


def read_unsubscribe_token(token: str) -> int:
    sid = read_token(UNSUBSCRIBE, token).get("s")
    if not isinstance(sid, int):
        raise InvalidToken("payload")
    return sid


def read_manage_token(token: str) -> str:
    email = read_token(MANAGE, token).get("e")
    if not isinstance(email, str) or not email:
        raise InvalidToken("payload")
    return email
