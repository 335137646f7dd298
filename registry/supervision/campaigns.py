"""Inspection campaigns: ANNOUNCED (rules, seed source, population and roster frozen and public) →
DRAWN (the seed published, the draw stored) → RESULTS_PUBLISHED (every drawn institution has a
finding; the findings become public).

The seed is entered after the announcement, from the source the announcement named (e.g. a
lottery draw on a stated day), so no one can pick a seed once the population is known. Each step
is audited in the transaction that makes it; each is safe to retry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from registry import audit, clock, tokens
from registry.auth import Principal, Role
from registry.db import SCHEMA_VERSION, Database, Document
from registry.errors import Conflict, NotFound
from registry.institutions import directory
from registry.institutions.model import Kind
from registry.problems import Problem, Rejected, reject
from registry.supervision import roster, rules
from registry.supervision.draw import (
    Assignment,
    Candidate,
    DrawInputError,
    DrawRules,
    Inspector,
    draw,
    normalise_seed,
    parse_published,
    published_document,
    rules_problems,
)
from registry.transactions import in_transaction

CAMPAIGNS = "supervision_campaigns"
FINDINGS = "supervision_findings"
MAX_TITLE = 200
MAX_TEXT = 5000

ANNOUNCED = "ANNOUNCED"
DRAWN = "DRAWN"
RESULTS_PUBLISHED = "RESULTS_PUBLISHED"


@dataclass(frozen=True)
class CampaignInput:
    idempotency_key: str
    title: str
    year: int
    seed_source: str
    rules: DrawRules


@dataclass(frozen=True)
class Campaign:
    id: str
    title: str
    year: int
    owner_province: str | None  # None: a national campaign of the office
    seed_source: str
    rules: DrawRules
    status: str
    announced_at: dt.datetime
    population: tuple[Candidate, ...]
    roster: tuple[Inspector, ...]
    seed: str | None
    drawn_at: dt.datetime | None
    selection: tuple[Assignment, ...] | None
    results_summary: str | None
    results_published_at: dt.datetime | None

    def published(self) -> dict[str, Any]:
        return published_document(
            self.id, self.seed, self.rules, self.population, self.roster, self.selection
        )


def _rules(raw: Document) -> DrawRules:
    return DrawRules(
        kinds=tuple(raw["kinds"]),
        provinces=tuple(raw["provinces"]),
        listed_on=dt.date.fromisoformat(raw["listedOn"]),
        sample_size=raw["sampleSize"],
        inspectors_per_institution=raw["inspectorsPerInstitution"],
        avoid_same_province=raw["avoidSameProvince"],
    )


def _selection(raw: list[Document] | None) -> tuple[Assignment, ...] | None:
    if raw is None:
        return None
    return tuple(Assignment(a["uscc"], tuple(a["inspectors"]), a["short"]) for a in raw)


def from_document(doc: Document) -> Campaign:
    results = doc.get("results") or {}
    return Campaign(
        id=doc["_id"],
        title=doc["title"],
        year=doc["year"],
        owner_province=doc.get("owner_province"),
        seed_source=doc["seed_source"],
        rules=_rules(doc["rules"]),
        status=doc["status"],
        announced_at=doc["announced_at"],
        population=tuple(Candidate(c["uscc"], c["province"]) for c in doc["population"]),
        roster=tuple(
            Inspector(i["id"], i["name"], i["province"], i.get("affiliation"))
            for i in doc["roster"]
        ),
        seed=doc.get("seed"),
        drawn_at=doc.get("drawn_at"),
        selection=_selection(doc.get("selection")),
        results_summary=results.get("summary"),
        results_published_at=results.get("published_at"),
    )


def campaign_id(principal: Principal, idempotency_key: str) -> str:
    scope = principal.province or "office"
    digest = hashlib.sha256(f"{scope}\n{idempotency_key.strip()}".encode()).hexdigest()
    return "cmp_" + digest[:16]


async def population(db: Database, draw_rules: DrawRules) -> list[Candidate]:
    """The institutions on the directory on `listed_on`, of the rules' kinds and provinces."""
    found: dict[str, Candidate] = {}
    for kind in draw_rules.kinds:
        for province in draw_rules.provinces or (None,):
            f = directory.DirectoryFilter(
                kind=Kind(kind), province=province, listed_on=draw_rules.listed_on
            )
            async for d in db.institutions.find(directory.query_for(f), {"province": 1}):
                found[d["_id"]] = Candidate(d["_id"], d["province"])
    return sorted(found.values(), key=lambda c: c.uscc)


