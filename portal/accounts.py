"""The allauth account adapter for coordinators' logins (``ACCOUNT_ADAPTER``).

It lives in the site layer because it joins allauth to the outbox: ``core`` (where the roles
helpers are, ``core.accounts``) may not import ``outbox``, and the outbox knows nothing of logins.

What it changes in allauth's behaviour, and why:

- **No public sign-up.** Coordinators' accounts are made by a network coordinator in the admin.
- **Every email goes through the outbox.** allauth sends password resets, address confirmations
  and notifications with ``EmailMessage.send()`` inside the request, so with SMTP down the page
  answered 500 and the message was lost. ``send_mail`` (the one method every allauth email passes
  through) renders allauth's templates and writes an outbox row instead
  (``outbox.services.queue_email``); the worker delivers it and retries while SMTP is down.
  Every one is written ``secret``: most carry a sign-in link (a password reset, an address
  confirmation), which whoever may view the outbox could otherwise follow, so the outbox shows
  their content to nobody and blanks it once sent; the few that carry none (a notice that the
  password changed) are not worth telling apart.
- **Links come from ``SITE_URL``** (``core.sites.absolute_url``), never from the request's Host
  or X-Forwarded-Proto, which whoever sends the request chooses: a password-reset link built from
  a forged Host would carry the reset key to that host. The messages are rendered without the
  request, and the site's name and domain in them come from settings too.
- **A password reset goes only to an address the account owns**: the account's own address
  (``User.email``, set by the network coordinator who made the account) or an address the user
  has confirmed. An address added at ``/accounts/email/`` and not yet confirmed gets no reset
  link (a typo there would otherwise hand the account to whoever owns the typo), just as it
  cannot be used to log in (``ACCOUNT_EMAIL_VERIFICATION = "mandatory"``). Nothing is ever sent to
  an address without an account (``ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False``; sign-up is closed,
  so neither is "account already exists").
- **Client addresses** are the ones the site's own rate limits use
  (``core.ratelimit.client_ip``, honouring ``RATELIMIT_TRUSTED_PROXIES``), so behind a reverse
  proxy allauth's per-IP limits apply per visitor, not to everybody at once.
- **Failed logins lock out the guesser, not the owner.** allauth's ``login_failed`` limit
  (``ACCOUNT_RATE_LIMITS``: 10 a minute per IP, 5 in 5 minutes per key) counted the key per
  account, so five wrong passwords from anywhere locked the real owner out for five minutes.
  Here the key is the client's IP *and* the account (``_get_login_attempts_cache_key``): the
  guesser's address is locked, the owner logging in from another one is not. What slows a
  guesser who spreads over many addresses is a delay rather than a lock or a CAPTCHA (no
  third-party script under our Content-Security-Policy, no puzzle that shuts out screen-reader
  users): every login attempt for an account waits ``LOGIN_DELAY_STEP`` seconds for each failed
  login for that account (from any address) in the last ``LOGIN_FAILURE_WINDOW`` seconds beyond
  the first ``LOGIN_FAILURES_FREE`` (typos), at most ``LOGIN_DELAY_CAP`` seconds. The wait comes
  before the password is checked, right or wrong, so its length tells nothing about the answer,
  and the owner under attack waits at most ``LOGIN_DELAY_CAP`` and is never refused. The cost is
  a web worker held for that long; one address can cause at most 10 such waits a minute (the
  per-IP limit). The failures are counted in the cache beside allauth's own counters; when the
  cache is unavailable there is no delay (a brake, not a gate).
"""

from __future__ import annotations

import hashlib
import time
from typing import Any
from urllib.parse import quote

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sites.requests import RequestSite
from django.core.cache import cache
from django.http import HttpRequest
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_str

from core.email_address import normalise_email
from core.ratelimit import client_ip
from core.sites import absolute_url, site_domain, site_name
from outbox.services import queue_email


class _SiteFromSettings(RequestSite):
    """What allauth's templates read as ``current_site`` (``name`` and ``domain``), taken from
    ``SITE_NAME`` and ``SITE_URL`` rather than from the request or the Sites table."""

    def __init__(self) -> None:
        self.domain = site_domain()

    @property
    def name(self) -> str:
        """The site's name in the language the email is written in (the catalogue translates
        ``SITE_NAME``, as the outbox's sender name does)."""
        return site_name()


