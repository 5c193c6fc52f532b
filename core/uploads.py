"""Checks on uploaded images (partner logos): only PNG, JPEG or WebP, within size and pixel
limits, re-encoded on the way in so that nothing but the image is stored. ``core.media`` serves
them back with safe headers."""

from __future__ import annotations

from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile, UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 4000 * 4000
IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


def reencode_image(upload: UploadedFile) -> InMemoryUploadedFile:
    """Accept PNG/JPEG/WebP only (SVG and everything else refused), within size and pixel limits,
    and return a freshly re-encoded copy (drops metadata and anything smuggled after the image)."""
    if upload.size > MAX_BYTES:
        raise ValidationError(_("The logo is larger than 2 MB."), code="too_large")
    try:
        # Image.open reads only the header: the pixel check below runs before any decoding.
        with Image.open(upload) as image:
            fmt = image.format
            if fmt not in IMAGE_FORMATS:
                raise ValidationError(_("Upload a PNG, JPEG or WebP image."), code="format")
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(_("The logo has too many pixels."), code="too_many_pixels")
            image.load()
            if fmt == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            out = BytesIO()
            image.save(out, format=fmt)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("Upload a PNG, JPEG or WebP image."), code="format") from exc
    name = (getattr(upload, "name", "logo") or "logo").rsplit(".", 1)[0][:80] + "." + fmt.lower()
    size = out.tell()
    out.seek(0)
    return InMemoryUploadedFile(out, "logo", name, IMAGE_FORMATS[fmt], size, None)