def _owner_check(principal: Principal, doc: Document, action: str) -> None:
    owner = doc.get("owner_province")
    if principal.role is Role.PROVINCIAL_REVIEWER and owner != principal.province:
        rules.require_province(principal, owner or "all (a national campaign)", action)


def _event(action: str, principal: Principal, moment: dt.datetime) -> Document:
    return {"at": moment, "action": action, "actor": principal.actor}


async def load(db: Database, cid: str, session: AsyncClientSession | None = None) -> Document:
    doc = await db[CAMPAIGNS].find_one({"_id": cid}, session=session)
    if doc is None:
        raise NotFound(f"no campaign {cid[:40]}", code="CAMPAIGN_NOT_FOUND", field="campaignId")
    return doc


async def announce(
    db: Database, principal: Principal, spec: CampaignInput, *, now: dt.datetime | None = None
) -> tuple[Campaign, bool]:
    """Announce a campaign; returns it and whether this answered an earlier identical request."""
    rules.require(principal, "announceSupervisionCampaign")
    moment = now or audit.now()  # milliseconds, as stored: it reads back equal
    today = clock.china_date(moment)
    draw_rules = spec.rules
    if principal.role is Role.PROVINCIAL_REVIEWER:
        assert principal.province is not None
        if draw_rules.provinces and set(draw_rules.provinces) != {principal.province}:
            rules.require_province(
                principal, ",".join(sorted(draw_rules.provinces)), "announceSupervisionCampaign"
            )
        draw_rules = DrawRules(
            draw_rules.kinds,
            (principal.province,),
            draw_rules.listed_on,
            draw_rules.sample_size,
            draw_rules.inspectors_per_institution,
            draw_rules.avoid_same_province,
        )
    problems = [Problem(f, c, m) for f, c, m in rules_problems(draw_rules)]
    key = (spec.idempotency_key or "").strip()
    if not 8 <= len(key) <= 100:
        problems.append(
            Problem(
                "idempotencyKey", "INVALID_IDEMPOTENCY_KEY", "idempotencyKey has 8-100 characters"
            )
        )
    title = " ".join((spec.title or "").split())
    if not title or len(title) > MAX_TITLE:
        problems.append(Problem("title", "INVALID_TITLE", f"a title has 1-{MAX_TITLE} characters"))
    source = (spec.seed_source or "").strip()
    if not source or len(source) > MAX_TEXT:
        problems.append(
            Problem(
                "seedSource",
                "SEED_SOURCE_REQUIRED",
                "say where the seed will come from (e.g. a lottery draw on a stated day)",
            )
        )
    if not 2021 <= spec.year <= today.year + 1:
        problems.append(Problem("year", "INVALID_YEAR", f"year is 2021-{today.year + 1}"))
    if draw_rules.listed_on > today:
        problems.append(
            Problem(
                "rules.listedOn",
                "DATE_IN_FUTURE",
                "the population is the directory on a past day or today",
            )
        )
    unknown = [p for p in draw_rules.provinces if p not in tokens.province_codes()]
    if unknown:
        problems.append(Problem("rules.provinces", "UNKNOWN_PROVINCE", "not a province code"))
    if problems:
        raise Rejected(problems)
    cid = campaign_id(principal, key)
    candidates = await population(db, draw_rules)
    inspectors = [
        Inspector(e.id, e.name, e.province, e.affiliation)
        for e in await roster.active(db, draw_rules.provinces)
    ]
    content = {
        "title": title,
        "year": spec.year,
        "seed_source": source,
        "rules": draw_rules.to_json(),
    }
    digest = hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    existing = await db[CAMPAIGNS].find_one({"_id": cid})
    if existing is not None:
        return _replay(existing, digest), True
    if not candidates:
        raise reject(
            "rules", "EMPTY_POPULATION", "no institution on the directory matches these rules"
        )
    if len(inspectors) < draw_rules.inspectors_per_institution:
        raise reject(
            "rules.inspectorsPerInstitution",
            "ROSTER_TOO_SMALL",
            f"the roster has {len(inspectors)} active inspector(s) for these provinces",
        )
    doc: Document = {
        "_id": cid,
        **content,
        "idempotency_key": key,
        "digest": digest,
        "owner_province": principal.province
        if principal.role is Role.PROVINCIAL_REVIEWER
        else None,
        "status": ANNOUNCED,
        "announced_at": moment,
        "population": [{"uscc": c.uscc, "province": c.province} for c in candidates],
        "roster": [
            {"id": i.id, "name": i.name, "province": i.province, "affiliation": i.affiliation}
            for i in inspectors
        ],
        "seed": None,
        "selection": None,
        "history": [_event("announce", principal, moment)],
        "revision": 1,
        "schema_version": SCHEMA_VERSION,
    }

    async def work(session: AsyncClientSession) -> Document:
        await db[CAMPAIGNS].insert_one(doc, session=session)
        await audit.append(
            db,
            actor=principal,
            action="supervision.announce",
            entity=f"campaign:{cid}",
            before=None,
            after=doc,
            session=session,
        )
        return doc

    try:
        stored = await in_transaction(db, work)
    except DuplicateKeyError:
        raced = await db[CAMPAIGNS].find_one({"_id": cid})
        if raced is None:
            raise
        return _replay(raced, digest), True
    return from_document(stored), False


