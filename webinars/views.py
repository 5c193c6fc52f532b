"""``/webinars/``: the list of webinar series. A series has no page of its own: its event's page
(``/events/<slug>/``) is the one canonical page, with the registration form and the webinar's
facts, and ``/webinars/<slug>/`` redirects there permanently.

The join link is never shown here.

``/webinars/zoom/webhook/`` receives Zoom's signed event notifications (when Zoom's API and its
webhook secret are configured).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from core.breaker import publish
from core.cache import ContentArea, cached_public_page
from core.ratelimit import Limit, client_key
from events.models import Session

from . import services, tasks
from .models import Webinar

logger = logging.getLogger(__name__)

PAGE_SIZE = 20


def _get_public_webinar(slug: str) -> Webinar:
    return get_object_or_404(Webinar.objects.published().select_related("event"), event__slug=slug)


@cached_public_page(areas=[ContentArea.EVENTS, ContentArea.SEATS, ContentArea.DIRECTORY])
@require_GET
def webinar_list(request: HttpRequest) -> HttpResponse:
    webinars = Webinar.objects.published().with_listing_data()
    page = Paginator(webinars, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "webinars/webinar_list.html", {"page": page, "query_string": ""})


class HttpResponsePermanentRedirectKeepingMethod(HttpResponsePermanentRedirect):
    """308: a form still posted to the old address (a page open since before the move) is
    posted again, body and all, to the new one."""

    status_code = 308


def _to_canonical(request: HttpRequest, url: str) -> HttpResponse:
    if request.method in ("GET", "HEAD"):
        return HttpResponsePermanentRedirect(url)
    return HttpResponsePermanentRedirectKeepingMethod(url)


def webinar_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """301 to the event's page, in the same language (308 for a POST)."""
    webinar = _get_public_webinar(slug)
    return _to_canonical(request, webinar.event.get_absolute_url())


def registered(request: HttpRequest, slug: str) -> HttpResponse:
    """The result page lives with the event page: 301 there."""
    webinar = _get_public_webinar(slug)
    return _to_canonical(request, reverse("events:registered", kwargs={"slug": webinar.event.slug}))


# --- Zoom's webhook ------------------------------------------------------------------------------

#: Zoom's event notifications are small; anything larger is not one.
WEBHOOK_MAX_BYTES = 64 * 1024
#: A notification signed longer ago (or further ahead) than this is refused: a replay.
WEBHOOK_TOLERANCE = timedelta(minutes=5)
#: Refused (unsigned or badly signed) requests allowed per client before it gets 429s.
WEBHOOK_BAD_REQUESTS = "20/10m"


def zoom_signature(secret: str, timestamp: str, body: bytes) -> str:
    """Zoom's ``x-zm-signature``: "v0=" + hex HMAC-SHA256 of "v0:{timestamp}:{body}"."""
    message = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _signed_in_time(request: HttpRequest, body: bytes, secret: str) -> bool:
    """Whether the request carries Zoom's signature of this body, made within ``WEBHOOK_TOLERANCE``.
    Any header value, however odd (non-ASCII digits such as "²", non-ASCII signatures), is
    answered True or False, never an exception."""
    timestamp = request.headers.get("x-zm-request-timestamp", "")
    signature = request.headers.get("x-zm-signature", "")
    if not (timestamp.isascii() and timestamp.isdigit()) or not signature or not signature.isascii():
        return False
    sent = int(timestamp)
    if abs(timezone.now().timestamp() - sent) > WEBHOOK_TOLERANCE.total_seconds():
        return False
    return hmac.compare_digest(zoom_signature(secret, timestamp, body).encode(), signature.encode())


