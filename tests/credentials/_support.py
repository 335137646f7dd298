"""Shared builders and Hypothesis strategies for the credentials tests, and a small, fully real
trust world (keys, a bundle, certificates issued with the project's own `certificate` module).
Nothing is mocked; every document is really signed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from credentials import binding
from credentials.binding import BindingParams, commit
from credentials.bundle import (
    BundleKey,
    Institution,
    ListingPeriod,
    Occupation,
    ScopeEntry,
    StatusRange,
    build_bundle,
    sign_bundle,
)
from credentials.certificate import CertificateClaims, Level, StatusEntry, issue_certificate
from credentials.idnumber import mod11_2_check
from credentials.keys import PublicKey, SigningKey
from credentials.status_list import StatusList, status_list_credential
from credentials.uscc import uscc_check_character

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "w3c-eddsa-jcs-2022"

# Cheapest Argon2id libsodium allows: property tests run hundreds of checks.
FAST_PARAMS = BindingParams(opslimit=1, memlimit=8 * 1024)

ISSUER_SEED = bytes(range(32))
HOLDER_ID = "11010519491231002X"  # the GB 11643 sample in docs/identifiers.md
FIXED_SALT = bytes(16)
CREATED = "2026-11-26T08:00:00Z"

# GB/T 2260 provincial prefixes, written out here so the tests do not trust the module's copy.
PROVINCES = (
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
    "61 62 63 64 65 71 81 82"
).split()
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_char(body17: str) -> str:
    """GB 11643 / ISO 7064 MOD 11-2, computed independently of credentials.idnumber."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(body17, _WEIGHTS, strict=True)) % 11]


def make_id(region: str, birth: dt.date, sequence: int) -> str:
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + check_char(body)


@st.composite
def valid_id_numbers(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(PROVINCES)) + draw(st.from_regex(r"[0-9]{4}", fullmatch=True))
    birth = draw(st.dates(dt.date(1900, 1, 1), dt.date(2025, 12, 31)))
    return make_id(region, birth, draw(st.integers(0, 999)))


def json_values(max_leaves: int = 20) -> st.SearchStrategy[Any]:
    """Any JSON value `json.loads` could return (I-JSON integers, finite floats)."""
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(-(2**53) + 1, 2**53 - 1)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=12)
    )
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
        ),
        max_leaves=max_leaves,
    )


def certificate_number(
    *,
    kind: str = "Z",
    province: str = "11",
    institution: str = "0001",
    year: str = "26",
    level: int = 1,
    field: str = "01",
    serial: str = "000001",
) -> str:
    body = f"{province}{institution}{year}{level}{field}{serial}"
    return kind + body + check_char(body)


def sample_claims(**overrides: Any) -> CertificateClaims:
    values: dict[str, Any] = {
        "certificate_number": certificate_number(),
        "holder_name": "张三",
        "occupation_code": "2-02-10-09",
        "occupation_name": "人工智能工程技术人员",
        "level": Level.JUNIOR,
        "field_code": "01",
        "issuer_uscc": "91350100M000100Y43",
        "issuer_name": "示例数字技术评价中心",
        "valid_from": "2026-11-26T00:00:00Z",
        "direction": "计算机视觉产品实现",
    }
    values.update(overrides)
    return CertificateClaims(**values)


SAMPLE_STATUS = StatusEntry("https://dte-registry.cn/status/1", 94567)


def issuer_key() -> SigningKey:
    return SigningKey.from_seed(ISSUER_SEED)


def sample_certificate(**overrides: Any) -> dict[str, Any]:
    """A deterministic signed certificate (fixed key, salt and time; cheap binding)."""
    binding = commit(HOLDER_ID, salt=FIXED_SALT, params=FAST_PARAMS)
    return issue_certificate(
        sample_claims(**overrides),
        issuer_key(),
        binding=binding,
        status=SAMPLE_STATUS,
        created=CREATED,
    )


