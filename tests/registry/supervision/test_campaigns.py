"""Campaigns in the registry: the roster, the announcement (population frozen from the directory),
the draw from a published seed and its re-run, findings and their enforcement through the
directory's own transitions, and the public results."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from registry.access.auth import Principal, Role
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.errors import Forbidden
from registry.institutions import directory
from registry.institutions.model import Kind, Status, Violation
from registry.problems import Rejected
from registry.storage.db import Database
from registry.supervision import campaigns, findings, policy, roster
from registry.supervision.draw import DrawInputError, DrawRules, draw
from registry.supervision.rules import Action as SA
from registry.supervision.rules import CampaignStatus, Enforcement
from tests.factories import listed_institution, make_uscc

FUJIAN = [make_uscc(900 + i) for i in range(6)]
BEIJING = [make_uscc(910 + i, region="110108") for i in range(3)]
OFFICE = Principal(Role.OFFICE_ADMIN, "t", "tok-office")
PROV35 = Principal(Role.PROVINCIAL_REVIEWER, "t", "tok-35", province="35")
PROV11 = Principal(Role.PROVINCIAL_REVIEWER, "t", "tok-11", province="11")
PUBLIC = Principal(None, "public")
TODAY = clock.today()
LISTED_ON = TODAY - dt.timedelta(days=20)
# Announced two hours ago, naming a seed that exists from one hour ago: drawable now.
ANNOUNCED = clock.now().replace(microsecond=0) - dt.timedelta(hours=2)
SEED_EXISTS = ANNOUNCED + dt.timedelta(hours=1)


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(3), tzinfo=dt.UTC)


def rules(**changes: object) -> DrawRules:
    base = {
        "kinds": ("EVALUATION", "TRAINING"),
        "provinces": (),
        "listed_on": LISTED_ON,
        "sample_size": 4,
        "inspectors_per_institution": 2,
        "avoid_same_province": False,
    }
    base.update(changes)
    return DrawRules(**base)  # type: ignore[arg-type]


def spec(key: str, **changes: object) -> campaigns.CampaignInput:
    fields: dict[str, object] = {
        "idempotency_key": key,
        "title": "2026 年第一次抽查",
        "year": TODAY.year,
        "seed_source": "公告次日的福彩3D开奖号码",
        "rules": rules(),
        "seed_not_before": SEED_EXISTS,
    }
    fields.update(changes)
    return campaigns.CampaignInput(**fields)  # type: ignore[arg-type]


async def announce(
    db: Database, who: Principal, spec_: campaigns.CampaignInput
) -> tuple[campaigns.Campaign, bool]:
    return await campaigns.announce(db, who, spec_, now=ANNOUNCED)


@pytest.fixture(scope="module", autouse=True)
async def directory_and_roster(db: Database) -> None:
    await catalogue.seed_reference(db)
    for i, uscc in enumerate(FUJIAN):
        await listed_institution(db, uscc, kind="TRAINING" if i % 2 else "EVALUATION")
    for uscc in BEIJING:
        await listed_institution(db, uscc, province="11")
    # Listed only after the population day: never drawn.
    late = make_uscc(920)
    await listed_institution(db, late, filed=(TODAY - dt.timedelta(days=30)).isoformat())
    for i in range(4):
        await roster.add(db, PROV35, name=f"闽检查员{i}", province="35", badge=f"FJ-{i:04d}")
    for i in range(3):
        await roster.add(
            db,
            OFFICE,
            name=f"京检查员{i}",
            province="11",
            badge=f"BJ-{i:04d}",
            affiliation=BEIJING[0] if i == 0 else None,
        )


async def test_the_roster_is_scoped_and_safe_to_retry(db: Database) -> None:
    again = await roster.add(db, PROV35, name="闽检查员0", province="35", badge="fj-0000")
    assert again.name == "闽检查员0"
    with pytest.raises(Rejected) as caught:
        await roster.add(db, PROV35, name="别人", province="35", badge="FJ-0000")
    assert caught.value.problems[0].code == "INSPECTOR_EXISTS"
    with pytest.raises(Forbidden):
        await roster.add(db, PROV35, name="x", province="11", badge="BJ-9999")
    for who in (Principal(None, "public"), Principal(Role.CETTIC_REVIEWER, "t", "c")):
        with pytest.raises(Forbidden):
            await roster.add(db, who, name="x", province="35", badge="FJ-9999")
    with pytest.raises(Rejected) as caught:
        await roster.add(db, OFFICE, name="", province="99", badge="!", affiliation="nope")
    assert {p.code for p in caught.value.problems} >= {
        "INVALID_NAME",
        "UNKNOWN_PROVINCE",
        "INVALID_BADGE",
    }
    extra = await roster.add(db, OFFICE, name="临时", province="35", badge="FJ-TEMP")
    with pytest.raises(Forbidden):
        await roster.retire(db, PROV11, extra.id)
    assert not (await roster.retire(db, PROV35, extra.id)).active
    assert not (await roster.retire(db, PROV35, extra.id)).active


async def test_announce_freezes_the_population_of_the_directory(db: Database) -> None:
    campaign, replayed = await announce(db, OFFICE, spec("campaign-pop-0001"))
    assert not replayed and campaign.status == CampaignStatus.ANNOUNCED
    expected = [c.uscc for c in await campaigns.population(db, rules())]
    assert sorted(expected) == sorted(FUJIAN + BEIJING)
    assert [c.uscc for c in campaign.population] == sorted(FUJIAN + BEIJING)
    assert len(campaign.roster) == 7 and campaign.seed is None
    same, replayed = await announce(db, OFFICE, spec("campaign-pop-0001"))
    assert replayed and same.id == campaign.id
    with pytest.raises(Rejected) as caught:
        await announce(db, OFFICE, spec("campaign-pop-0001", rules=rules(sample_size=3)))
    assert caught.value.problems[0].code == "IDEMPOTENCY_KEY_REUSED"


async def test_a_province_announces_for_itself_only(db: Database) -> None:
    mine, _ = await announce(db, PROV35, spec("campaign-fj-0001"))
    assert mine.owner_province == "35" and mine.rules.provinces == ("35",)
    assert {c.province for c in mine.population} == {"35"}
    assert {i.province for i in mine.roster} == {"35"}
    with pytest.raises(Forbidden):
        await announce(db, PROV35, spec("campaign-fj-0002", rules=rules(provinces=("11",))))
    with pytest.raises(Forbidden):
        await campaigns.draw_campaign(db, PROV11, mine.id, "12345")
    for who in (Principal(None, "public"), Principal(Role.CETTIC_REVIEWER, "t", "c")):
        with pytest.raises(Forbidden):
            await announce(db, who, spec("campaign-xx-0001"))


async def test_announcements_that_cannot_be_drawn_are_refused(db: Database) -> None:
    cases = {
        "EMPTY_POPULATION": spec("campaign-bad-0001", rules=rules(listed_on=dt.date(2022, 1, 1))),
        "ROSTER_TOO_SMALL": spec("campaign-bad-0002", rules=rules(inspectors_per_institution=9)),
        "DATE_IN_FUTURE": spec(
            "campaign-bad-0003", rules=rules(listed_on=TODAY + dt.timedelta(days=1))
        ),
        "INVALID_SAMPLE_SIZE": spec("campaign-bad-0004", rules=rules(sample_size=0)),
        "SEED_SOURCE_REQUIRED": spec("campaign-bad-0005", seed_source=" "),
    }
    for code, bad in cases.items():
        with pytest.raises(Rejected) as caught:
            await announce(db, OFFICE, bad)
        assert code in {p.code for p in caught.value.problems}, code


async def test_the_draw_is_the_published_function_of_seed_and_rules(db: Database) -> None:
    campaign, _ = await announce(db, OFFICE, spec("campaign-draw-0001"))
    audit_before = await db.audit_log.count_documents({})
    drawn = await campaigns.draw_campaign(db, OFFICE, campaign.id, " 2026-11-20 福彩3D 385 ")
    assert drawn.status == CampaignStatus.DRAWN and drawn.seed == "2026-11-20 福彩3D 385"
    assert drawn.selection == draw(
        "2026-11-20 福彩3D 385", campaign.rules, campaign.population, campaign.roster
    )
    assert len(drawn.selection or ()) == 4
    # Retried: nothing changes; another seed: refused.
    assert (
        await campaigns.draw_campaign(db, OFFICE, campaign.id, "2026-11-20 福彩3D 385")
    ).selection == drawn.selection
    assert await db.audit_log.count_documents({}) == audit_before + 1
    with pytest.raises(Rejected) as caught:
        await campaigns.draw_campaign(db, OFFICE, campaign.id, "another seed")
    assert caught.value.problems[0].code == "ALREADY_DRAWN"
    report = await campaigns.redraw(db, campaign.id)
    assert report.matches and report.population_matches
    from_file = campaigns.redraw_document(drawn.published())
    assert from_file.matches and from_file.selection == drawn.selection
    # Tampering with the published selection is caught by the re-run.
    forged = drawn.published()
    chosen = {a["uscc"] for a in forged["selection"]}
    forged["selection"][0]["uscc"] = next(
        p["uscc"] for p in forged["population"] if p["uscc"] not in chosen
    )
    assert not campaigns.redraw_document(forged).matches


async def _drawn(db: Database, key: str, sample: int = 9) -> campaigns.Campaign:
    campaign, _ = await announce(db, OFFICE, spec(key, rules=rules(sample_size=sample)))
    return await campaigns.draw_campaign(db, OFFICE, campaign.id, f"seed for {key}")


async def test_findings_scope_and_validation(db: Database) -> None:
    campaign = await _drawn(db, "campaign-find-0001")
    fj = next(u for u in FUJIAN)
    finding = findings.FindingInput(
        campaign.id, fj, findings.Outcome.VIOLATION, findings.Action.REMOVE, "包过", Violation.FRAUD
    )
    with pytest.raises(Forbidden):
        await findings.record(db, PROV35, finding)  # removal is the office's
    with pytest.raises(Forbidden):
        await findings.record(
            db,
            PROV11,
            findings.FindingInput(
                campaign.id, fj, findings.Outcome.COMPLIANT, findings.Action.NONE, ""
            ),
        )
    bad = findings.FindingInput(
        campaign.id, fj, findings.Outcome.COMPLIANT, findings.Action.REMOVE, "", Violation.FRAUD
    )
    with pytest.raises(Rejected) as caught:
        await findings.record(db, OFFICE, bad)
    assert {p.code for p in caught.value.problems} == {
        "ACTION_NOT_ALLOWED",
        "VIOLATION_NOT_ALLOWED",
    }
    with pytest.raises(Rejected) as caught:
        await findings.record(
            db,
            OFFICE,
            findings.FindingInput(
                campaign.id, make_uscc(920), findings.Outcome.COMPLIANT, findings.Action.NONE, ""
            ),
        )
    assert caught.value.problems[0].code == "NOT_SELECTED"


async def test_a_violation_removes_through_the_directory_from_its_effective_date(
    db: Database,
) -> None:
    campaign = await _drawn(db, "campaign-remove-0001")
    target = BEIJING[1]
    decided = TODAY - dt.timedelta(days=10)
    spec_f = findings.FindingInput(
        campaign.id,
        target,
        findings.Outcome.VIOLATION,
        findings.Action.REMOVE,
        "发布虚假广告，经调查核实",
        Violation.FALSE_ADVERTISING,
    )
    audit_before = await db.audit_log.count_documents({})
    finding = await findings.record(db, OFFICE, spec_f, now=at(decided))
    assert finding.enforcement == Enforcement.DONE and finding.effective_on == decided
    assert finding.institution_status == Status.REMOVED.value
    # Finding, removal (the directory's own audited transition), enforcement: three entries.
    assert await db.audit_log.count_documents({}) == audit_before + 3
    institution = await directory.get(db, target)
    assert institution is not None and institution.status is Status.REMOVED
    assert institution.history[-1].action == "remove"
    assert institution.removal and institution.removal["violation"] == "FALSE_ADVERTISING"

    async def listed(day: dt.date) -> set[str]:
        page, _ = await directory.page(
            db, directory.DirectoryFilter(listed_on=day), limit=100, after=None
        )
        return {i.uscc for i in page}

    assert target in await listed(decided - dt.timedelta(days=1))
    assert target not in await listed(decided)
    assert target not in await listed(TODAY)
    # The same finding again changes nothing; another finding is refused.
    again = await findings.record(db, OFFICE, spec_f, now=at(decided))
    assert again == finding
    assert await db.audit_log.count_documents({}) == audit_before + 3
    with pytest.raises(Rejected) as caught:
        await findings.record(
            db,
            OFFICE,
            findings.FindingInput(
                campaign.id, target, findings.Outcome.COMPLIANT, findings.Action.NONE, ""
            ),
        )
    assert caught.value.problems[0].code == "FINDING_EXISTS"


async def test_a_province_suspends_and_an_interrupted_enforcement_resumes(
    db: Database,
) -> None:
    campaign = await _drawn(db, "campaign-suspend-0001")
    target = FUJIAN[2]
    spec_f = findings.FindingInput(
        campaign.id,
        target,
        findings.Outcome.DEFICIENT,
        findings.Action.SUSPEND,
        "考勤记录缺失，暂停整改",
    )
    # The state a crash leaves after the finding was stored and before the transition ran.
    await db.supervision_findings.insert_one(
        {
            "_id": f"{campaign.id}:{target}",
            "campaign": campaign.id,
            "institution": target,
            "province": "35",
            "outcome": "DEFICIENT",
            "violation": None,
            "action": "SUSPEND",
            "details": "考勤记录缺失，暂停整改",
            "recorded_at": clock.now(),
            "recorded_by": PROV35.actor,
            "enforcement": {"status": Enforcement.PENDING},
            "schema_version": 1,
        }
    )
    resumed = await findings.record(db, PROV35, spec_f)
    assert resumed.enforcement == Enforcement.DONE
    institution = await directory.get(db, target)
    assert institution is not None and institution.status is Status.SUSPENDED
    # Suspending what is already suspended is refused before anything is stored.
    other = await _drawn(db, "campaign-suspend-0002")
    with pytest.raises(Rejected) as caught:
        await findings.record(
            db,
            PROV35,
            findings.FindingInput(
                other.id, target, findings.Outcome.DEFICIENT, findings.Action.SUSPEND, "again"
            ),
        )
    assert caught.value.problems[0].code == "ILLEGAL_TRANSITION"
    assert await db.supervision_findings.find_one({"_id": f"{other.id}:{target}"}) is None


async def test_results_are_published_once_every_drawn_institution_has_a_finding(
    db: Database,
) -> None:
    campaign = await _drawn(db, "campaign-results-0001", sample=3)
    assert campaign.selection is not None
    with pytest.raises(Rejected) as caught:
        await campaigns.publish_results(db, OFFICE, campaign.id, "summary")
    assert caught.value.problems[0].code == "FINDINGS_MISSING"
    assert not policy.decide(PUBLIC, SA.VIEW_FINDINGS, {"status": campaign.status}).allowed
    for a in campaign.selection:
        await findings.record(
            db,
            OFFICE,
            findings.FindingInput(
                campaign.id, a.uscc, findings.Outcome.COMPLIANT, findings.Action.NONE, ""
            ),
        )
    published = await campaigns.publish_results(db, OFFICE, campaign.id, "未发现问题")
    assert published.status == CampaignStatus.RESULTS_PUBLISHED
    again = await campaigns.publish_results(db, OFFICE, campaign.id, "未发现问题")
    assert again.results_published_at == published.results_published_at
    assert policy.decide(PUBLIC, SA.VIEW_FINDINGS, {"status": published.status}).allowed
    assert len(await findings.for_campaign(db, campaign.id)) == 3
    with pytest.raises(Rejected) as caught:
        await findings.record(
            db,
            OFFICE,
            findings.FindingInput(
                campaign.id,
                campaign.selection[0].uscc,
                findings.Outcome.DEFICIENT,
                findings.Action.NONE,
                "late",
            ),
        )
    assert caught.value.problems[0].code == "CAMPAIGN_CLOSED"
    assert Kind.TRAINING  # the population mixes both directories


async def test_no_one_can_steer_the_draw(db: Database) -> None:
    """The seed's source and earliest moment are fixed at announcement; a seed before that
    moment is refused, and after it the first seed is the only one ever taken."""
    announced = clock.now().replace(microsecond=0)
    moment = announced + dt.timedelta(hours=1)
    campaign, _ = await campaigns.announce(
        db, OFFICE, spec("campaign-steer-0001", seed_not_before=moment), now=announced
    )
    assert campaign.seed_not_before == moment and campaign.seed_source == "公告次日的福彩3D开奖号码"
    audit_before = await db.audit_log.count_documents({})
    # Before the moment: every seed refused, whoever enters it, and nothing is stored.
    for n, at_ in enumerate((announced, moment - dt.timedelta(milliseconds=1))):
        with pytest.raises(Rejected) as caught:
            await campaigns.draw_campaign(db, OFFICE, campaign.id, f"early {n}", now=at_)
        assert [(p.field, p.code) for p in caught.value.problems] == [
            ("seed", "SEED_NOT_YET_AVAILABLE")
        ]
    with pytest.raises(Rejected) as caught:
        await campaigns.draw_campaign(db, OFFICE, campaign.id, "real clock, early")
    assert caught.value.problems[0].code == "SEED_NOT_YET_AVAILABLE"
    stored = await campaigns.get(db, campaign.id)
    assert stored is not None and stored.status is CampaignStatus.ANNOUNCED and stored.seed is None
    assert await db.audit_log.count_documents({}) == audit_before
    # From the moment on: the first seed is taken; trying others until one suits never works.
    first = await campaigns.draw_campaign(db, OFFICE, campaign.id, "seed 0", now=moment)
    for n in range(1, 25):
        with pytest.raises(Rejected) as caught:
            await campaigns.draw_campaign(
                db, OFFICE, campaign.id, f"seed {n}", now=moment + dt.timedelta(minutes=n)
            )
        assert caught.value.problems[0].code == "ALREADY_DRAWN"
    again = await campaigns.get(db, campaign.id)
    assert again is not None and again.seed == "seed 0" and again.selection == first.selection
    assert await db.audit_log.count_documents({}) == audit_before + 1


async def test_the_seed_moment_is_fixed_after_the_announcement(db: Database) -> None:
    now = clock.now().replace(microsecond=0)
    bad = {
        "none": None,
        "the announcement itself": now,
        "before it": now - dt.timedelta(days=1),
        "without an offset": (now + dt.timedelta(days=1)).replace(tzinfo=None),
        "too late": now + campaigns.MAX_SEED_WAIT + dt.timedelta(seconds=1),
    }
    for n, (what, when) in enumerate(bad.items()):
        with pytest.raises(Rejected) as caught:
            await campaigns.announce(
                db, OFFICE, spec(f"campaign-moment-{n:04d}", seed_not_before=when), now=now
            )
        assert [(p.field, p.code) for p in caught.value.problems] == [
            ("seedNotBefore", "INVALID_SEED_NOT_BEFORE")
        ], what
    # A retry of an announcement after its seed moment passed replays it (safe to retry).
    when = now + dt.timedelta(hours=1, microseconds=1500)
    made, _ = await campaigns.announce(
        db, OFFICE, spec("campaign-moment-retry", seed_not_before=when), now=now
    )
    assert made.seed_not_before == now + dt.timedelta(hours=1, milliseconds=1)
    later = when + dt.timedelta(days=1)
    again, replayed = await campaigns.announce(
        db, OFFICE, spec("campaign-moment-retry", seed_not_before=when), now=later
    )
    assert replayed and again == made


async def test_the_population_digest_is_published_at_announcement(db: Database) -> None:
    campaign, _ = await announce(db, OFFICE, spec("campaign-digest-0001"))
    # The documented recipe: one "USCC|province\n" line per institution, ascending USCC, SHA-256.
    lines = "".join(
        f"{c.uscc}|{c.province}\n" for c in sorted(campaign.population, key=lambda c: c.uscc)
    )
    expected = hashlib.sha256(lines.encode()).hexdigest()
    assert campaign.population_digest == expected
    stored = await db.supervision_campaigns.find_one({"_id": campaign.id})
    assert stored is not None and stored["population_digest"] == expected
    document = campaign.published()
    assert document["populationDigest"] == expected
    assert document["seedNotBefore"] == SEED_EXISTS.isoformat()
    assert document["announcedAt"] == ANNOUNCED.isoformat()
    assert [p["uscc"] for p in document["population"]] == sorted(FUJIAN + BEIJING)
    # A population changed after the announcement no longer matches the published digest.
    drawn = await campaigns.draw_campaign(db, OFFICE, campaign.id, "digest seed")
    forged = drawn.published()
    forged["population"] = forged["population"][1:]
    with pytest.raises(DrawInputError) as caught:
        campaigns.redraw_document(forged)
    assert caught.value.code == "POPULATION_DIGEST_MISMATCH"


async def test_a_campaign_announced_without_a_seed_moment_is_never_drawn(db: Database) -> None:
    # Campaigns announced before the moment was required: drawn only through a correction.
    campaign, _ = await announce(db, OFFICE, spec("campaign-legacy-0001"))
    await db.supervision_campaigns.update_one(
        {"_id": campaign.id}, {"$unset": {"seed_not_before": "", "population_digest": ""}}
    )
    legacy = await campaigns.get(db, campaign.id)
    assert legacy is not None and legacy.seed_not_before is None
    assert legacy.population_digest == campaign.population_digest  # recomputed from the population
    with pytest.raises(Rejected) as caught:
        await campaigns.draw_campaign(db, OFFICE, campaign.id, "any seed")
    assert [(p.field, p.code) for p in caught.value.problems] == [
        ("campaignId", "SEED_MOMENT_UNKNOWN")
    ]
    fix, _ = await announce(
        db,
        OFFICE,
        spec("campaign-legacy-0002", corrects=campaign.id, correction_reason="公告未载明种子时间"),
    )
    assert fix.corrects == campaign.id
    assert (await campaigns.get(db, campaign.id)).corrected_by == fix.id  # type: ignore[union-attr]
