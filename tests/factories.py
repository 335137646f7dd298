"""Test data builders: valid identifiers and applications (no real organisation's codes)."""

from __future__ import annotations

import random
from typing import Any

from credentials.idnumber import mod11_2_check
from registry.identifiers import uscc_check_character


def make_uscc(n: int, region: str = "350100") -> str:
    # "DTE" in the organisation-code part: a pattern no registration authority issues, so a
    # demo or test code never names a real organisation.
    body = f"91{region}DTE{n:05d}"[:16] + "0"
    return body + uscc_check_character(body)


def make_id_number(rng: random.Random, region: str = "350102", year: int | None = None) -> str:
    year = year or rng.randint(1970, 2003)
    body = f"{region}{year:04d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return body + mod11_2_check(body)


def application(
    uscc: str, *, kind: str = "EVALUATION", province: str = "35", **changes: Any
) -> dict[str, Any]:
    base: dict[str, Any] = {
        "uscc": uscc,
        "name": f"测试评价机构{uscc[-4:]}",
        "kind": kind,
        "province": province,
        "contactPerson": "王老师",
        "contactPhone": "0591-12345678",
        "contactEmail": "office@example.cn",
        "experienceYears": 8,
        "yearlyCount": 3500,
        "registeredInChina": True,
        "scope": [
            {"occupation": "2-02-38-01", "level": "JUNIOR", "direction": "计算机视觉产品实现"},
            {"occupation": "2-02-10-11", "level": "INTERMEDIATE"},
        ],
        "fees": [{"item": "考核费", "amountYuan": 800, "unit": "人次"}],
    }
    base.update(changes)
    return base
