"""Personal look-ups, good and bad, through every `@personal` field and through GET: none of them
puts an ID number in a response or a log line. The sweep over the whole run happens at the end of
the session (`privacy_sweep` in tests/conftest.py); this module makes sure it has something to
sweep and sweeps its own traffic at once."""

from __future__ import annotations

import datetime as dt
import random

import httpx

from credentials import qr
from registry.catalogue import reference_data as catalogue
from registry.printing.certificate_pdf import PrintedCertificate, render
from registry.storage.db import Database
from tests.credentials._support import issue
from tests.factories import GENERATED_ID_NUMBERS, make_id_number
from tests.personal import personal_requests
from tests.privacy import CAPTURED_BODIES, CAPTURED_LOG_LINES, leaks

QUERY = "query ($i: String!, $n: String!) { certificatesByHolder(idNumber: $i, holderName: $n) { number } }"


async def test_personal_look_ups_leave_no_id_number_in_responses_or_logs(
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
            assert response.status_code in (200, 294)  # 294: answered with errors (not found)
    # GET puts the number in the URL: the access log must still not carry it.
    await http.get(
        "/graphql", params={"query": QUERY, "variables": f'{{"i": "{good}", "n": "张三"}}'}
    )
    assert any(b"ID_NUMBER_CHECK" in body for body in CAPTURED_BODIES)  # the scan saw the errors
    assert len(CAPTURED_LOG_LINES) >= 5
    found = leaks()
    assert found == [], found[:5]
    assert len(GENERATED_ID_NUMBERS) >= 2


def test_the_sweep_finds_an_id_number_in_a_body_or_a_log_line() -> None:
    number = make_id_number(random.Random(7))
    GENERATED_ID_NUMBERS.add(number)
    body = b'{"data": {"echo": "' + number.encode() + b'"}}'
    line = f'{{"msg": "looked up {number}"}}'
    CAPTURED_BODIES.append(body)
    CAPTURED_LOG_LINES.append(line)
    try:
        found = leaks()
        assert len(found) == 2
        assert found[0] == """response: …b'{"data": {"echo": "<ID>"}}'"""
        assert found[1] == 'log: {"msg": "looked up <ID>"}'
        assert all(number not in place for place in found)
    finally:
        # Planted here: the session-end sweep must not see them.
        CAPTURED_BODIES.remove(body)
        CAPTURED_LOG_LINES.remove(line)
    assert leaks() == []


def test_the_sweep_reads_the_text_of_a_pdf() -> None:
    """An ID number printed in a PDF is in no byte of the file (compressed, drawn as glyph ids of
    a font subset): the sweep must find it all the same."""
    number = make_id_number(random.Random(8))
    pdf = render(
        PrintedCertificate(
            number="Z350001261010000015",
            holder_name=number,  # as if a name field had carried it
            occupation_name="人工智能工程技术人员",
            occupation_codes=["2-02-38-01（2022年版）"],
            direction=None,
            level="初级 Junior",
            issuer_name="测试机构",
            issuer_uscc="91350100DTE000010X",
            exam_date=dt.date(2026, 11, 1),
            issued_on=dt.date(2026, 11, 20),
            qr_text=qr.encode_text(issue()),
            verify_url="https://registry.example/verify",
        )
    )
    assert number.encode() not in pdf
    CAPTURED_BODIES.append(pdf)
    try:
        found = leaks()
        assert len(found) == 1 and "<ID>" in found[0] and number not in found[0]
    finally:
        CAPTURED_BODIES.remove(pdf)
    assert leaks() == []