def _replay(existing: Document, digest: str) -> Campaign:
    if existing["digest"] != digest:
        raise reject(
            "idempotencyKey",
            "IDEMPOTENCY_KEY_REUSED",
            "this idempotency key was used for a different campaign; use a new key",
        )
    return from_document(existing)


async def _change(
    db: Database,
    principal: Principal,
    cid: str,
    action: str,
    step: Callable[[Document], Document],
    *,
    moment: dt.datetime,
) -> Campaign:
    """Load, let `step` return the new document (or the old one for a retry), write, audit."""

    async def work(session: AsyncClientSession) -> Document:
        doc = await load(db, cid, session)
        _owner_check(principal, doc, action)
        new = step(doc)
        if new is doc:
            return doc
        new = {
            **new,
            "revision": doc["revision"] + 1,
            "history": [*doc["history"], _event(action, principal, moment)],
        }
        result = await db[CAMPAIGNS].replace_one(
            {"_id": cid, "revision": doc["revision"]}, new, session=session
        )
        if result.matched_count != 1:
            raise Conflict("the campaign changed while this request ran; retry it")
        await audit.append(
            db,
            actor=principal,
            action=f"supervision.{action}",
            entity=f"campaign:{cid}",
            before=doc,
            after=new,
            session=session,
        )
        return new

    return from_document(await in_transaction(db, work))


async def draw_campaign(
    db: Database, principal: Principal, cid: str, seed: str, *, now: dt.datetime | None = None
) -> Campaign:
    rules.require(principal, "drawSupervisionCampaign")
    try:
        clean_seed = normalise_seed(seed)
    except DrawInputError as error:
        raise reject("seed", "INVALID_SEED", error.message) from None
    moment = now or audit.now()  # milliseconds, as stored: it reads back equal

    def step(doc: Document) -> Document:
        if doc["status"] != ANNOUNCED:
            if doc.get("seed") == clean_seed:
                return doc  # a retry of the same draw
            raise reject(
                "seed", "ALREADY_DRAWN", f"the campaign was drawn already (it is {doc['status']})"
            )
        campaign = from_document(doc)
        selection = draw(clean_seed, campaign.rules, campaign.population, campaign.roster)
        return {
            **doc,
            "status": DRAWN,
            "seed": clean_seed,
            "drawn_at": moment,
            "selection": [a.to_json() for a in selection],
        }

    return await _change(db, principal, cid, "draw", step, moment=moment)


