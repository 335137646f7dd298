"""The issue's "done when", on the demo data (a smaller demo: 40 certificates): `/stats` shows
charts of the demo, the GraphQL statistics match the database (and the counters a recount for
every filter), the campaign re-draws to the same
selection and its removal shows on the directory, and the demo holder's exported record passes
`registry verify --key`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from click.testing import CliRunner

from registry.demo import certificates as demo_certificates
from registry.demo import directory as demo
from registry.demo import exams as demo_exams
from registry.demo import training as demo_training
from registry.settings import Settings
from registry.storage.db import Database
from registry.supervision import campaigns
from registry.trust import keystore
from service.verify_cli import verify_command
from tests.conftest import serving
from tests.registry.reports.oracle import agrees
from tests.service.test_stats_page import bars, with_stats_route


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def site(db: Database, settings: Settings) -> AsyncIterator[str]:
    from service.app import create_app

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REGISTRY_DEMO_CERTIFICATES", "40")
        await demo.seed_demo(db, settings)
        await demo_certificates.seed_certificates(db, settings)
    made = await demo_training.load(db, settings)
    assert made["cohorts"] and made["campaign"]
    assert await demo_training.load(db, settings) == {}  # loaded once
    assert await demo_exams.seed_exam_session(db, settings)
    assert await demo_exams.seed_exam_session(db, settings) is None  # seeded once
    async with serving(with_stats_route(create_app(settings, db=db))) as url:
        yield url


async def ask(url: str, query: str, **variables: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        body = (await http.post("/graphql", json={"query": query, "variables": variables})).json()
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


async def test_stats_shows_the_demo_and_matches_the_database(site: str, db: Database) -> None:
    async with httpx.AsyncClient(base_url=site, timeout=30) as http:
        html = (await http.get("/stats")).text
    issued = await db.certificates.count_documents({"status": {"$in": ["PUBLISHED", "REVOKED"]}})
    trainees = await db.trainees.count_documents({})
    assert issued > 0 and trainees > 0
    assert sum(v for _, v in bars(html, "chart-fields")) == issued
    assert sum(v for _, v in bars(html, "chart-provinces")) == issued
    assert any(v > 0 for _, v in bars(html, "chart-progress"))
    [totals] = (
        await ask(site, "{ statistics { trainees certificatesIssued certificatesRevoked } }")
    )["statistics"]
    assert totals == {
        "trainees": trainees,
        "certificatesIssued": issued,
        "certificatesRevoked": await db.certificates.count_documents({"status": "REVOKED"}),
    }


async def test_the_demo_campaign_redraws_and_its_removal_is_on_the_directory(
    site: str, db: Database
) -> None:
    stored = await db.supervision_campaigns.find_one({})
    assert stored is not None and stored["status"] == "RESULTS_PUBLISHED"
    report = await campaigns.redraw(db, stored["_id"])
    assert report.matches and report.population_matches
    removed = await db.supervision_findings.find_one({"action": "REMOVE"})
    assert removed is not None and removed["enforcement"]["status"] == "DONE"
    day = removed["enforcement"]["effective_on"]
    query = "query ($d: Date!) { institutions(listedOn: $d, first: 100) { nodes { uscc } } }"
    listed = {n["uscc"] for n in (await ask(site, query, d=day))["institutions"]["nodes"]}
    assert removed["institution"] not in listed


async def test_the_demo_holder_has_hours_per_year_and_a_verifiable_record(
    site: str, db: Database, settings: Settings
) -> None:
    name, idn = demo_training.DEMO_HOLDER
    query = """query ($i: String!, $n: String!) { continuingEducation(idNumber: $i, holderName: $n)
      { years { year hours entries { institutionUscc } } } }"""
    years = (await ask(site, query, i=idn, n=name))["continuingEducation"]["years"]
    assert years and all(y["hours"] > 0 for y in years)
    assert len({e["institutionUscc"] for y in years for e in y["entries"]}) == 2
    path = await demo_training.export_record(db, settings)
    assert path is not None and path.exists()
    assert idn not in path.read_text(encoding="utf-8")  # the binding, never the number
    root = (await keystore.root_public_key(db, settings.master_key())).multibase
    result = CliRunner().invoke(verify_command, [str(path), "--key", root, "--card", idn])
    assert result.exit_code == 0, result.output
    assert "SIGNATURE VALID" in result.output


async def test_after_the_demo_the_counters_equal_a_recount(site: str, db: Database) -> None:
    # Every filter and grouping of `statistics`, `programmeProgress`, and `registry stats check`.
    await agrees(db)


async def test_the_demo_shows_an_exam_session_its_list_and_its_results(
    site: str, db: Database
) -> None:
    listed = await ask(site, "{ examSessions(first: 5) { nodes { id status registered } } }")
    found, still_open = listed["examSessions"]["nodes"]
    assert (found["status"], found["registered"]) == ("LIST_CONFIRMED", 5)
    # The open session: three registered, one withdrew (cancelled with its reason).
    assert (still_open["status"], still_open["registered"]) == ("ANNOUNCED", 2)
    kept = [
        (d["status"], d.get("cancellation"))
        async for d in db["exam_registrations"].find({"session": still_open["id"]})
    ]
    assert sorted(kept, key=str) == sorted(
        [("REGISTERED", None)] * 2 + [("CANCELLED", demo_exams.WITHDRAWN)], key=str
    )
    sid = found["id"]
    one = await ask(site, "query ($id: String!) { examSession(id: $id) { id } }", id=sid)
    assert one["examSession"] == {"id": sid}
    statuses = [d["status"] async for d in db["exam_registrations"].find({"session": sid})]
    assert sorted(statuses) == ["CONFIRMED"] * 4 + ["REFUSED"]
    batch = await db["batches"].find_one({"session": sid})
    assert batch is not None and batch["status"] == "PUBLISHED"
    assert await db["certificates"].count_documents({"batch": batch["_id"]}) == 4
