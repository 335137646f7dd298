"""Supervision through the GraphQL API with real tokens and through `registry supervision`: a
campaign announced, drawn from a published seed, re-drawn by anyone from the published document
with the identical selection, a removal that shows in `institutions(listedOn:)` from its
effective date, public results; the permission matrix."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from registry.access.auth import Principal, Role
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.storage.db import Database
from registry.supervision import campaigns, roster
from registry.supervision.draw import DrawRules
from service.cli_supervision import supervision_group
from tests.client import gql, post
from tests.factories import listed_institution, make_tokens, make_uscc

FUJIAN = [make_uscc(950 + i) for i in range(4)]
BEIJING = [make_uscc(960 + i, region="110108") for i in range(2)]
TODAY = clock.today()
# The API announces at the server's clock, so the seed moment it names is still ahead: a campaign
# drawn through the API is announced here two hours back, its seed existing from an hour back.
ANNOUNCED = clock.now().replace(microsecond=0) - dt.timedelta(hours=2)


@pytest.fixture(scope="module")
async def t(db: Database) -> dict[str, str]:
    await catalogue.seed_reference(db)
    for i, uscc in enumerate(FUJIAN):
        await listed_institution(db, uscc, kind="TRAINING" if i % 2 else "EVALUATION")
    for uscc in BEIJING:
        await listed_institution(db, uscc, province="11")
    specs = {
        "office": (Role.OFFICE_ADMIN, None, None),
        "cettic": (Role.CETTIC_REVIEWER, None, None),
        "prov35": (Role.PROVINCIAL_REVIEWER, None, "35"),
        "prov11": (Role.PROVINCIAL_REVIEWER, None, "11"),
        "evaluator": (Role.EVALUATION_INSTITUTION, FUJIAN[0], None),
        "trainer": (Role.TRAINING_INSTITUTION, FUJIAN[1], None),
    }
    return await make_tokens(db, specs)


ADD = """mutation ($n: String!, $p: String!, $b: String!) { addInspector(name: $n, province: $p,
  badge: $b) { inspector { id active } userErrors { field code } } }"""
ANNOUNCE = """mutation ($input: SupervisionCampaignInput!) { announceSupervisionCampaign(input: $input) {
  replayed campaign { id status population seed selection { institutionUscc } }
  userErrors { field code message } } }"""
DRAW = """mutation ($id: String!, $seed: String!) { drawSupervisionCampaign(campaignId: $id, seed: $seed) {
  campaign { id status seed selection { institutionUscc inspectorIds short } publishedDocument }
  userErrors { field code message } } }"""
FINDING = """mutation ($input: SupervisionFindingInput!) { recordSupervisionFinding(input: $input) {
  finding { institutionUscc outcome action enforcement effectiveOn }
  userErrors { field code message } } }"""
PUBLISH = """mutation ($id: String!) { publishSupervisionResults(campaignId: $id, summary: "done") {
  campaign { status resultsSummary } userErrors { code message } } }"""
CAMPAIGN = """query ($id: String!) { supervisionCampaign(id: $id) { status seed
  findings { institutionUscc outcome violation action details effectiveOn }
  redraw { matches populationMatches } } }"""
LISTED = (
    """query ($d: Date!) { institutions(listedOn: $d, first: 100) { edges { node { uscc } } } }"""
)


def announce_input(key: str, *, sample: int = 6) -> dict[str, Any]:
    return {
        "idempotencyKey": key,
        "title": "API 抽查",
        "year": TODAY.year,
        "seedSource": "公告次日的开奖号码",
        "seedNotBefore": (clock.now() + dt.timedelta(hours=1)).isoformat(),
        "rules": {
            "kinds": ["EVALUATION", "TRAINING"],
            "listedOn": (TODAY - dt.timedelta(days=1)).isoformat(),
            "sampleSize": sample,
            "inspectorsPerInstitution": 2,
        },
    }


OFFICE = Principal(Role.OFFICE_ADMIN, "t", "tok-office")


async def api_roster(db: Database) -> None:
    """The roster the first test adds through the API (adding is idempotent), for a test run on
    its own."""
    for i in range(4):
        await roster.add(db, OFFICE, name=f"检查员{i}", province="35", badge=f"API-{i:04d}")


async def announced_earlier(db: Database, key: str, *, sample: int = 6) -> str:
    """The id of an office campaign over every province, drawable now (see ANNOUNCED)."""
    rules = DrawRules(
        ("EVALUATION", "TRAINING"), (), ANNOUNCED.date() - dt.timedelta(days=1), sample, 2
    )
    spec = campaigns.CampaignInput(
        key, "API 抽查", TODAY.year, "公告次日的开奖号码", rules, ANNOUNCED + dt.timedelta(hours=1)
    )
    await api_roster(db)
    campaign, _ = await campaigns.announce(db, OFFICE, spec, now=ANNOUNCED)
    return campaign.id


async def test_a_campaign_from_announcement_to_public_results(
    http: httpx.AsyncClient, t: dict[str, str], tmp_path: Path, db: Database
) -> None:
    for i in range(4):
        data = await gql(http, t["office"], ADD, n=f"检查员{i}", p="35", b=f"API-{i:04d}")
        assert data["addInspector"]["userErrors"] == []
    announced = (await gql(http, t["office"], ANNOUNCE, input=announce_input("api-campaign-01")))[
        "announceSupervisionCampaign"
    ]
    assert announced["userErrors"] == [] and announced["campaign"]["status"] == "ANNOUNCED"
    assert sorted(announced["campaign"]["population"]) == sorted(FUJIAN + BEIJING)
    assert announced["campaign"]["seed"] is None and announced["campaign"]["selection"] is None
    cid = await announced_earlier(db, "api-campaign-02")
    drawn = (await gql(http, t["office"], DRAW, id=cid, seed="2026-11-21 开奖 07 13 22"))[
        "drawSupervisionCampaign"
    ]["campaign"]
    assert drawn["status"] == "DRAWN" and len(drawn["selection"]) == 6
    # Anyone re-runs the draw from the published document: the identical selection.
    path = tmp_path / "campaign.json"
    path.write_text(json.dumps(drawn["publishedDocument"], ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(supervision_group, ["redraw", str(path), "--json"])
    assert result.exit_code == 0, result.output
    redrawn = json.loads(result.output)
    assert (
        redrawn["matches"]
        and [
            {"institutionUscc": a["uscc"], "inspectorIds": a["inspectors"], "short": a["short"]}
            for a in redrawn["selection"]
        ]
        == drawn["selection"]
    )
    text = CliRunner().invoke(supervision_group, ["redraw", str(path)])
    assert text.exit_code == 0 and "MATCH" in text.output
    forged = drawn["publishedDocument"]
    forged["selection"] = forged["selection"][::-1]
    path.write_text(json.dumps(forged, ensure_ascii=False), encoding="utf-8")
    mismatch = CliRunner().invoke(supervision_group, ["redraw", str(path)])
    assert mismatch.exit_code == 1 and "MISMATCH" in mismatch.output
    forged = {
        **drawn["publishedDocument"],
        "population": drawn["publishedDocument"]["population"][1:],
    }
    path.write_text(json.dumps(forged, ensure_ascii=False), encoding="utf-8")
    undigested = CliRunner().invoke(supervision_group, ["redraw", str(path)])
    assert undigested.exit_code == 2 and "digest" in undigested.output
    path.write_text("{not json", encoding="utf-8")
    assert CliRunner().invoke(supervision_group, ["redraw", str(path)]).exit_code == 2
    # Findings: the removal takes effect on the directory today.
    target = BEIJING[0]
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    before = {
        e["node"]["uscc"]
        for e in (await gql(http, None, LISTED, d=yesterday))["institutions"]["edges"]
    }
    assert target in before
    for uscc in (a["institutionUscc"] for a in drawn["selection"]):
        violation = uscc == target
        finding_input: dict[str, Any] = {
            "campaignId": cid,
            "institutionUscc": uscc,
            "outcome": "VIOLATION" if violation else "COMPLIANT",
            "action": "REMOVE" if violation else "NONE",
            "details": "转包给目录外机构，经调查核实" if violation else "",
        }
        if violation:
            finding_input["violation"] = "SUBCONTRACTING"
        recorded = (await gql(http, t["office"], FINDING, input=finding_input))[
            "recordSupervisionFinding"
        ]
        assert recorded["userErrors"] == [], recorded
        if violation:
            assert recorded["finding"]["enforcement"] == "DONE"
            assert recorded["finding"]["effectiveOn"] == TODAY.isoformat()
    after_yesterday = {
        e["node"]["uscc"]
        for e in (await gql(http, None, LISTED, d=yesterday))["institutions"]["edges"]
    }
    today = {
        e["node"]["uscc"]
        for e in (await gql(http, None, LISTED, d=TODAY.isoformat()))["institutions"]["edges"]
    }
    assert target in after_yesterday and target not in today
    status = "query ($u: String!) { institution(uscc: $u) { status removalViolation } }"
    assert (await gql(http, None, status, u=target))["institution"] == {
        "status": "REMOVED",
        "removalViolation": "SUBCONTRACTING",
    }
    # Findings are not public until the results are; supervisors see them as recorded.
    assert (await gql(http, None, CAMPAIGN, id=cid))["supervisionCampaign"]["findings"] is None
    assert (
        len((await gql(http, t["prov35"], CAMPAIGN, id=cid))["supervisionCampaign"]["findings"])
        == 6
    )
    published = (await gql(http, t["office"], PUBLISH, id=cid))["publishSupervisionResults"]
    assert published["campaign"] == {"status": "RESULTS_PUBLISHED", "resultsSummary": "done"}
    public = (await gql(http, None, CAMPAIGN, id=cid))["supervisionCampaign"]
    assert len(public["findings"]) == 6
    assert public["redraw"] == {"matches": True, "populationMatches": True}
    removed = next(f for f in public["findings"] if f["institutionUscc"] == target)
    assert removed["violation"] == "SUBCONTRACTING" and removed["effectiveOn"] == TODAY.isoformat()


async def test_redraw_by_campaign_id_reads_the_database(
    db: Database, mongodb_uri: str, t: dict[str, str], tmp_path: Path
) -> None:
    found = await db.supervision_campaigns.find_one({"status": "RESULTS_PUBLISHED"})
    assert found is not None
    env = {
        "REGISTRY_MONGODB_URI": mongodb_uri,
        "REGISTRY_DATABASE": db.name,
        "REGISTRY_DATA_DIR": str(tmp_path),
    }
    runner = CliRunner()
    result = await asyncio.to_thread(
        runner.invoke, supervision_group, ["redraw", found["_id"]], env=env
    )
    assert result.exit_code == 0, result.output
    assert "MATCH" in result.output and found["seed"] in result.output
    out = tmp_path / "exported.json"
    exported = await asyncio.to_thread(
        runner.invoke, supervision_group, ["export", found["_id"], str(out)], env=env
    )
    assert exported.exit_code == 0, exported.output
    again = runner.invoke(supervision_group, ["redraw", str(out)])
    assert again.exit_code == 0 and "MATCH" in again.output
    listing = await asyncio.to_thread(runner.invoke, supervision_group, ["list"], env=env)
    assert found["_id"] in listing.output
    missing = await asyncio.to_thread(
        runner.invoke, supervision_group, ["redraw", "cmp_does_not_exist"], env=env
    )
    assert missing.exit_code == 2 and "Traceback" not in missing.output


# mutation -> (document, variables, labels allowed to call it); ids filled in at run time.
MATRIX: dict[str, tuple[str, dict[str, Any], set[str]]] = {
    "addInspector": (ADD, {"n": "x", "p": "35", "b": "MATRIX-0001"}, {"office", "prov35"}),
    "retireInspector": (
        """mutation ($iid: String!) { retireInspector(id: $iid) { userErrors { code } } }""",
        {},
        {"office", "prov35"},
    ),
    "announceSupervisionCampaign": (
        ANNOUNCE,
        {"input": announce_input("matrix-campaign-01")},
        {"office", "prov35", "prov11"},
    ),
    "drawSupervisionCampaign": (DRAW, {"seed": "matrix seed"}, {"office"}),
    "recordSupervisionFinding": (
        FINDING,
        {},  # input built at run time
        {"office", "prov35"},
    ),
    "publishSupervisionResults": (PUBLISH, {}, {"office"}),
}
STATE = ("supervision_inspectors", "supervision_campaigns", "supervision_findings", "institutions")


async def test_every_supervision_mutation_is_refused_for_every_other_role(
    http: httpx.AsyncClient, t: dict[str, str], db: Database
) -> None:
    # A campaign of the office, drawn, with a drawn institution in Fujian to record a finding on.
    base = await announced_earlier(db, "matrix-base-01")
    drawn = (await gql(http, t["office"], DRAW, id=base, seed="base seed"))[
        "drawSupervisionCampaign"
    ]["campaign"]
    fujian = next(
        a["institutionUscc"] for a in drawn["selection"] if a["institutionUscc"] in FUJIAN
    )
    fresh = (await gql(http, t["office"], ANNOUNCE, input=announce_input("matrix-base-02")))[
        "announceSupervisionCampaign"
    ]["campaign"]
    inspector = await db.supervision_inspectors.find_one({"province": "35", "active": True})
    assert inspector is not None
    finding = {
        "campaignId": drawn["id"],
        "institutionUscc": fujian,
        "outcome": "DEFICIENT",
        "action": "RECTIFY",
        "details": "x",
    }
    for mutation, (document, variables, allowed) in MATRIX.items():
        for caller in ["anonymous", *t]:
            if caller in allowed:
                continue
            before = [await db[c].find().sort("_id", 1).to_list() for c in STATE]
            audit_before = await db.audit_log.count_documents({})
            token = None if caller == "anonymous" else t[caller]
            values = {**variables, "iid": inspector["_id"]}
            if mutation == "drawSupervisionCampaign":
                values["id"] = fresh["id"]
            elif mutation == "publishSupervisionResults":
                values["id"] = drawn["id"]
            elif mutation == "recordSupervisionFinding":
                values["input"] = finding
            body = await post(http, token, document, **values)
            assert body.get("errors"), (mutation, caller, body)
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", (mutation, caller, body)
            assert [await db[c].find().sort("_id", 1).to_list() for c in STATE] == before
            assert await db.audit_log.count_documents({}) == audit_before, (mutation, caller)
    # Removal stays with the office even for the province the institution is in.
    removal = {**finding, "outcome": "VIOLATION", "action": "REMOVE", "violation": "FRAUD"}
    body = await post(http, t["prov35"], FINDING, input=removal)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


PUBLIC_RECORD = """query ($id: String!) { supervisionCampaign(id: $id) { status algorithm
  seedSource seedNotBefore announcedAt drawnAt populationDigest seed population
  selection { institutionUscc inspectorIds short } publishedDocument } }"""


DOCS = Path(__file__).parents[2] / "docs" / "training-and-supervision.md"


def documented_rerun() -> dict[str, Any]:
    """The Python of the draw's section of the docs, run verbatim: what anyone can do with the
    public record, written from the docs and not from the registry's code."""
    section = DOCS.read_text(encoding="utf-8").split("### The draw, so that anyone can re-run")[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    namespace: dict[str, Any] = {}
    exec(compile(code.group(1), str(DOCS), "exec"), namespace)  # our own docs, run verbatim
    return namespace


async def test_anyone_reruns_the_draw_from_the_public_record(
    http: httpx.AsyncClient, t: dict[str, str], db: Database
) -> None:
    cid = await announced_earlier(db, "api-rerun-01", sample=3)
    await gql(http, t["office"], DRAW, id=cid, seed="  2026-12-03 福彩3D 第2026321期 518 ")
    public = (await gql(http, None, PUBLIC_RECORD, id=cid))["supervisionCampaign"]
    document = public["publishedDocument"]
    assert public["algorithm"] == document["algorithm"] == "dte-draw-v1"
    assert public["seed"] == document["seed"] == "2026-12-03 福彩3D 第2026321期 518"
    assert document["seedSource"] == public["seedSource"] == "公告次日的开奖号码"
    # Fixed before the seed could exist, and the draw came after that moment.
    announced, not_before, drawn = (
        dt.datetime.fromisoformat(public[k]) for k in ("announcedAt", "seedNotBefore", "drawnAt")
    )
    assert announced < not_before <= drawn
    assert dt.datetime.fromisoformat(document["seedNotBefore"]) == not_before
    # The population is the one whose digest was published, listed in the documented order.
    assert document["populationOrder"] == "uscc ascending"
    assert [p["uscc"] for p in document["population"]] == sorted(public["population"])
    docs = documented_rerun()
    assert docs["population_digest"](document) == public["populationDigest"]
    assert document["populationDigest"] == public["populationDigest"]
    # Re-run from the public record alone, by the documented algorithm: the same selection.
    selection = docs["rerun"](document)
    assert len(selection) == 3 and docs["check"](document)
    assert [
        {"institutionUscc": a["uscc"], "inspectorIds": a["inspectors"], "short": a["short"]}
        for a in selection
    ] == public["selection"]
    # A changed population or selection does not pass the documented check.
    assert not docs["check"]({**document, "population": document["population"][1:]})
    assert not docs["check"]({**document, "selection": document["selection"][::-1]})


async def test_a_draw_cannot_be_steered_through_the_api(
    http: httpx.AsyncClient, t: dict[str, str], db: Database
) -> None:
    await api_roster(db)
    # Before the announced moment: refused, nothing stored.
    ahead = (await gql(http, t["office"], ANNOUNCE, input=announce_input("api-steer-01")))[
        "announceSupervisionCampaign"
    ]["campaign"]
    early = (await gql(http, t["office"], DRAW, id=ahead["id"], seed="chosen now"))[
        "drawSupervisionCampaign"
    ]
    assert early["campaign"] is None
    assert [(e["field"], e["code"]) for e in early["userErrors"]] == [
        ("seed", "SEED_NOT_YET_AVAILABLE")
    ]
    state = (await gql(http, None, PUBLIC_RECORD, id=ahead["id"]))["supervisionCampaign"]
    assert state["status"] == "ANNOUNCED" and state["seed"] is None
    # A moment that is not after the announcement is refused at announcement.
    past = {**announce_input("api-steer-02"), "seedNotBefore": "2026-01-01T00:00:00+08:00"}
    refused = (await gql(http, t["office"], ANNOUNCE, input=past))["announceSupervisionCampaign"]
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [
        ("seedNotBefore", "INVALID_SEED_NOT_BEFORE")
    ]
    # After it: the first seed only, however many are tried.
    cid = await announced_earlier(db, "api-steer-03")
    first = (await gql(http, t["office"], DRAW, id=cid, seed="first"))["drawSupervisionCampaign"]
    assert first["userErrors"] == []
    for n in range(5):
        other = (await gql(http, t["office"], DRAW, id=cid, seed=f"better {n}"))[
            "drawSupervisionCampaign"
        ]
        assert [e["code"] for e in other["userErrors"]] == ["ALREADY_DRAWN"]
    after = (await gql(http, None, PUBLIC_RECORD, id=cid))["supervisionCampaign"]
    assert after["seed"] == "first" and after["selection"] == first["campaign"]["selection"]


async def test_a_violation_closed_with_a_suspension_only_is_refused_through_the_api(
    http: httpx.AsyncClient, t: dict[str, str], db: Database
) -> None:
    """六(三): a confirmed violation ends the listing; a finding of one that only suspends is
    refused with its code, and the directory does not change."""
    cid = await announced_earlier(db, "api-violation-01", sample=1)
    drawn = (await gql(http, t["office"], DRAW, id=cid, seed="violation seed"))[
        "drawSupervisionCampaign"
    ]["campaign"]
    uscc = drawn["selection"][0]["institutionUscc"]
    status = "query ($u: String!) { institution(uscc: $u) { status } }"
    before = (await gql(http, None, status, u=uscc))["institution"]
    light = {
        "campaignId": cid,
        "institutionUscc": uscc,
        "outcome": "VIOLATION",
        "action": "SUSPEND",
        "details": "发放培训贷，经调查核实",
        "violation": "TRAINING_LOANS",
    }
    answer = (await gql(http, t["office"], FINDING, input=light))["recordSupervisionFinding"]
    assert answer["finding"] is None
    assert [(e["field"], e["code"]) for e in answer["userErrors"]] == [
        ("action", "CONSEQUENCE_BELOW_MINIMUM")
    ]
    assert (await gql(http, None, status, u=uscc))["institution"] == before