def _first_use(signature: str) -> bool:
    """Remember an accepted signature for twice the tolerance; False if it was used before (a
    replay within the window). A signature covers its timestamp and body, so a legitimate new
    notification never repeats one. Kept in Django's cache: shared by every process with Redis;
    while Redis is down ``ResilientRedisCache`` remembers in this process only, and a cache
    that fails outright lets the request through (the timestamp window still bounds a replay)."""
    key = "zoom-webhook:" + hashlib.sha256(signature.encode()).hexdigest()
    try:
        return bool(cache.add(key, 1, timeout=int(2 * WEBHOOK_TOLERANCE.total_seconds())))
    except Exception:  # an unreachable cache must not refuse Zoom's notifications
        logger.warning("Could not record a Zoom webhook signature; accepted without the replay check.", exc_info=True)
        return True


def _attendance_due(session_id: int) -> bool:
    """Whether Zoom's participants report of the session is complete by now (``ATTENDANCE_DELAY``
    after its end)."""
    end = Session.objects.filter(pk=session_id).values_list("end", flat=True).first()
    return end is not None and timezone.now() >= end + services.ATTENDANCE_DELAY


@csrf_exempt
@require_POST
def zoom_webhook(request: HttpRequest) -> HttpResponse:
    """Zoom's event notifications. Every request must carry a valid ``x-zm-signature`` made
    within ``WEBHOOK_TOLERANCE`` of now (401 otherwise: an old one replayed is refused), and a
    signature is accepted once: the same notification sent again within the window gets 409
    (``_first_use``). Answered are the URL validation challenge and ``meeting.ended``: Zoom's
    participants report is complete only ``services.ATTENDANCE_DELAY`` after the end, so the
    fetch is queued now only if the session ended that long ago; otherwise the Zoom sweep
    (every five minutes) fetches it once it is due. Never cached (POST only); a client sending
    refused requests is rate-limited. Answers 404 while no webhook secret is configured."""
    secret = settings.ZOOM_WEBHOOK_SECRET_TOKEN
    if not secret:
        raise Http404
    bad = Limit("zoom-webhook:refused", client_key(request), WEBHOOK_BAD_REQUESTS)
    if settings.RATELIMIT_ENABLED and bad.exhausted():
        response = HttpResponse("Too many refused requests.", status=429, content_type="text/plain")
        response["Retry-After"] = str(bad.retry_after())
        return response
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = WEBHOOK_MAX_BYTES + 1
    if length > WEBHOOK_MAX_BYTES:
        return HttpResponse("Too large.", status=413, content_type="text/plain")
    body = request.body
    if len(body) > WEBHOOK_MAX_BYTES:
        return HttpResponse("Too large.", status=413, content_type="text/plain")
    if not _signed_in_time(request, body, secret):
        if settings.RATELIMIT_ENABLED:
            bad.record()
        return HttpResponse("Signature missing, wrong or too old.", status=401, content_type="text/plain")
    if not _first_use(request.headers["x-zm-signature"]):
        if settings.RATELIMIT_ENABLED:
            bad.record()
        return HttpResponse("Already received.", status=409, content_type="text/plain")
    try:
        notification = json.loads(body)
    except ValueError:
        return HttpResponseBadRequest("Not JSON.", content_type="text/plain")
    if not isinstance(notification, dict):
        return HttpResponseBadRequest("Not a notification.", content_type="text/plain")
    event = notification.get("event")
    payload = notification.get("payload") if isinstance(notification.get("payload"), dict) else {}
    if event == "endpoint.url_validation":
        plain = payload.get("plainToken")
        if not isinstance(plain, str) or not plain:
            return HttpResponseBadRequest("No plainToken.", content_type="text/plain")
        encrypted = hmac.new(secret.encode(), plain.encode(), hashlib.sha256).hexdigest()
        return JsonResponse({"plainToken": plain, "encryptedToken": encrypted})
    if event == "meeting.ended":
        meeting = payload.get("object") if isinstance(payload.get("object"), dict) else {}
        session_id = services.session_for_zoom_meeting(str(meeting.get("id") or ""))
        if session_id is not None and _attendance_due(session_id):
            publish(tasks.fetch_participants, session_id, retried_by=tasks.SWEEP)
    return HttpResponse(status=204)
