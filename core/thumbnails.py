"""Sized copies of uploaded images (partner logos), kept in media storage beside the original.

``partners/logos/ctk.png`` has its copies in ``partners/logos/thumbs/ctk-96w.png``,
``…/ctk-192w.png``: each fits a square of that many pixels (never enlarged), in the original's
format (uploads are PNG, JPEG or WebP, ``core.uploads``), served by ``core.media`` like the original.

A page never decodes an image: ``find_thumbnail`` only looks for the copies (a few stats and the
small copy's header). When they are missing or older than the original, the page shows no image
that once and asks for them with ``make_after_response``: they are made after the response has
been sent (its ``close()``, which every WSGI server and the test client call), and ``on_made``
raises the page's content area so that the cached page is rendered again with them. A copy that
cannot be made (a broken file) is not tried again for an hour.

Copies follow their original: a logo replaced or deleted takes its copies with it only when the
caller deletes them too (``delete_variants``).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from io import BytesIO

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.http import HttpResponseBase
from PIL import Image, UnidentifiedImageError

logger = logging.getLogger(__name__)

THUMBS_FOLDER = "thumbs"
RETRY_AFTER_FAILURE = 3600  # seconds before a copy that could not be made is tried again
MAKING_LOCK = 120  # seconds one process has to make a logo's copies before another may try
_FORMATS = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "webp": "WEBP"}
_STORAGE_ERRORS = (OSError, ValueError, NotImplementedError, UnidentifiedImageError, Image.DecompressionBombError)


@dataclass(frozen=True)
class Thumbnail:
    """What an ``<img>`` needs: the 1x copy, its size, and a ``srcset`` with the larger copies."""

    src: str
    srcset: str
    width: int
    height: int


def variant_name(name: str, width: int) -> str:
    """The storage name of ``name``'s copy ``width`` pixels wide at most."""
    folder, _, filename = name.rpartition("/")
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = filename, ""
    copy = f"{stem}-{width}w.{extension}" if extension else f"{stem}-{width}w"
    return f"{folder}/{THUMBS_FOLDER}/{copy}" if folder else f"{THUMBS_FOLDER}/{copy}"


def _is_current(storage: Storage, name: str, copy: str) -> bool:
    """``copy`` exists and was made after ``name`` was stored (a new logo stored under an old
    name is never shown through the copies of the old one)."""
    try:
        return storage.get_modified_time(copy) >= storage.get_modified_time(name)
    except NotImplementedError:  # a storage without modification times: existence only
        return storage.exists(copy)
    except OSError:  # no copy (or no original) yet
        return False


def find_thumbnail(storage: Storage, name: str, widths: Sequence[int]) -> Thumbnail | None:
    """``name``'s copies for ``widths`` (the first is 1x, the others ``width / widths[0]`` x),
    or ``None`` if one of them is not made yet (a copy may serve two lists of widths: the card's
    2x is the partner page's 1x)."""
    if not name:
        return None
    first = variant_name(name, widths[0])
    try:
        if not all(_is_current(storage, name, variant_name(name, width)) for width in widths):
            return None
        with storage.open(first, "rb") as file, Image.open(file) as image:
            width, height = image.size
    except _STORAGE_ERRORS:
        return None
    srcset = ", ".join(f"{storage.url(variant_name(name, w))} {w / widths[0]:g}x" for w in widths)
    return Thumbnail(src=storage.url(first), srcset=srcset, width=width, height=height)


def _encoded_copy(image: Image.Image, fmt: str, width: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((width, width), Image.Resampling.LANCZOS)
    out = BytesIO()
    options = {"optimize": True} if fmt == "PNG" else {"quality": 85}
    copy.save(out, format=fmt, **options)
    return out.getvalue()


def make_variants(storage: Storage, name: str, widths: Sequence[int]) -> bool:
    """Write ``name``'s missing copies. False if the original cannot be read or a copy cannot
    be stored (logged; the page goes on without the image)."""
    fmt = _FORMATS.get(name.rpartition(".")[2].lower())
    if fmt is None:
        return False
    try:
        with storage.open(name, "rb") as file, Image.open(file) as original:
            original.draft(None, (max(widths), max(widths)))  # JPEG: decode at a reduced scale
            image = original.convert("RGBA" if fmt != "JPEG" and _has_alpha(original) else "RGB")
        for width in widths:
            copy = variant_name(name, width)
            if not _is_current(storage, name, copy):  # a copy made for another list of widths stays
                _store(storage, copy, _encoded_copy(image, fmt, width))
    except _STORAGE_ERRORS:
        logger.warning("Could not make the sized copies of %s", name, exc_info=True)
        return False
    return True


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _store(storage: Storage, copy: str, content: bytes) -> None:
    if storage.exists(copy):
        storage.delete(copy)
    stored = storage.save(copy, ContentFile(content))
    if stored != copy:  # another process stored it meanwhile: keep theirs, drop ours
        storage.delete(stored)


def delete_variants(storage: Storage, name: str, widths: Iterable[int]) -> None:
    """Remove ``name``'s copies (when the original is replaced or deleted)."""
    for width in widths:
        copy = variant_name(name, width)
        if storage.exists(copy):
            storage.delete(copy)


def make_after_response(
    response: HttpResponseBase,
    storage: Storage,
    names: Iterable[str],
    widths: Sequence[int],
    on_made: Callable[[], None],
) -> None:
    """Make the missing copies of ``names`` once ``response`` has been sent; ``on_made`` runs
    if any was made (to raise the cached page's content area)."""
    pending = [name for name in dict.fromkeys(names) if name and not cache.get(_failed_key(name, widths))]
    if not pending:
        return

    def make() -> None:
        made = False
        for name in pending:
            if not cache.add(_making_key(name, widths), 1, MAKING_LOCK):
                continue  # another request is making them
            if make_variants(storage, name, widths):
                made = True
            else:
                cache.set(_failed_key(name, widths), 1, RETRY_AFTER_FAILURE)
            cache.delete(_making_key(name, widths))
        if made:
            on_made()

    response._resource_closers.append(make)  # run by response.close(), after the body is sent


def _key(state: str, name: str, widths: Sequence[int]) -> str:
    digest = hashlib.sha256(f"{name}:{widths}".encode()).hexdigest()[:32]
    return f"thumbnails:{state}:{digest}"


def _making_key(name: str, widths: Sequence[int]) -> str:
    return _key("making", name, widths)


def _failed_key(name: str, widths: Sequence[int]) -> str:
    return _key("failed", name, widths)
