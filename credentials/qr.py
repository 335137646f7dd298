"""The QR form of a credential: `DTE1:` + Base45(zlib(CBOR(credential))).

Modelled on the EU Digital COVID Certificate's `HC1:`. CBOR keeps every JSON value and the key
order exactly (floats as float64), so decoding gives back the very JSON that was signed and the
proof still verifies; zlib roughly halves a certificate; Base45 uses only the QR alphanumeric
character set, which packs 5.5 bits a character instead of the 8 of byte mode.
"""

from __future__ import annotations

import io
import math
import os
import warnings
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import base45
import cbor2
import segno
import zxingcpp
from PIL import Image, UnidentifiedImageError

from credentials._cbor_tags import refuse_tags
from credentials._image_format import MAX_IMAGE_PIXELS, refusal, sniff
from credentials.errors import CredentialError

__all__ = [
    "ERROR_CORRECTION",
    "MAX_CODES",
    "MAX_DECOMPRESSED_BYTES",
    "MAX_DEPTH",
    "MAX_IMAGE_PIXELS",
    "MAX_TEXT_CHARS",
    "PREFIX",
    "decode_image",
    "decode_text",
    "encode_text",
    "is_image",
    "modules",
    "qr_version",
    "to_png",
    "to_svg",
]

PREFIX: Final = "DTE1:"

ERROR_CORRECTION: Final = "q"
"""Level Q (25 % of codewords recoverable), as the EU DCC recommends: the code is printed on paper
certificates that get folded and stained and is photographed with phones at an angle. Measured on
a typical certificate it still fits a version that phones read easily (docs/qr.md)."""

MAX_TEXT_CHARS: Final = 8192
"""Far above the 4,296 alphanumeric characters of a version 40 code; anything longer is not ours."""

MAX_DECOMPRESSED_BYTES: Final = 256 * 1024
"""A certificate is a few KiB; the cap stops a zlib bomb hidden in a small code."""

MAX_DEPTH: Final = 64

MAX_CODES: Final = 255
"""zxing-cpp stops after 255 codes in one image, in Python and in the page alike; an image where
it finds that many may hold more, so which ones were read is not known: refused as ambiguous."""


def encode_text(credential: Mapping[str, Any]) -> str:
    """The `DTE1:` text of a credential (a JSON object)."""
    if not isinstance(credential, Mapping):
        raise CredentialError("QR_NOT_OBJECT", "only a JSON object can be put in a DTE1 code")
    _check_json(credential)
    try:
        payload = cbor2.dumps(credential)
    except (cbor2.CBOREncodeError, UnicodeEncodeError, ValueError, TypeError) as exc:
        raise CredentialError(
            "QR_CBOR", f"the credential cannot be encoded as CBOR: {exc}"
        ) from None
    # What this encoder writes, its own decoder (and the page's) must read: no tag, ever.
    refuse_tags(payload)
    encoded: bytes = base45.b45encode(zlib.compress(payload, 9))
    return PREFIX + encoded.decode("ascii")