def _account_key(credentials: dict[str, Any]) -> str:
    """The login as typed, normalised (trimmed and lower-cased, as allauth keys its counters)."""
    return normalise_email(str(credentials.get("email", credentials.get("username", ""))))


class CoordinatorAccountAdapter(DefaultAccountAdapter):
    LOGIN_FAILURES_FREE = 3
    LOGIN_DELAY_STEP = 0.25  # seconds per failure beyond the free ones
    LOGIN_DELAY_CAP = 1.5  # seconds
    LOGIN_FAILURE_WINDOW = 15 * 60  # seconds

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    # --- Email: rendered here, delivered by the outbox ----------------------------------------

    def format_email_subject(self, subject: str) -> str:
        prefix = account_settings.EMAIL_SUBJECT_PREFIX
        if prefix is None:
            prefix = f"[{site_name()}] "
        return prefix + force_str(subject)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Render ``<template_prefix>_subject.txt``, ``_message.txt`` (and ``_message.html`` if
        there is one) in the active language and write the message to the outbox; nothing is
        sent during the request."""
        ctx = {"email": email, "current_site": _SiteFromSettings(), **context}
        ctx.pop("request", None)  # nothing in a message may depend on the request's headers
        subject = render_to_string(f"{template_prefix}_subject.txt", ctx)
        subject = self.format_email_subject(" ".join(subject.splitlines()).strip())
        text = render_to_string(f"{template_prefix}_message.txt", ctx).strip()
        try:
            html = render_to_string(f"{template_prefix}_message.{account_settings.TEMPLATE_EXTENSION}", ctx).strip()
        except TemplateDoesNotExist:
            html = ""
        queue_email(
            to=email,
            subject=subject,
            body_text=text,
            body_html=html,
            purpose=template_prefix[:60],
            language=translation.get_language() or settings.LANGUAGE_CODE,
            secret=True,
        )

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return absolute_url(path.replace("UID-KEY", quote(key)))

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: Any) -> str:
        return absolute_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def send_password_reset_mail(self, user: AbstractBaseUser, email: str, context: dict[str, Any]) -> None:
        """Only to the account's own address or one its owner has confirmed (see the module)."""
        own = normalise_email(getattr(user, "email", "")) == normalise_email(email)
        if own or EmailAddress.objects.filter(user_id=user.pk, email__iexact=email, verified=True).exists():
            super().send_password_reset_mail(user, email, context)

    def send_account_already_exists_mail(self, email: str) -> None:
        """Never: sign-up is closed, and the address is whatever someone typed."""

    # --- Who is asking, and failed logins ----------------------------------------------------

    def get_client_ip(self, request: HttpRequest) -> str:
        return client_ip(request) or super().get_client_ip(request)

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth's per-"key" login_failed limit (and the reset that clears it after a password
        # reset) then counts per client address and account, not per account alone.
        return f"{self.get_client_ip(request)}:{_account_key(credentials)}"

    @staticmethod
    def _failures_key(credentials: dict[str, Any]) -> str:
        digest = hashlib.sha256(_account_key(credentials).encode()).hexdigest()  # no address in Redis
        return f"portal:login-failures:{digest}"

    def login_delay(self, failures: int) -> float:
        """Seconds every login attempt for an account waits after ``failures`` recent failures."""
        return min(self.LOGIN_DELAY_CAP, self.LOGIN_DELAY_STEP * max(0, failures - self.LOGIN_FAILURES_FREE))

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        super().pre_authenticate(request, **credentials)  # over a limit: refused at once, no wait
        delay = self.login_delay(int(cache.get(self._failures_key(credentials), 0) or 0))
        if delay > 0:
            time.sleep(delay)

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        key = self._failures_key(credentials)
        if not cache.add(key, 1, timeout=self.LOGIN_FAILURE_WINDOW):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=self.LOGIN_FAILURE_WINDOW)
