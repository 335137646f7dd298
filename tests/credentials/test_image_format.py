"""One rule for the images a verifier reads (credentials/_image_format.py; the page's image.js
holds the same rule, and tests/web/test_differential.py runs both): PNG of at most 8 bits a
channel, JPEG, GIF and BMP, at most 64 million pixels as the header states them."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from credentials import _image_format as image_format
from credentials import qr
from credentials.errors import CredentialError


def _code() -> Image.Image:
    return Image.open(io.BytesIO(qr.to_png({"a": 1}, scale=2))).convert("L")


def _save(image: Image.Image, fmt: str, **options: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


@pytest.mark.parametrize(
    ("fmt", "mode"), [("PNG", "L"), ("PNG", "P"), ("JPEG", "RGB"), ("GIF", "L"), ("BMP", "RGB")]
)
def test_the_supported_formats_are_read_and_their_size_is_the_headers(fmt: str, mode: str) -> None:
    image = _code().convert(mode)
    data = _save(image, fmt)
    assert image_format.size(data) == image.size
    assert qr.decode_image(data) == {"a": 1}


@pytest.mark.parametrize(
    ("fmt", "options"), [("TIFF", {}), ("WEBP", {"lossless": True}), ("ICO", {}), ("PPM", {})]
)
def test_other_formats_are_refused_before_decoding(fmt: str, options: dict[str, Any]) -> None:
    """Pillow reads all of these, the page's reader none of them: neither verifier reads them."""
    with pytest.raises(CredentialError) as info:
        qr.decode_image(_save(_code(), fmt, **options))
    assert info.value.code == "QR_IMAGE"


def test_a_png_deeper_than_8_bits_is_refused() -> None:
    deep = _code().point(lambda v: v * 257, "I").convert("I;16")
    data = _save(deep, "PNG")
    assert data[24] == 16
    with pytest.raises(CredentialError) as info:
        qr.decode_image(data)
    assert info.value.code == "QR_IMAGE"


@pytest.mark.parametrize("fmt", ["PNG", "GIF", "BMP", "JPEG"])
def test_the_pixel_limit_is_read_from_the_header(fmt: str) -> None:
    width = image_format.MAX_IMAGE_PIXELS // 8000
    at_limit = _save(Image.new("L", (width, 8000), 255), fmt)
    over = _save(Image.new("L", (width, 8001), 255), fmt)
    assert image_format.refusal(at_limit) is None
    assert "too large" in (image_format.refusal(over) or "")
    with pytest.raises(CredentialError) as info:
        qr.decode_image(over)
    assert info.value.code == "QR_IMAGE"


def test_a_cut_header_is_refused() -> None:
    data = _save(_code(), "JPEG")
    for cut in (3, 10, 30):
        assert image_format.size(data[:cut]) is None
        with pytest.raises(CredentialError) as info:
            qr.decode_image(data[:cut])
        assert info.value.code == "QR_IMAGE"


def test_five_codes_with_one_different_are_ambiguous() -> None:
    """Four copies of one code and one other: a reader that stops at four would miss it."""
    same = _code()
    other = Image.open(io.BytesIO(qr.to_png({"b": 2}, scale=2))).convert("L")
    side = same.width
    canvas = Image.new("L", (side * 5, side), 255)
    for n, code in enumerate([same] * 4 + [other]):
        canvas.paste(code, (n * side, 0))
    with pytest.raises(CredentialError) as info:
        qr.decode_image(_save(canvas, "PNG"))
    assert info.value.code == "QR_AMBIGUOUS"