async def publish_results(
    db: Database,
    principal: Principal,
    cid: str,
    summary: str | None,
    *,
    now: dt.datetime | None = None,
) -> Campaign:
    rules.require(principal, "publishSupervisionResults")
    text = (summary or "").strip() or None
    if text is not None and len(text) > MAX_TEXT:
        raise reject("summary", "TOO_LONG", f"a summary has at most {MAX_TEXT} characters")
    moment = now or audit.now()  # milliseconds, as stored: it reads back equal
    await load(db, cid)  # NOT_FOUND before the findings query
    # Findings are never deleted, so a set read before the transaction can only be too small.
    recorded = {
        f["institution"] async for f in db[FINDINGS].find({"campaign": cid}, {"institution": 1})
    }

    def step(current: Document) -> Document:
        if current["status"] == RESULTS_PUBLISHED:
            if (current.get("results") or {}).get("summary") == text:
                return current
            raise reject("campaignId", "ALREADY_PUBLISHED", "the results are already published")
        if current["status"] != DRAWN:
            raise reject("campaignId", "NOT_DRAWN", "draw the campaign before publishing results")
        missing = [a["uscc"] for a in current["selection"] if a["uscc"] not in recorded]
        if missing:
            raise reject(
                "campaignId",
                "FINDINGS_MISSING",
                f"{len(missing)} drawn institution(s) have no finding yet: "
                + ", ".join(missing[:5]),
            )
        return {
            **current,
            "status": RESULTS_PUBLISHED,
            "results": {"summary": text, "published_at": moment},
        }

    return await _change(db, principal, cid, "publishResults", step, moment=moment)


async def get(db: Database, cid: str) -> Campaign | None:
    doc = await db[CAMPAIGNS].find_one({"_id": cid})
    return from_document(doc) if doc else None


async def page(
    db: Database, *, year: int | None, limit: int, after: str | None
) -> tuple[list[Campaign], bool]:
    """Every campaign is public from its announcement (一公开)."""
    query: Document = {}
    if year is not None:
        query["year"] = year
    if after is not None:
        query["_id"] = {"$gt": after}
    docs = [d async for d in db[CAMPAIGNS].find(query).sort("_id", 1).limit(limit + 1)]
    return [from_document(d) for d in docs[:limit]], len(docs) > limit


# --- re-running a draw -------------------------------------------------------------------------


@dataclass(frozen=True)
class RedrawReport:
    campaign: str
    seed: str
    selection: tuple[Assignment, ...]
    published: tuple[Assignment, ...] | None
    population_matches: bool | None  # None when re-run from a file (no directory to compare)

    @property
    def matches(self) -> bool:
        return self.published is not None and self.selection == self.published


def redraw_document(document: Any) -> RedrawReport:
    """Re-run a published campaign's draw from its JSON alone; `DrawInputError` if malformed or
    not drawn yet."""
    seed, draw_rules, candidates, inspectors, published = parse_published(document)
    selection = draw(seed, draw_rules, candidates, inspectors)
    name = document.get("campaign") if isinstance(document, dict) else None
    return RedrawReport(
        str(name or "?")[:40],
        seed,
        selection,
        tuple(published) if published is not None else None,
        None,
    )


async def redraw(db: Database, cid: str) -> RedrawReport:
    """Re-run a stored campaign's draw, and check its frozen population against the directory
    (which answers "who was listed on D" for any past D, so it must still agree)."""
    campaign = from_document(await load(db, cid))
    if campaign.seed is None:
        raise reject("campaignId", "NOT_DRAWN", "the campaign has not been drawn yet")
    report = redraw_document(campaign.published())
    now_population = await population(db, campaign.rules)
    return RedrawReport(
        campaign.id,
        report.seed,
        report.selection,
        report.published,
        tuple(now_population) == tuple(sorted(campaign.population, key=lambda c: c.uscc)),
    )
