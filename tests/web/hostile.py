"""Hostile inputs for the differential run (issue 14, item 16): every class on which the Python
verifier and the page's once disagreed, generated from one seed so that CI runs the same inputs
every time.

Each input is a file's bytes, verified against the conformance corpus's bundle at its `now`; the
signed ones are signed with the corpus's key of institution A, so that the checks past the
proof run too. The classes: a JSON value other than a string as `proof.type`/`cryptosuite`;
integer literals of 300 to 4,400 digits; integers no double holds at every depth, the document
signed over the nearest double; dates at and past the years 1 and 9999 and in the forms Python's
`fromisoformat` is lenient about; CBOR tags in the DTE1 payload; images of every format either
side might read, several codes in one image, and images past the size limits; odd holders,
numbers, levels and issuers for the description both show (`hostile_words`).
"""

from __future__ import annotations

import copy
import io
import json
import random
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import base45
from PIL import Image

from credentials import SigningKey, qr, sign_proof
from credentials.errors import ProofError

from . import hostile_log, hostile_rootchain, hostile_words
from .conftest import CORPUS

SEED = 1414
INSTITUTION_A = SigningKey.from_seed(bytes([0x54]) * 32)  # as scripts/make_conformance_corpus.py
VALID = json.loads((CORPUS / "cases" / "valid.json").read_text("utf-8"))
NOW = "2026-11-26T12:00:00Z"


@dataclass(frozen=True)
class Hostile:
    id: str
    data: bytes
    suffix: str = ".json"


def unsigned() -> dict[str, Any]:
    document = copy.deepcopy(VALID)
    del document["proof"]
    return document