def deep_copy(value: Any) -> Any:
    return json.loads(json.dumps(value))


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    """Every (path, value) pair below `value`, the root excluded; list indexes are ints."""
    out: list[tuple[tuple[Any, ...], Any]] = []
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        out.append(((*prefix, key), item))
        out.extend(paths(item, (*prefix, key)))
    return out


def get_at(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        doc = doc[part]
    return doc


# --- the trust world: keys, a bundle, certificates ---------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
VECTOR_DIR = ROOT / "tests" / "vectors" / "w3c-eddsa-jcs-2022"
SIGNED_VECTOR = VECTOR_DIR / "signedJCS.json"
VECTOR_KEY = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
BUNDLE_ISSUED = dt.datetime(2026, 11, 25, 0, 0, tzinfo=UTC)

ROOT_KEY = SigningKey.from_seed(b"\x01" * 32)
OTHER_ROOT_KEY = SigningKey.from_seed(b"\x02" * 32)
OLD_KEY = SigningKey.from_seed(b"\x03" * 32)  # institution A, retired 2025-01-01
NEW_KEY = SigningKey.from_seed(b"\x04" * 32)  # institution A, current
TRAINING_KEY = SigningKey.from_seed(b"\x05" * 32)  # institution B (a training institution)
STRANGER_KEY = SigningKey.from_seed(b"\x06" * 32)  # in no bundle
C_KEY = SigningKey.from_seed(b"\x07" * 32)  # institution C, another evaluation institution

USCC_A = "91350100M000100Y43"  # passes GB 32100 (docs/identifiers.md)
USCC_B = "91110000802100433B"
ISSUER_A = f"urn:uscc:{USCC_A}"
ISSUER_B = f"urn:uscc:{USCC_B}"
USCC_C = "91440300MA5D00001" + uscc_check_character("91440300MA5D00001")
ISSUER_C = f"urn:uscc:{USCC_C}"
A_PREFIX, C_PREFIX = "350001", "440002"
"""Positions 2-7 of the certificate numbers of A and C: province and institution number."""
C_INDEX = 100_000
"""An index of C's own range of the status list (A's ranges are on either side of it)."""
AI_2015, AI_2022 = "2-02-10-09", "2-02-38-01"
BIG_DATA = "2-02-10-11"
STATUS_URL = "https://dte-registry.cn/status/1"
OTHER_STATUS_URL = "https://dte-registry.cn/status/2"
REVOKED_INDEX = 4242
CARD = "11010519491231002X"  # the GB 11643 sample in docs/identifiers.md
OTHER_CARD = "11010519491231003" + mod11_2_check("11010519491231003")
CHEAP = binding.BindingParams(opslimit=1, memlimit=8 * 1024)  # tests need speed, not cost

KEY_SWITCH = dt.datetime(2025, 1, 1, tzinfo=UTC)
ISSUED = dt.datetime(2025, 6, 1, 2, 0, tzinfo=UTC)  # a typical issuance: key 2, first listing


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def institutions() -> list[Institution]:
    scope_1 = (
        ScopeEntry(AI_2015, 1),
        ScopeEntry(AI_2015, 2),
        ScopeEntry(BIG_DATA, 1, "大数据分析"),
    )
    return [
        Institution(
            id=ISSUER_A,
            name="福建示例评价中心",
            kind="EVALUATION",
            province="35",
            listings=(
                ListingPeriod(day("2023-03-01"), day("2025-12-31"), scope_1),
                # A gap in January-February 2026, then listed again with level 3 added.
                ListingPeriod(day("2026-03-01"), None, (*scope_1, ScopeEntry(AI_2015, 3))),
            ),
            keys=(
                BundleKey(OLD_KEY.public_key, at("2023-01-01T00:00:00"), KEY_SWITCH, ISSUER_A),
                BundleKey(NEW_KEY.public_key, KEY_SWITCH, None, ISSUER_A),
            ),
            number_prefix=A_PREFIX,
            # Two ranges of one list around C's; the second one runs past the list's end.
            status_ranges=(
                StatusRange(STATUS_URL, 0, 100_000),
                StatusRange(STATUS_URL, 110_000, 200_000),
                StatusRange(OTHER_STATUS_URL, 0, 131_072),
            ),
        ),
        Institution(
            id=ISSUER_B,
            name="北京示例培训学校",
            kind="TRAINING",
            province="11",
            listings=(ListingPeriod(day("2023-01-01"), None, (ScopeEntry(AI_2015, 1),)),),
            keys=(BundleKey(TRAINING_KEY.public_key, at("2023-01-01T00:00:00"), None, ISSUER_B),),
            number_prefix="110003",
        ),
        Institution(
            id=ISSUER_C,
            name="广东示例评价中心",
            kind="EVALUATION",
            province="44",
            listings=(ListingPeriod(day("2023-01-01"), None, (ScopeEntry(AI_2015, 1),)),),
            keys=(BundleKey(C_KEY.public_key, at("2023-01-01T00:00:00"), None, ISSUER_C),),
            number_prefix=C_PREFIX,
            status_ranges=(StatusRange(STATUS_URL, 100_000, 110_000),),
        ),
    ]


def occupations() -> list[Occupation]:
    return [
        Occupation((AI_2015, AI_2022), "人工智能工程技术人员"),
        Occupation((BIG_DATA, "2-02-38-03"), "大数据工程技术人员"),
    ]


def revocation_list(
    *, revoked: tuple[int, ...] = (REVOKED_INDEX,), signer: SigningKey = ROOT_KEY
) -> dict[str, Any]:
    status_list = StatusList()
    for index in revoked:
        status_list.set(index)
    return status_list_credential(
        STATUS_URL,
        status_list,
        "https://dte-registry.cn/",
        signer,
        valid_from=BUNDLE_ISSUED,
    )


def bundle_document(
    *,
    sequence: int = 7,
    issued: dt.datetime = BUNDLE_ISSUED,
    root: SigningKey = ROOT_KEY,
    status_lists: dict[str, dict[str, Any]] | None = None,
    institution_list: list[Institution] | None = None,
) -> dict[str, Any]:
    document = build_bundle(
        issued=issued,
        sequence=sequence,
        institutions=institution_list if institution_list is not None else institutions(),
        occupations=occupations(),
        status_lists=status_lists if status_lists is not None else {STATUS_URL: revocation_list()},
    )
    return sign_bundle(document, root, created=issued)


def _trust_number(
    *, level: int = 1, year: int = 25, serial: int = 1, field: str = "01", prefix: str = A_PREFIX
) -> str:
    body = f"{prefix}{year:02d}{level}{field}{serial:06d}"
    return "Z" + body + mod11_2_check(body)


def issue(
    *,
    key: SigningKey = NEW_KEY,
    when: dt.datetime = ISSUED,
    level: int = 1,
    occupation: str = AI_2015,
    direction: str | None = None,
    uscc: str = USCC_A,
    status_url: str = STATUS_URL,
    index: int = 1000,
    serial: int = 1,
    card: str = CARD,
    prefix: str = A_PREFIX,
) -> dict[str, Any]:
    claims = CertificateClaims(
        certificate_number=_trust_number(
            level=level, year=when.year % 100, serial=serial, prefix=prefix
        ),
        holder_name="张三",
        occupation_code=occupation,
        occupation_name="人工智能工程技术人员",
        level=Level(level),
        field_code="01",
        issuer_uscc=uscc,
        issuer_name="福建示例评价中心",
        valid_from=when,
        direction=direction,
    )
    return issue_certificate(
        claims,
        key,
        binding=binding.commit(card, params=CHEAP),
        status=StatusEntry(status_url, index),
        created=when,
    )


def root_public() -> list[PublicKey]:
    return [ROOT_KEY.public_key]


def dump(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)
