"""Shared builders and Hypothesis strategies for the credentials tests."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from credentials.binding import BindingParams, commit
from credentials.certificate import CertificateClaims, Level, StatusEntry, issue_certificate
from credentials.keys import SigningKey

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
