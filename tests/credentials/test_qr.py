"""The DTE1 QR form: exact round trips (text and image) and a clear error for every broken layer."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import random
import string
import zlib
from typing import Any

import base45
import cbor2
import pytest
import segno
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFilter

from credentials import _proof as proof
from credentials import qr
from credentials.errors import CredentialError
from tests.credentials._support import NEW_KEY, issue

JSON_SCALARS = (
    st.none()
    | st.booleans()
    # CBOR without tags holds integers of 64 bits; past that the encoder refuses (tested below).
    | st.integers(min_value=-(2**64), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(), children, max_size=5)
    ),
    max_leaves=30,
)
JSON_OBJECTS = st.dictionaries(st.text(), JSON_VALUES, max_size=8)
ALPHANUMERIC = set(string.digits + string.ascii_uppercase + " $%*+-./:")


def exact(value: Any) -> str:
    """A spelling that tells 1 from 1.0 from True, -0.0 from 0.0, and keeps key order."""
    return json.dumps(value, ensure_ascii=False)


def wrap(payload: bytes) -> str:
    return qr.PREFIX + base45.b45encode(zlib.compress(payload)).decode()


@pytest.fixture(scope="module")
def certificate() -> dict[str, Any]:
    return issue()


@settings(max_examples=300)
@given(JSON_OBJECTS)
def test_text_round_trip_is_exact_for_any_json_object(value: dict[str, Any]) -> None:
    text = qr.encode_text(value)
    assert text.startswith("DTE1:")
    assert set(text) <= ALPHANUMERIC  # so the QR code can use alphanumeric mode throughout
    decoded = qr.decode_text(text)
    assert exact(decoded) == exact(value)
    assert list(decoded) == list(value)


def test_a_signed_certificate_survives_the_text_form(certificate: dict[str, Any]) -> None:
    decoded = qr.decode_text(qr.encode_text(certificate))
    assert exact(decoded) == exact(certificate)
    assert proof.verify(decoded, NEW_KEY.public_key).ok


def test_trailing_line_break_from_a_scanner_is_ignored(certificate: dict[str, Any]) -> None:
    assert qr.decode_text(qr.encode_text(certificate) + "\r\n") == certificate


def test_png_round_trip_of_a_certificate(certificate: dict[str, Any]) -> None:
    png = qr.to_png(certificate, scale=3)
    assert png.startswith(b"\x89PNG")
    decoded = qr.decode_image(png)
    assert exact(decoded) == exact(certificate)
    assert proof.verify(decoded, NEW_KEY.public_key).ok


def test_png_from_text_and_from_credential_are_the_same(certificate: dict[str, Any]) -> None:
    assert qr.to_png(certificate) == qr.to_png(qr.encode_text(certificate))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON_OBJECTS)
def test_png_round_trip_is_exact(value: dict[str, Any]) -> None:
    try:
        png = qr.to_png(value, scale=2)
    except CredentialError as exc:
        assert exc.code == "QR_TOO_LARGE"
        return
    assert exact(qr.decode_image(png)) == exact(value)


def test_decode_image_reads_a_path(tmp_path: Any, certificate: dict[str, Any]) -> None:
    path = tmp_path / "code.png"
    path.write_bytes(qr.to_png(certificate))
    assert qr.decode_image(path) == certificate
    assert qr.decode_image(str(path)) == certificate


def test_decode_image_reads_a_photo_like_picture(certificate: dict[str, Any]) -> None:
    code = Image.open(io.BytesIO(qr.to_png(certificate, scale=5))).convert("RGB")
    # On a desk: larger, uneven background, slightly turned, blurred, lossy JPEG.
    photo = Image.new("RGB", (code.width + 400, code.height + 300), (182, 170, 150))
    draw = ImageDraw.Draw(photo)
    noise = random.Random(7)
    for _ in range(400):
        x, y = noise.randrange(photo.width), noise.randrange(photo.height)
        draw.point((x, y), fill=(noise.randrange(120, 230),) * 3)
    photo.paste(code, (230, 120))
    photo = photo.rotate(8, expand=True, fillcolor=(182, 170, 150))
    photo = photo.filter(ImageFilter.GaussianBlur(1.2))
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=70)
    decoded = qr.decode_image(out.getvalue())
    assert exact(decoded) == exact(certificate)
    assert proof.verify(decoded, NEW_KEY.public_key).ok


def test_svg(certificate: dict[str, Any]) -> None:
    svg = qr.to_svg(certificate)
    assert svg.lstrip().startswith("<svg") and svg.rstrip().endswith("</svg>")


def test_a_certificate_uses_alphanumeric_mode_and_level_q(certificate: dict[str, Any]) -> None:
    code = segno.make_qr(qr.encode_text(certificate), error="q", mode="alphanumeric")
    assert code.mode == "alphanumeric"
    assert code.error in ("Q", "H")  # boosting may raise it for free, never lower it
    version = qr.qr_version(certificate)
    # docs/qr.md records the measured version (29-30); a jump means the payload grew.
    assert 25 <= version <= 32


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("HC1:NCFOXN%TS3DH", "QR_PREFIX"),
        ("dte1:ABC", "QR_PREFIX"),
        ("", "QR_PREFIX"),
        ("DTE1:abc", "QR_BASE45"),
        ("DTE1:A", "QR_BASE45"),
        ("DTE1:" + "A" * 9000, "QR_BASE45"),
        ("DTE1:" + base45.b45encode(b"not zlib at all").decode(), "QR_ZLIB"),
        ("DTE1:" + base45.b45encode(zlib.compress(b"{}")[:-3]).decode(), "QR_ZLIB"),
        ("DTE1:" + base45.b45encode(zlib.compress(b"x") + b"tail").decode(), "QR_ZLIB"),
        (wrap(cbor2.dumps({"a": "x" * 1_000_000})), "QR_ZLIB"),
        (wrap(b"\xff\xff\xff"), "QR_CBOR"),
        (wrap(b"\xa2\x61a\x01\x61a\x02"), "QR_CBOR"),  # {"a": 1, "a": 2}
        (wrap(cbor2.dumps({"a": 1}) + b"\x00"), "QR_CBOR"),
        (wrap(cbor2.dumps([1, 2])), "QR_NOT_OBJECT"),
        (wrap(cbor2.dumps("text")), "QR_NOT_OBJECT"),
        (wrap(cbor2.dumps({"a": b"bytes"})), "QR_NOT_JSON"),
        (wrap(cbor2.dumps({1: "x"})), "QR_NOT_JSON"),
        # A tag is refused before decoding, as a CBOR-layer error (the page's code too).
        (wrap(cbor2.dumps({"t": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)})), "QR_CBOR"),
        (wrap(cbor2.dumps({"n": math.nan})), "QR_NOT_JSON"),
        (wrap(cbor2.dumps({"s": cbor2.CBORTag(999, 1)})), "QR_CBOR"),
    ],
    ids=lambda v: v if isinstance(v, str) and v.startswith("QR_") else None,
)
def test_each_broken_layer_has_its_own_code(text: str, code: str) -> None:
    with pytest.raises(CredentialError) as info:
        qr.decode_text(text)
    assert info.value.code == code, info.value.message


def test_deep_cbor_nesting_is_refused() -> None:
    payload = b"\x81" * 5000 + b"\x00"  # [[[[...0...]]]]
    with pytest.raises(CredentialError) as info:
        qr.decode_text(wrap(b"\xa1\x61a" + payload))
    assert info.value.code in ("QR_CBOR", "QR_NOT_JSON")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ([1, 2], "QR_NOT_OBJECT"),
        ({"a": math.inf}, "QR_NOT_JSON"),
        ({"a": (1, 2)}, "QR_NOT_JSON"),
        ({"a": "\ud800"}, "QR_CBOR"),
    ],
)
def test_encode_refuses_what_json_cannot_say(value: Any, code: str) -> None:
    with pytest.raises(CredentialError) as info:
        qr.encode_text(value)
    assert info.value.code == code


def test_a_credential_too_large_for_any_qr_code() -> None:
    noise = random.Random(1)
    big = {"x": "".join(noise.choice(string.ascii_letters) for _ in range(9000))}
    with pytest.raises(CredentialError) as info:
        qr.to_png(big)
    assert info.value.code == "QR_TOO_LARGE"


def _png(code: segno.QRCode) -> bytes:
    out = io.BytesIO()
    code.save(out, kind="png", scale=4)
    return out.getvalue()


def test_decode_image_errors() -> None:
    with pytest.raises(CredentialError) as info:
        qr.decode_image(b"not an image")
    assert info.value.code == "QR_IMAGE"

    blank = io.BytesIO()
    Image.new("L", (200, 200), 255).save(blank, "PNG")
    with pytest.raises(CredentialError) as info:
        qr.decode_image(blank.getvalue())
    assert info.value.code == "QR_NOT_FOUND"

    with pytest.raises(CredentialError) as info:
        qr.decode_image(_png(segno.make_qr("HTTPS://EXAMPLE.COM/")))
    assert info.value.code == "QR_PREFIX"


def test_two_different_codes_in_one_picture_are_ambiguous() -> None:
    a = Image.open(io.BytesIO(qr.to_png({"a": 1}))).convert("L")
    b = Image.open(io.BytesIO(qr.to_png({"b": 2}))).convert("L")
    both = Image.new("L", (a.width + b.width + 40, max(a.height, b.height) + 40), 255)
    both.paste(a, (20, 20))
    both.paste(b, (a.width + 20, 20))
    out = io.BytesIO()
    both.save(out, "PNG")
    with pytest.raises(CredentialError) as info:
        qr.decode_image(out.getvalue())
    assert info.value.code == "QR_AMBIGUOUS"


def test_text_outside_the_alphanumeric_set_is_refused() -> None:
    with pytest.raises(CredentialError) as info:
        qr.to_png("DTE1:lower case")
    assert info.value.code == "QR_TEXT"
    with pytest.raises(CredentialError) as info:
        qr.to_svg("HC1:ABC")
    assert info.value.code == "QR_PREFIX"


def _dte1(payload: bytes) -> str:
    return qr.PREFIX + base45.b45encode(zlib.compress(payload)).decode("ascii")


_DOC = {"@context": ["https://www.w3.org/ns/credentials/v2"], "n": 1, "names": ["ab", "ab"]}


@pytest.mark.parametrize(
    "payload",
    [
        cbor2.dumps(cbor2.CBORTag(55799, _DOC)),  # self-describe
        cbor2.dumps(_DOC, value_sharing=True),
        cbor2.dumps(_DOC, string_referencing=True),
        cbor2.dumps({**_DOC, "n": cbor2.CBORTag(2, b"\x01")}),  # a bignum that is 1
        cbor2.dumps({**_DOC, "n": cbor2.CBORTag(3, b"\x00")}),  # a bignum that is -1
        cbor2.dumps({**_DOC, "n": cbor2.CBORTag(32, "1")}),
        cbor2.dumps({**_DOC, "names": [cbor2.CBORTag(4242, "ab")]}),
    ],
    ids=["self-describe", "sharing", "string-refs", "bignum", "negative-bignum", "uri", "other"],
)
def test_cbor_tags_are_refused_before_decoding(payload: bytes) -> None:
    """docs/qr.md: tags are refused. cbor2 resolves these into plain JSON values (the very
    document, for the first five) before any check could see them; the page reads no tag."""
    with pytest.raises(CredentialError) as info:
        qr.decode_text(_dte1(payload))
    assert info.value.code == "QR_CBOR"
    assert "tag" in info.value.message


def test_the_encoder_never_writes_a_tag() -> None:
    """The encoder used to write an integer past 64 bits as a tag-2 bignum, which the page
    refuses; such an integer is now refused, and the 64-bit extremes still travel."""
    edge = {"max": 2**64 - 1, "min": -(2**64)}
    assert qr.decode_text(qr.encode_text(edge)) == edge
    for value in (2**64, -(2**64) - 1, 10**400):
        with pytest.raises(CredentialError) as info:
            qr.encode_text({"n": [value]})
        assert info.value.code == "QR_NOT_JSON"


ANY_INTEGERS = st.recursive(
    st.integers() | st.text(max_size=3),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children),
    max_leaves=12,
)


@given(ANY_INTEGERS)
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
def test_what_the_encoder_writes_holds_no_tag(value: Any) -> None:
    try:
        text = qr.encode_text({"v": value})
    except CredentialError as exc:
        assert exc.code in ("QR_NOT_JSON", "QR_CBOR")
        return
    payload = zlib.decompress(base45.b45decode(text[len(qr.PREFIX) :]))
    assert not _has_tag(cbor2.loads(payload, tag_hook=lambda _, tag: _Tagged()))


class _Tagged:
    """What a tag decodes to under the hook above: a mark that one was there."""


def _has_tag(value: Any) -> bool:
    """A tag cbor2 resolves itself (a bignum) shows as an integer CBOR cannot hold untagged."""
    if isinstance(value, _Tagged):
        return True
    if isinstance(value, int) and not -(2**64) <= value < 2**64:
        return True
    if isinstance(value, dict):
        return any(_has_tag(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_tag(v) for v in value)
    return False
