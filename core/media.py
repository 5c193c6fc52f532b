"""Uploaded files (partner logos) served with safe headers.

Uploads are re-encoded to PNG, JPEG or WebP on the way in (``core.uploads.reencode_image``); this
view serves only those types from ``MEDIA_ROOT``, with the type fixed by the extension,
``X-Content-Type-Options: nosniff``, an inline ``Content-Disposition`` and a CSP that allows
nothing to run, so a file can never be interpreted as HTML or script. Anything else is a 404.
In production a web server in front of gunicorn may serve ``/media/`` instead, with the same
headers (``nosniff``, the image types only, ``Content-Security-Policy: default-src 'none'``).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest
from django.utils._os import safe_join
from django.views.decorators.http import require_GET

SAFE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp"}


@require_GET
def serve_media(request: HttpRequest, path: str) -> FileResponse:
    try:
        full = Path(safe_join(settings.MEDIA_ROOT, path))
    except (ValueError, Exception):  # SuspiciousFileOperation for ../ escapes
        raise Http404 from None
    content_type = SAFE_TYPES.get(full.suffix.lower())
    if content_type is None or not full.is_file():
        raise Http404
    response = FileResponse(full.open("rb"), content_type=content_type, filename=full.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=86400"
    return response