def decode_text(text: str) -> dict[str, Any]:
    """The credential in a `DTE1:` text; `CredentialError` names the layer that failed."""
    if not isinstance(text, str):
        raise CredentialError("QR_PREFIX", "a DTE1 code is text")
    # Only line breaks are trimmed: a space is a Base45 digit and may end the data.
    text = text.strip("\r\n\t")
    if not text.startswith(PREFIX):
        raise CredentialError("QR_PREFIX", f"not a DTE1 code (the text must start with {PREFIX})")
    body = text[len(PREFIX) :]
    if len(body) > MAX_TEXT_CHARS:
        raise CredentialError("QR_BASE45", "the code is longer than any QR code can hold")
    try:
        compressed: bytes = bytes(base45.b45decode(body))
    except (ValueError, KeyError, TypeError) as exc:
        raise CredentialError("QR_BASE45", f"the code is not valid Base45: {exc}") from None
    inflater = zlib.decompressobj()
    try:
        payload = inflater.decompress(compressed, MAX_DECOMPRESSED_BYTES + 1)
    except zlib.error as exc:
        raise CredentialError("QR_ZLIB", f"the code is not valid zlib data: {exc}") from None
    if len(payload) > MAX_DECOMPRESSED_BYTES or inflater.unconsumed_tail:
        raise CredentialError(
            "QR_ZLIB", f"the code inflates to more than {MAX_DECOMPRESSED_BYTES} bytes; refused"
        )
    if not inflater.eof:
        raise CredentialError("QR_ZLIB", "the zlib data is truncated")
    if inflater.unused_data:
        raise CredentialError("QR_ZLIB", "unexpected data after the zlib stream")
    refuse_tags(payload)
    stream = io.BytesIO(payload)
    try:
        # read_size=1 so that tell() is exact and trailing bytes are seen.
        decoder = cbor2.CBORDecoder(
            stream, read_size=1, max_depth=MAX_DEPTH, allow_duplicate_keys=False
        )
        value = decoder.decode()
    except (cbor2.CBORDecodeError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise CredentialError("QR_CBOR", f"the code does not hold valid CBOR: {exc}") from None
    if stream.tell() != len(payload):
        # One item exactly: bytes after it would not be covered by what the caller sees.
        raise CredentialError("QR_CBOR", "unexpected data after the CBOR item")
    if not isinstance(value, dict):
        raise CredentialError("QR_NOT_OBJECT", "the code does not hold a JSON object")
    _check_json(value)
    return value


_CBOR_INT_MIN: Final = -(2**64)
_CBOR_INT_MAX: Final = 2**64 - 1


def _check_json(value: Any) -> None:
    """Refuse what JSON cannot express (bytes, NaN, non-string keys, deep nesting) and integers
    that CBOR holds only in a tag."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise CredentialError("QR_NOT_JSON", f"nested deeper than {MAX_DEPTH} levels")
        if item is None or isinstance(item, bool | str):
            continue
        if isinstance(item, int):
            if not _CBOR_INT_MIN <= item <= _CBOR_INT_MAX:
                # Past 64 bits CBOR needs a bignum tag, which no DTE1 reader accepts.
                raise CredentialError(
                    "QR_NOT_JSON", "an integer beyond 64 bits has no tag-free CBOR form"
                )
            continue
        if isinstance(item, float):
            if not math.isfinite(item):
                raise CredentialError("QR_NOT_JSON", "NaN and infinities are not JSON")
            continue
        if isinstance(item, Mapping):
            for key, child in item.items():
                if not isinstance(key, str):
                    raise CredentialError("QR_NOT_JSON", "an object key is not a string")
                stack.append((child, depth + 1))
            continue
        if isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
            continue
        raise CredentialError("QR_NOT_JSON", f"a {type(item).__name__} value is not JSON")


def _qr(credential_or_text: Mapping[str, Any] | str) -> segno.QRCode:
    text = (
        credential_or_text
        if isinstance(credential_or_text, str)
        else encode_text(credential_or_text)
    )
    if not text.startswith(PREFIX):
        raise CredentialError("QR_PREFIX", f"the text must start with {PREFIX}")
    try:
        # Alphanumeric mode is forced: segno would otherwise pick byte mode for the whole text.
        return segno.make_qr(text, error=ERROR_CORRECTION, mode="alphanumeric")
    except segno.DataOverflowError as exc:
        raise CredentialError(
            "QR_TOO_LARGE", f"the credential does not fit a QR code: {exc}"
        ) from None
    except ValueError:
        raise CredentialError(
            "QR_TEXT", "the text has characters outside the QR alphanumeric set"
        ) from None


def qr_version(credential_or_text: Mapping[str, Any] | str) -> int:
    """The QR version (1-40) the credential needs; larger versions need sharper prints."""
    return int(_qr(credential_or_text).version)


def modules(credential_or_text: Mapping[str, Any] | str) -> tuple[tuple[bool, ...], ...]:
    """The code's modules row by row, True for dark, without the quiet zone: for drawing it as
    vector squares (the printable certificate), sharp at any print size."""
    return tuple(tuple(bool(m) for m in row) for row in _qr(credential_or_text).matrix)


def to_png(
    credential_or_text: Mapping[str, Any] | str, *, scale: int = 4, border: int = 4
) -> bytes:
    """PNG of the code; `scale` pixels a module, `border` quiet-zone modules (4 is the standard)."""
    out = io.BytesIO()
    _qr(credential_or_text).save(out, kind="png", scale=scale, border=border)
    return out.getvalue()


def to_svg(credential_or_text: Mapping[str, Any] | str, *, scale: int = 4, border: int = 4) -> str:
    out = io.BytesIO()
    _qr(credential_or_text).save(out, kind="svg", scale=scale, border=border, xmldecl=False)
    return out.getvalue().decode("utf-8")


def is_image(data: bytes) -> bool:
    """True when the bytes start like an image file (of a format read or not)."""
    return sniff(data) is not None


def decode_image(path_or_bytes: str | os.PathLike[str] | bytes) -> dict[str, Any]:
    """The credential in a photo or scan of a DTE1 code: a PNG (8 bits a channel at most),
    JPEG, GIF or BMP image of at most `MAX_IMAGE_PIXELS` pixels (docs/qr.md)."""
    try:
        data = (
            path_or_bytes if isinstance(path_or_bytes, bytes) else Path(path_or_bytes).read_bytes()
        )
    except OSError as exc:
        raise CredentialError("QR_IMAGE", f"the image cannot be read: {exc}") from None
    refused = refusal(data)
    if refused is not None:
        raise CredentialError("QR_IMAGE", refused)
    return _one_code([result.text for result in _read_codes(data)])


def _read_codes(data: bytes) -> list[Any]:
    try:
        with warnings.catch_warnings():
            # Pillow only warns about a decompression bomb below twice its limit; refuse it.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise CredentialError("QR_IMAGE", "the image is too large")
                image.load()
                # zxing-cpp reads L, RGB and RGBA; palette, CMYK, 16-bit scans are converted.
                picture = image if image.mode in ("L", "RGB", "RGBA") else image.convert("RGB")
                return list(
                    zxingcpp.read_barcodes(
                        picture, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
                    )
                )
    except (
        OSError,
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        ValueError,
    ) as exc:
        raise CredentialError("QR_IMAGE", f"the image cannot be read: {exc}") from None


def _one_code(texts: list[str]) -> dict[str, Any]:
    """The credential of the one DTE1 code among the texts read from an image."""
    ours = [text for text in texts if text.startswith(PREFIX)]
    if not ours:
        if texts:
            raise CredentialError("QR_PREFIX", "the image holds a QR code, but not a DTE1 code")
        raise CredentialError("QR_NOT_FOUND", "no QR code found in the image")
    if len(set(ours)) > 1 or len(texts) >= MAX_CODES:
        raise CredentialError("QR_AMBIGUOUS", "the image holds more than one DTE1 code")
    return decode_text(ours[0])