def signed(edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """The valid certificate changed by `edit`, then signed again by its issuer."""
    document = unsigned()
    edit(document)
    return sign_proof(document, INSTITUTION_A, created=VALID["proof"]["created"])


def as_json(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def dte1(payload: bytes) -> bytes:
    """A DTE1 text around raw CBOR bytes (whatever they hold)."""
    return qr.PREFIX.encode("ascii") + base45.b45encode(zlib.compress(payload, 9))


# --- proof.type and cryptosuite ----------------------------------------------------------------

ODD_VALUES: list[Any] = [
    {},
    {"a": 1},
    {"toString": "x", "valueOf": 1},
    [],
    ["DataIntegrityProof"],
    1,
    1.5,
    True,
    None,
    "",
    "dataintegrityproof",
    {"__proto__": {"x": 1}},
]


def suite_inputs(rng: random.Random) -> Iterator[Hostile]:
    for field in ("type", "cryptosuite"):
        for n, value in enumerate(ODD_VALUES):
            document = copy.deepcopy(VALID)
            document["proof"][field] = value
            yield Hostile(f"suite-{field}-{n}", as_json(document))
            both = copy.deepcopy(document)
            both["proof"]["type" if field == "cryptosuite" else "cryptosuite"] = rng.choice(
                ODD_VALUES
            )
            yield Hostile(f"suite-{field}-{n}-both", as_json(both))
    for n in range(60):
        document = copy.deepcopy(VALID)
        document["proof"][rng.choice(["type", "cryptosuite"])] = _random_value(rng, 3)
        yield Hostile(f"suite-random-{n}", as_json(document))


def _random_value(rng: random.Random, depth: int) -> Any:
    """A JSON value of any type, nested up to `depth`, with keys JS objects would inherit."""
    kind = rng.choice(["object", "list", "scalar"] if depth else ["scalar"])
    if kind == "object":
        keys = rng.sample(["toString", "valueOf", "__proto__", "constructor", "a", ""], 2)
        return {key: _random_value(rng, depth - 1) for key in keys}
    if kind == "list":
        return [_random_value(rng, depth - 1) for _ in range(rng.randint(0, 3))]
    return rng.choice([None, True, 0, -1, 2**53 + 2, 1e300, "DataIntegrityProof", "eddsa-jcs-2022"])


# --- long integers -------------------------------------------------------------------------------

INTEGER_PLACES: list[tuple[str, ...]] = [
    ("extra",),
    ("credentialSubject", "holderBinding", "opslimit"),
    ("credentialSubject", "holderBinding", "memlimit"),
    ("credentialSubject", "certificate", "level", "code"),
    ("credentialStatus", "statusListIndex"),
    ("proof", "extra"),
    ("validFrom",),
    ("credentialSubject", "extra", "deeper"),
]


def _put(document: dict[str, Any], place: tuple[str, ...], value: Any) -> None:
    target = document
    for key in place[:-1]:
        target = target.setdefault(key, {})
    target[place[-1]] = value


def _literal(rng: random.Random, digits: int) -> str:
    sign = rng.choice(["", "-"])
    return sign + str(rng.randint(1, 9)) + "".join(rng.choices("0123456789", k=digits - 1))


def long_integer_inputs(rng: random.Random) -> Iterator[Hostile]:
    lengths = [*range(300, 321), *range(4290, 4311), *(rng.randint(309, 4300) for _ in range(120))]
    for n, digits in enumerate(lengths):
        place = INTEGER_PLACES[n % len(INTEGER_PLACES)]
        marker = "123456789.25"  # a float the JSON text then carries the literal in place of
        document = copy.deepcopy(VALID)
        _put(document, place, float(marker))
        text = as_json(document).decode("utf-8").replace(marker, _literal(rng, digits))
        yield Hostile(f"long-int-{digits}-{n}", text.encode("utf-8"))


# --- integers no double holds ----------------------------------------------------------------------

PRECISION_PLACES: list[tuple[str, ...]] = [
    ("extra",),
    ("credentialSubject", "extra"),
    ("credentialSubject", "certificate", "extra"),
    ("credentialStatus", "extra"),
    ("issuer", "extra"),
]


def _exact_double(value: int) -> int:
    """The integer JCS writes for the double nearest `value` (9007199254740992 for 2**53 + 1)."""
    import rfc8785

    return int(rfc8785.dumps(float(value)))


def precision_inputs(rng: random.Random) -> Iterator[Hostile]:
    """Signed over the double D, shown with D + 1 (no double holds it): Python's JCS refuses
    the shown number; a page that forgot the number's mark would print D and accept it."""
    for n in range(100):
        signed_value = _exact_double(2**53 if n == 0 else rng.randrange(2**53, 2**63))
        shown = signed_value + 1  # the same double, but not the number that was signed
        place = PRECISION_PLACES[n % len(PRECISION_PLACES)]
        document = signed(lambda d, p=place, v=signed_value: _put(d, p, v))  # type: ignore[misc]
        # The signer keeps a big integer as the double it stands for: written 9007199254740992.0.
        text = (
            as_json(document).decode("utf-8").replace(json.dumps(float(signed_value)), str(shown))
        )
        yield Hostile(f"precision-{n}", text.encode("utf-8"))
        # In the proof itself: the options are copied for the proof configuration too.
        proofed = copy.deepcopy(VALID)
        proofed["proof"]["extra"] = signed_value
        text = as_json(proofed).decode("utf-8").replace(str(signed_value), str(shown))
        yield Hostile(f"precision-proof-{n}", text.encode("utf-8"))


# --- dates -----------------------------------------------------------------------------------------

DATES = [
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+01:00",
    "0001-01-01T00:59:59+01:00",
    "0001-01-01T01:00:00+01:00",
    "0000-12-31T23:00:00-01:00",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-01:00",
    "9999-12-31T22:59:59-01:00",
    "9999-12-31T23:59:59.999999-00:01",
    "10000-01-01T00:00:00Z",
    "-0001-01-01T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "2025-06-01T02:00:17.Z",
    "2025-06-01T02:00:17,5Z",
    "2025-06-01T02:00:17.1234567Z",
    "2025-06-01T02:00Z",
    "2025-06-01T02Z",
    "2025-W22-7T02:00:00Z",
    "20250601T020000Z",
    "2025-06-01T02:00:00+0800",
    "2025-06-01T02:00:00+08",
    "2025-06-01T02:00:00+08:00:00.5",
    "2025-06-01T24:00:00Z",
    "2025-06-01 02:00:00Z",
    "2025-06-01T02:00:00z",
    "2025-06-01t02:00:00Z",
    "2025-06-01T02:00:60Z",
    "2025-06-01T02:00:00-00:00",
    "2025-06-01T02:00:00+23:59",
    "2025-06-01T02:00:00+24:00",
]


def _created(value: str) -> dict[str, Any]:
    """Signed with `value` as proof.created where the signer takes it, else edited in."""
    try:
        return sign_proof(unsigned(), INSTITUTION_A, created=value)
    except ProofError:  # the signer takes only XSD dateTimeStamps; the others are edited in
        document = copy.deepcopy(VALID)
        document["proof"]["created"] = value
        return document


def _without_created(value: str) -> dict[str, Any]:
    """Signed with no proof.created, so that the issuance time is read from validFrom."""
    from credentials import _proof

    document = unsigned()
    document["validFrom"] = value
    options = {k: v for k, v in VALID["proof"].items() if k not in ("created", "proofValue")}
    data = _proof.hash_data(
        _proof.canonical_proof_config(options), _proof.canonical_document(document)
    )
    signature = _proof.encode_proof_value(INSTITUTION_A.sign(data))
    return {**document, "proof": {**options, "proofValue": signature}}


def _random_date(rng: random.Random) -> str:
    """A date-time near the edges of every field, in the forms parsers are lenient about."""
    year = rng.choice(["0000", "0001", "0002", "2025", "9998", "9999", "10000"])
    month, day = (
        rng.choice(["00", "01", "02", "12", "13"]),
        rng.choice(["00", "01", "28", "29", "31"]),
    )
    hour, minute = rng.choice(["00", "15", "16", "23", "24"]), rng.choice(["00", "59", "60"])
    second = rng.choice(["00", "59", "60"])
    fraction = rng.choice(["", "", ".", ".5", ",5", ".999999", ".1234567"])
    offset = rng.choice(["Z", "Z", "+08:00", "-01:00", "+01:00", "+23:59", "+24:00", "z", "+0800"])
    separator = rng.choice(["T", "T", "T", "t", " "])
    return f"{year}-{month}-{day}{separator}{hour}:{minute}:{second}{fraction}{offset}"


def date_inputs(rng: random.Random) -> Iterator[Hostile]:
    for n, value in enumerate(DATES):
        for field in ("validFrom", "validUntil"):
            document = signed(lambda d, f=field, v=value: d.__setitem__(f, v))  # type: ignore[misc]
            yield Hostile(f"date-{field}-{n}", as_json(document))
        yield Hostile(f"date-created-{n}", as_json(_created(value)))
        yield Hostile(f"date-no-created-{n}", as_json(_without_created(value)))
        both = signed(lambda d, v=value: d.__setitem__("validFrom", v))  # type: ignore[misc]
        both["proof"]["created"] = rng.choice(DATES)
        yield Hostile(f"date-both-{n}", as_json(both))
    for n in range(160):
        value = _random_date(rng)
        if n % 3 == 1:
            yield Hostile(f"date-random-created-{n}", as_json(_created(value)))
        elif n % 3 == 2:
            yield Hostile(f"date-random-no-created-{n}", as_json(_without_created(value)))
        else:
            document = signed(lambda d, v=value: d.__setitem__("validFrom", v))  # type: ignore[misc]
            yield Hostile(f"date-random-validFrom-{n}", as_json(document))


# --- CBOR tags in the DTE1 payload ---------------------------------------------------------------


def _cbor(document: Any, **options: Any) -> bytes:
    import cbor2

    return cbor2.dumps(document, **options)


def _tagged_level(tag: int, content: Any) -> Any:
    import cbor2

    document = copy.deepcopy(VALID)
    document["credentialSubject"]["certificate"]["level"]["code"] = cbor2.CBORTag(tag, content)
    return document


def cbor_tag_inputs(rng: random.Random) -> Iterator[Hostile]:
    """Payloads that decode, in a decoder that honours the tag, to the valid certificate itself
    (bignum 1, shared values, string references, the self-describe tag), and to others."""
    import cbor2

    payloads: dict[str, bytes] = {
        "self-describe": _cbor(cbor2.CBORTag(55799, VALID)),
        "value-sharing": _cbor(VALID, value_sharing=True),
        "string-refs": _cbor(VALID, string_referencing=True),
        "bignum-1": _cbor(_tagged_level(2, b"\x01")),
        "bignum-padded": _cbor(_tagged_level(2, b"\x00\x00\x01")),
        "negative-bignum": _cbor(_tagged_level(3, b"\x00")),
        "uri": _cbor(_tagged_level(32, "1")),
        "unknown-tag": _cbor(_tagged_level(4242, 1)),
        "epoch": _cbor(_tagged_level(1, 1)),
        "decimal": _cbor(_tagged_level(4, [0, 1])),
    }
    for n in range(12):
        big = copy.deepcopy(VALID)
        # What the encoder used to do with an integer past 64 bits: a tag-2 or tag-3 bignum.
        value = rng.randrange(2**64, 2**80) * rng.choice([1, -1])
        _put(big, INTEGER_PLACES[n % len(INTEGER_PLACES)], value)
        payloads[f"encoder-bignum-{n}"] = _cbor(big)
    for name, payload in payloads.items():
        yield Hostile(f"cbor-{name}", dte1(payload), ".txt")
    yield Hostile("cbor-plain", dte1(_cbor(VALID)), ".txt")


# --- images --------------------------------------------------------------------------------------

MAX_PIXELS = qr.MAX_IMAGE_PIXELS


def _code(document: dict[str, Any]) -> Image.Image:
    return Image.open(io.BytesIO(qr.to_png(document, scale=3))).convert("L")


def _save(image: Image.Image, fmt: str, **options: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def _grid(codes: list[Image.Image]) -> Image.Image:
    side = codes[0].width
    columns = min(len(codes), 3)
    rows = (len(codes) + columns - 1) // columns
    canvas = Image.new("L", (side * columns, side * rows), 255)
    for n, code in enumerate(codes):
        canvas.paste(code, ((n % columns) * side, (n // columns) * side))
    return canvas


def _variant(n: int) -> dict[str, Any]:
    document = copy.deepcopy(VALID)
    document["credentialSubject"]["certificate"]["field"] = f"{n + 1:02d}"
    return document


def image_inputs(rng: random.Random) -> Iterator[Hostile]:
    code = _code(VALID)
    formats: dict[str, tuple[str, Image.Image, dict[str, Any]]] = {
        "png": ("PNG", code, {}),
        "png-palette": ("PNG", code.convert("P"), {}),
        "png-rgba": ("PNG", code.convert("RGBA"), {}),
        "png-16bit": ("PNG", code.point(lambda v: v * 257, "I").convert("I;16"), {}),
        "jpeg": ("JPEG", code.convert("RGB"), {"quality": 92}),
        "jpeg-progressive": ("JPEG", code, {"quality": 92, "progressive": True}),
        "jpeg-cmyk": ("JPEG", code.convert("CMYK"), {"quality": 92}),
        "gif": ("GIF", code, {}),
        "bmp": ("BMP", code, {}),
        "bmp-rgb": ("BMP", code.convert("RGB"), {}),
        "tiff": ("TIFF", code, {}),
        "tiff-big-endian": ("TIFF", code, {"tiffinfo": {}, "compression": "raw"}),
        "webp": ("WEBP", code.convert("RGB"), {"lossless": True}),
        "ico": ("ICO", code.resize((256, 256)), {}),
    }
    for name, (fmt, image, options) in formats.items():
        yield Hostile(f"image-{name}", _save(image, fmt, **options), f".{fmt.lower()}")
    for count in range(1, 7):
        codes = [_code(_variant(n)) for n in range(count)]
        yield Hostile(f"image-{count}-codes", _save(_grid(codes), "PNG"), ".png")
    yield Hostile("image-5-same-codes", _save(_grid([code] * 5), "PNG"), ".png")
    other = _code(_variant(7))
    for at in range(5):  # four copies of one code and another: a reader capped at 4 misses it
        codes = [other if n == at else code for n in range(5)]
        yield Hostile(f"image-4-same-1-other-at-{at}", _save(_grid(codes), "PNG"), ".png")
    yield from _oversize_inputs(code)


def _oversize_inputs(code: Image.Image) -> Iterator[Hostile]:
    """Past the pixel limit by one row; and a file past the input limit (20 MiB)."""
    for fmt, (width, height) in (("PNG", (8000, 8001)), ("GIF", (8001, 8000))):
        canvas = Image.new("L", (width, height), 255)
        canvas.paste(code, (0, 0))
        yield Hostile(f"image-oversize-{fmt.lower()}", _save(canvas, fmt), f".{fmt.lower()}")
    padded = as_json(VALID).replace(b"{", b"{" + b" " * (20 * 1024 * 1024), 1)
    yield Hostile("json-over-input-limit", padded)


def _wrap(
    generate: Callable[[random.Random], Iterator[tuple[str, bytes]]],
) -> Callable[[random.Random], Iterator[Hostile]]:
    return lambda rng: (Hostile(name, data) for name, data in generate(rng))


# --- all -----------------------------------------------------------------------------------------

CLASSES: dict[str, Callable[[random.Random], Iterator[Hostile]]] = {
    "suite": suite_inputs,
    "long-integer": long_integer_inputs,
    "precision": precision_inputs,
    "date": date_inputs,
    "cbor-tag": cbor_tag_inputs,
    "image": image_inputs,
    **{kind: _wrap(generate) for kind, generate in hostile_log.CLASSES.items()},
    **{kind: _wrap(generate) for kind, generate in hostile_words.CLASSES.items()},
}


def hostile_inputs(seed: int = SEED) -> list[Hostile]:
    """Every hostile input, the same list for the same seed."""
    rng = random.Random(seed)
    return [
        Hostile(f"{kind}.{item.id}", item.data, item.suffix)
        for kind, generate in CLASSES.items()
        for item in generate(rng)
    ]


def write_corpus(inputs: list[Hostile], folder: Path) -> dict[str, Any]:
    """The inputs as a corpus `tools/corpus.mjs` runs in one Node process, with the bundles and
    the detached signatures of `hostile_rootchain` (each checked at its own `now`); its
    manifest."""
    (folder / "cases").mkdir(parents=True, exist_ok=True)
    (folder / "bundle.json").write_bytes((CORPUS / "bundle.json").read_bytes())
    cases = []
    for item in inputs:
        name = f"cases/{item.id}{item.suffix}"
        (folder / name).write_bytes(item.data)
        cases.append(
            {"id": item.id, "input": name, "card": None, "now": NOW, "bundle": "bundle.json"}
        )
    root_key = json.loads((CORPUS / "manifest.json").read_text("utf-8"))["rootKey"]
    bundles = []
    for name, data, now, highest in hostile_rootchain.bundle_inputs():
        file = f"bundles/{name}.json"
        (folder / file).parent.mkdir(exist_ok=True)
        (folder / file).write_bytes(data)
        bundles.append(
            {"id": f"chain.{name}", "file": file, "now": now, "highestSequence": highest}
        )
    detached = []
    (folder / "detached").mkdir(exist_ok=True)
    for name, body, signature, now in hostile_rootchain.detached_inputs():
        (folder / f"detached/{name}.json").write_bytes(body)
        (folder / f"detached/{name}.json.sig").write_bytes(signature)
        file, sig = f"detached/{name}.json", f"detached/{name}.json.sig"
        detached.append({"id": f"detached.{name}", "file": file, "signature": sig, "now": now})
    records = []
    for name, data, now, card in hostile_rootchain.record_inputs():
        file = f"detached/record-{name}.json"
        (folder / file).write_bytes(data)
        records.append({"id": f"record.{name}", "file": file, "now": now, "card": card})
    manifest = {
        "rootKey": root_key,
        "cases": cases,
        "bundles": bundles,
        "detached": detached,
        "records": records,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    return manifest
