from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.uploads import reencode_image


def _png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (20, 10), "red").save(out, format="PNG")
    return out.getvalue()


def test_png_is_reencoded():
    result = reencode_image(SimpleUploadedFile("logo.png", _png() + b"<script>trailing</script>", "image/png"))
    data = result.read()
    assert data.startswith(b"\x89PNG") and b"<script>" not in data


@pytest.mark.parametrize(
    "content",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b"GIF89a",
        b"",
    ],
)
def test_non_raster_or_svg_refused(content):
    with pytest.raises(ValidationError):
        reencode_image(SimpleUploadedFile("logo.svg", content, "image/svg+xml"))


def test_a_logo_over_two_megabytes_is_refused():
    big = SimpleUploadedFile("logo.png", _png() + b"\0" * (2 * 1024 * 1024), "image/png")
    with pytest.raises(ValidationError) as excinfo:
        reencode_image(big)
    assert excinfo.value.code == "too_large"


def test_a_logo_with_too_many_pixels_is_refused_before_decoding():
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("1", (5000, 4000)).save(out, format="PNG")  # 20 million pixels, a few kilobytes
    with pytest.raises(ValidationError) as excinfo:
        reencode_image(SimpleUploadedFile("huge.png", out.getvalue(), "image/png"))
    assert excinfo.value.code == "too_many_pixels"
