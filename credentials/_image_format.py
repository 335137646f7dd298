"""Which images a verifier reads, decided from the file's first bytes before any decoder runs.

The rule, the same in the page (web/verifier/src/image.js) and stated in docs/qr.md: PNG of at
most 8 bits a channel, JPEG, GIF and BMP, up to `MAX_IMAGE_PIXELS` pixels as the header states
them. Those are the formats both QR readers decode (zxing-cpp through Pillow here, zxing-wasm's
built-in decoder in the page); TIFF, WebP and anything else are recognised only to be refused by
name, so that one verifier cannot answer where the other cannot.
"""

from __future__ import annotations

import struct
from typing import Final

MAX_IMAGE_PIXELS: Final = 64_000_000
SUPPORTED: Final = ("PNG", "JPEG", "GIF", "BMP")

_MAGIC: Final = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)
# Start-of-frame markers of JPEG (C0-CF except DHT C4, JPG C8 and DAC CC) carry the size.
_SOF: Final = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def sniff(data: bytes) -> str | None:
    """The image format the bytes start with (supported or not), or None for no image."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def size(data: bytes) -> tuple[int, int] | None:
    """(width, height) as the header of a supported image states them; None when the format is
    not supported (a PNG deeper than 8 bits a channel included) or the header is cut short."""
    try:
        kind = sniff(data)
        if kind == "PNG" and data[12:16] == b"IHDR" and data[24] <= 8:
            width, height = struct.unpack_from(">II", data, 16)
            return width, height
        if kind == "GIF":
            width, height = struct.unpack_from("<HH", data, 6)
            return width, height
        if kind == "BMP":
            return _bmp_size(data)
        if kind == "JPEG":
            return _jpeg_size(data)
    except (IndexError, struct.error):
        return None
    return None


def _bmp_size(data: bytes) -> tuple[int, int]:
    (header,) = struct.unpack_from("<I", data, 14)
    if header == 12:  # BITMAPCOREHEADER: 16-bit sizes
        width, height = struct.unpack_from("<HH", data, 18)
        return width, height
    width, height = struct.unpack_from("<ii", data, 18)
    return abs(width), abs(height)  # a negative height is a top-down bitmap


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """The size in the first start-of-frame segment, walking segments from the start."""
    pos = 2
    while True:
        if data[pos] != 0xFF:
            return None
        while data[pos] == 0xFF:  # fill bytes may precede a marker
            pos += 1
        marker = data[pos]
        pos += 1
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:
            continue  # markers without a length
        if marker in (0xD9, 0xDA):
            return None  # end of image or start of scan before any frame
        (length,) = struct.unpack_from(">H", data, pos)
        if marker in _SOF:
            height, width = struct.unpack_from(">HH", data, pos + 3)
            return width, height
        pos += length


def refusal(data: bytes) -> str | None:
    """Why the image is not read (a sentence), or None when it may be decoded."""
    kind = sniff(data)
    if kind is None:
        return "the input is not a PNG, JPEG, GIF or BMP image"
    found = size(data)
    if found is None:
        if kind in SUPPORTED:
            return f"the {kind} header cannot be read, or its depth is over 8 bits a channel"
        return f"{kind} images are not read; use PNG, JPEG, GIF or BMP"
    width, height = found
    if width * height > MAX_IMAGE_PIXELS:
        return f"the image is too large ({width} × {height} pixels; at most {MAX_IMAGE_PIXELS:,})"
    return None
