"""No ID number in any response body or log line of the test run (named zz_ to run last).

The scenario below makes its own personal look-ups, good and bad, so the scan never passes
vacuously even when this module runs alone; when the whole suite runs it also covers every other
module's traffic and logs."""

from __future__ import annotations

import random

import httpx

from registry import catalogue
from registry.db import Database
from tests.conftest import CAPTURED_BODIES, CAPTURED_LOG_LINES
from tests.factories import GENERATED_ID_NUMBERS, make_id_number
from tests.personal import personal_requests

QUERY = "query ($i: String!, $n: String!) { certificatesByHolder(idNumber: $i, holderName: $n) { number } }"


async def test_no_id_number_in_any_response_or_log_line(
    http: httpx.AsyncClient, db: Database
) -> None:
    await catalogue.seed_reference(db)
    rng = random.Random(99)
    good = make_id_number(rng)
    bad_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    GENERATED_ID_NUMBERS.add(bad_check)
    for number in (good, bad_check, good[:15], good + "1"):
        # Every field marked `@personal`, so a newly marked field is swept too.
        for query, variables in personal_requests(number).values():
            response = await http.post("/graphql", json={"query": query, "variables": variables})
            assert response.status_code == 200
    # GET puts the number in the URL: the access log must still not carry it.
    await http.get(
        "/graphql", params={"query": QUERY, "variables": f'{{"i": "{good}", "n": "张三"}}'}
    )
    assert any(b"ID_NUMBER_CHECK" in body for body in CAPTURED_BODIES)  # the scan saw the errors
    assert len(CAPTURED_LOG_LINES) >= 5
    leaks = []
    for number in GENERATED_ID_NUMBERS:
        needle = number.encode()
        leaks += [
            f"response: …{b[max(0, b.find(needle) - 40) : b.find(needle) + 20]!r}"
            for b in CAPTURED_BODIES
            if needle in b
        ]
        leaks += [f"log: {line[:200]}" for line in CAPTURED_LOG_LINES if number in line]
    assert leaks == [], leaks[:5]
    assert len(GENERATED_ID_NUMBERS) >= 2
