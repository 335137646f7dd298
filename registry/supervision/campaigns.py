"""Inspection campaigns: ANNOUNCED (rules, seed source, the earliest moment of the seed,
population with its digest and roster frozen and public) → DRAWN (the seed published, the draw
stored) → RESULTS_PUBLISHED (every drawn institution has a finding; the findings become public);
or CORRECTED, replaced by a correction campaign (`registry.supervision.corrections`).

No one can steer the draw: the announcement names where the seed will come from (e.g. a named
public lottery draw) and the earliest moment it can exist, which is after the announcement; the
draw is refused before that moment (`SEED_NOT_YET_AVAILABLE`, by the registry's clock), and a
campaign takes one seed, ever (`ALREADY_DRAWN`). The announcement is an idempotent create, the
draw and the publication moves of `registry.supervision.rules.CAMPAIGN_MOVES`, each audited in
the transaction that makes it and safe to retry.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from registry.access import tokens
from registry.access.auth import ANONYMOUS, Principal, Role
from registry.access.policy import authorizer
from registry.calendar import clock
from registry.institutions import directory
from registry.institutions.model import Kind
from registry.problems import Problem, Rejected, reject
from registry.storage import idempotency, store
from registry.storage.collections import Collection
from registry.storage.db import Database, Document
from registry.supervision import corrections, roster
from registry.supervision.draw import (
    ALGORITHM,
    Assignment,
    Candidate,
    DrawInputError,
    DrawRules,
    Inspector,
    draw,
    normalise_seed,
    parse_published,
    population_digest,
    published_document,
    rules_problems,
)
from registry.supervision.policy import decide
from registry.supervision.rules import CAMPAIGN, CAMPAIGN_MOVES, Action, CampaignStatus
from registry.trust import audit

MAX_TITLE = 200
MAX_TEXT = 5000
# The latest the seed may be announced to exist, after the announcement.
MAX_SEED_WAIT = dt.timedelta(days=180)


@dataclass(frozen=True)
class CampaignInput:
    idempotency_key: str
    title: str
    year: int
    seed_source: str
    rules: DrawRules
    seed_not_before: dt.datetime | None  # the earliest moment the seed can exist (required)
    corrects: str | None = None  # a correction: the campaign it replaces ...
    correction_reason: str | None = None  # ... and why, publicly


@dataclass(frozen=True)
class Campaign:
    id: str
    title: str
    year: int
    owner_province: str | None  # None: a national campaign of the office
    seed_source: str
    rules: DrawRules
    status: CampaignStatus
    announced_at: dt.datetime
    population: tuple[Candidate, ...]
    roster: tuple[Inspector, ...]
    seed: str | None
    drawn_at: dt.datetime | None
    selection: tuple[Assignment, ...] | None
    results_summary: str | None
    results_published_at: dt.datetime | None
    seed_not_before: dt.datetime | None  # None only for campaigns announced before it was asked
    population_digest: str
    corrects: str | None
    correction_reason: str | None
    corrected_by: str | None

    @property
    def algorithm(self) -> str:
        return ALGORITHM

    def published(self) -> dict[str, Any]:
        announcement = {
            "announcedAt": self.announced_at.isoformat(),
            "seedSource": self.seed_source,
            "seedNotBefore": self.seed_not_before.isoformat() if self.seed_not_before else None,
            "populationDigest": self.population_digest,
        }
        return published_document(
            self.id,
            self.seed,
            self.rules,
            self.population,
            self.roster,
            self.selection,
            announcement,
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
    population = tuple(Candidate(c["uscc"], c["province"]) for c in doc["population"])
    return Campaign(
        id=doc["_id"],
        title=doc["title"],
        year=doc["year"],
        owner_province=doc.get("owner_province"),
        seed_source=doc["seed_source"],
        rules=_rules(doc["rules"]),
        status=CampaignStatus(doc["status"]),
        announced_at=doc["announced_at"],
        population=population,
        roster=tuple(
            Inspector(i["id"], i["name"], i["province"], i.get("affiliation"))
            for i in doc["roster"]
        ),
        seed=doc.get("seed"),
        drawn_at=doc.get("drawn_at"),
        selection=_selection(doc.get("selection")),
        results_summary=results.get("summary"),
        results_published_at=results.get("published_at"),
        seed_not_before=doc.get("seed_not_before"),
        # Campaigns announced before the digest was stored: the digest of what they froze.
        population_digest=doc.get("population_digest") or population_digest(population),
        corrects=doc.get("corrects"),
        correction_reason=doc.get("correction_reason"),
        corrected_by=doc.get("corrected_by"),
    )


def campaign_id(principal: Principal, idempotency_key: str) -> str:
    # 16 hex digits, as campaigns announced before the shared store have.
    scope = principal.province or "office"
    return idempotency.key_id("cmp_", scope, idempotency_key, length=16)


async def population(db: Database, draw_rules: DrawRules) -> list[Candidate]:
    """The institutions on the directory on `listed_on`, of the rules' kinds and provinces."""
    found: dict[str, Candidate] = {}
    for kind in draw_rules.kinds:
        for province in draw_rules.provinces or (None,):
            f = directory.DirectoryFilter(
                kind=Kind(kind), province=province, listed_on=draw_rules.listed_on
            )
            query = directory.query_for(f)
            async for d in db[Collection.INSTITUTIONS].find(query, {"province": 1}):
                found[d["_id"]] = Candidate(d["_id"], d["province"])
    return sorted(found.values(), key=lambda c: c.uscc)


async def load(db: Database, cid: str, session: AsyncClientSession | None = None) -> Document:
    return await store.load(db, CAMPAIGN, cid, session)


def _scoped(principal: Principal, draw_rules: DrawRules) -> DrawRules:
    """A provincial reviewer's campaign covers its own province, whatever the rules said."""
    if principal.role is not Role.PROVINCIAL_REVIEWER:
        return draw_rules
    assert principal.province is not None
    return dataclasses.replace(draw_rules, provinces=(principal.province,))


def _seed_in_window(when: dt.datetime, moment: dt.datetime) -> bool:
    """The earliest moment of the seed is strictly after the announcement at `moment` (a seed
    that may already exist could have been chosen) and within MAX_SEED_WAIT of it."""
    return moment < when <= moment + MAX_SEED_WAIT


def _seed_problem(moment: dt.datetime) -> Problem:
    return Problem(
        "seedNotBefore",
        "INVALID_SEED_NOT_BEFORE",
        "the earliest moment the seed can exist: a date-time with its UTC offset, after "
        f"the announcement ({moment.isoformat()}) and within {MAX_SEED_WAIT.days} days",
    )


def _stored_moment(when: dt.datetime | None) -> dt.datetime | None:
    """`when` in UTC to the millisecond, as the database keeps it (so a retry reads equal)."""
    if when is None or when.tzinfo is None:
        return None
    return when.astimezone(dt.UTC).replace(microsecond=when.microsecond // 1000 * 1000)


def _announcement(
    spec: CampaignInput, draw_rules: DrawRules, moment: dt.datetime, problems: list[Problem]
) -> Document:
    """The announcement's published content, or `Rejected` with `problems` and every other
    problem found."""
    today = clock.china_date(moment)
    problems.extend(Problem(f, c, m) for f, c, m in rules_problems(draw_rules))
    seed_not_before = _stored_moment(spec.seed_not_before)
    if seed_not_before is None:
        problems.append(_seed_problem(moment))
    fix = corrections.correction(spec.corrects, spec.correction_reason, problems)
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
    if any(p not in tokens.province_codes() for p in draw_rules.provinces):
        problems.append(Problem("rules.provinces", "UNKNOWN_PROVINCE", "not a province code"))
    if problems:
        raise Rejected(problems)
    content: Document = {
        "title": title,
        "year": spec.year,
        "seed_source": source,
        "seed_not_before": seed_not_before,
        "rules": draw_rules.to_json(),
    }
    if fix is not None:
        content |= {"corrects": fix.corrects, "correction_reason": fix.reason}
    return content


def _clean_key(raw: str, problems: list[Problem]) -> str:
    try:
        return idempotency.clean_key(raw)
    except Rejected as bad:
        problems.extend(bad.problems)
        return ""


async def _frozen(db: Database, draw_rules: DrawRules) -> tuple[list[Candidate], list[Inspector]]:
    """The population and the roster the campaign freezes, or why it could not be drawn."""
    candidates = await population(db, draw_rules)
    if not candidates:
        raise reject(
            "rules", "EMPTY_POPULATION", "no institution on the directory matches these rules"
        )
    inspectors = [
        Inspector(e.id, e.name, e.province, e.affiliation)
        for e in await roster.active(db, draw_rules.provinces)
    ]
    if len(inspectors) < draw_rules.inspectors_per_institution:
        raise reject(
            "rules.inspectorsPerInstitution",
            "ROSTER_TOO_SMALL",
            f"the roster has {len(inspectors)} active inspector(s) for these provinces",
        )
    return candidates, inspectors


def _new_campaign(
    principal: Principal,
    content: Document,
    frozen: tuple[list[Candidate], list[Inspector]],
    moment: dt.datetime,
) -> Document:
    candidates, inspectors = frozen
    announced = CampaignStatus.ANNOUNCED
    return {
        **content,
        "owner_province": principal.province
        if principal.role is Role.PROVINCIAL_REVIEWER
        else None,
        "status": announced.value,
        "announced_at": moment,
        "population": [{"uscc": c.uscc, "province": c.province} for c in candidates],
        "roster": [dataclasses.asdict(i) for i in inspectors],
        "population_digest": population_digest(candidates),
        "seed": None,
        "selection": None,
        "history": [store.history_entry(Action.ANNOUNCE, None, announced, principal, moment, None)],
    }


async def announce(
    db: Database, principal: Principal, spec: CampaignInput, *, now: dt.datetime | None = None
) -> tuple[Campaign, bool]:
    """Announce a campaign; returns it and whether this answered an earlier identical request."""
    decide(principal, Action.ANNOUNCE).require()
    decide(principal, Action.ANNOUNCE, {"provinces": spec.rules.provinces}).require()
    await corrections.require_right(db, principal, spec.corrects)
    moment = now or audit.now()  # milliseconds, as stored: it reads back equal
    draw_rules = _scoped(principal, spec.rules)
    problems: list[Problem] = []
    key = _clean_key(spec.idempotency_key, problems)
    content = _announcement(spec, draw_rules, moment, problems)
    cid = campaign_id(principal, key)
    digest = hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()
    retried = await idempotency.earlier(db, CAMPAIGN, cid, digest)
    if retried is not None:
        return from_document(retried.document), True
    # Checked against the clock only for a new announcement: a retry after the moment replays.
    if not _seed_in_window(content["seed_not_before"], moment):
        raise Rejected([_seed_problem(moment)])
    frozen = await _frozen(db, draw_rules)

    async def build(session: AsyncClientSession) -> Document:
        if "corrects" in content:
            fix = corrections.Correction(content["corrects"], content["correction_reason"])
            await corrections.mark_corrected(db, principal, fix, cid, moment, session)
        doc = _new_campaign(principal, content, frozen, moment)
        return {"_id": cid, **doc, "idempotency_key": key, "digest": digest}

    created = await idempotency.create_once(
        db, CAMPAIGN, principal, cid, digest, build, action=Action.ANNOUNCE
    )
    return from_document(created.document), created.replayed


async def _move(
    db: Database,
    principal: Principal,
    cid: str,
    action: Action,
    moment: dt.datetime,
    precheck: store.Precheck,
    changes: store.Changes,
) -> Campaign:
    doc = await store.apply_transition(
        db,
        CAMPAIGN,
        CAMPAIGN_MOVES,
        principal,
        cid,
        action,
        at=moment,
        authorize=authorizer(decide, principal, action),
        precheck=precheck,
        changes=changes,
    )
    return from_document(doc)


async def draw_campaign(
    db: Database, principal: Principal, cid: str, seed: str, *, now: dt.datetime | None = None
) -> Campaign:
    decide(principal, Action.DRAW).require()
    try:
        clean_seed = normalise_seed(seed)
    except DrawInputError as error:
        raise reject("seed", "INVALID_SEED", error.message) from None
    moment = now or audit.now()  # milliseconds, as stored: it reads back equal

    def drawn_already(doc: Document) -> bool:
        if doc["status"] == CampaignStatus.ANNOUNCED:
            _check_seed_can_exist(doc, moment)
            return False
        if doc.get("seed") == clean_seed:
            return True  # a retry of the same draw, by whoever asks
        if doc["status"] == CampaignStatus.CORRECTED:
            raise reject(
                "campaignId",
                "CAMPAIGN_CORRECTED",
                f"the campaign was corrected by {doc.get('corrected_by')}",
            )
        # One seed per campaign, ever: another one is never tried, whoever asks.
        raise reject(
            "seed", "ALREADY_DRAWN", f"the campaign was drawn already (it is {doc['status']})"
        )

    async def changes(doc: Document, session: AsyncClientSession) -> Document:
        campaign = from_document(doc)
        selection = draw(clean_seed, campaign.rules, campaign.population, campaign.roster)
        return {
            "seed": clean_seed,
            "drawn_at": moment,
            "selection": [a.to_json() for a in selection],
        }

    return await _move(db, principal, cid, Action.DRAW, moment, drawn_already, changes)


def _check_seed_can_exist(doc: Document, moment: dt.datetime) -> None:
    """`SEED_NOT_YET_AVAILABLE` before the announced earliest moment of the seed."""
    when = doc.get("seed_not_before")
    if when is None:
        raise reject(
            "campaignId",
            "SEED_MOMENT_UNKNOWN",
            "the campaign was announced without the earliest moment of its seed: announce a "
            "correction that names it",
        )
    if moment < when:
        raise reject(
            "seed",
            "SEED_NOT_YET_AVAILABLE",
            f"the announced seed source cannot have given a seed before {when.isoformat()}",
        )


async def publish_results(
    db: Database,
    principal: Principal,
    cid: str,
    summary: str | None,
    *,
    now: dt.datetime | None = None,
) -> Campaign:
    decide(principal, Action.PUBLISH_RESULTS).require()
    text = (summary or "").strip() or None
    if text is not None and len(text) > MAX_TEXT:
        raise reject("summary", "TOO_LONG", f"a summary has at most {MAX_TEXT} characters")
    moment = now or audit.now()  # milliseconds, as stored: it reads back equal
    await load(db, cid)  # NOT_FOUND before the findings query
    # Findings are never deleted, so a set read before the transaction can only be too small.
    findings = db[Collection.SUPERVISION_FINDINGS].find({"campaign": cid}, {"institution": 1})
    recorded = {f["institution"] async for f in findings}

    def published_already(doc: Document) -> bool:
        status = CampaignStatus(doc["status"])
        if status is CampaignStatus.RESULTS_PUBLISHED:
            if (doc.get("results") or {}).get("summary") == text:
                return True
            raise reject("campaignId", "ALREADY_PUBLISHED", "the results are already published")
        if status is CampaignStatus.CORRECTED:
            raise reject("campaignId", "CAMPAIGN_CORRECTED", "the campaign was replaced")
        if status is not CampaignStatus.DRAWN:
            raise reject("campaignId", "NOT_DRAWN", "draw the campaign before publishing results")
        return False

    async def changes(doc: Document, session: AsyncClientSession) -> Document:
        missing = [a["uscc"] for a in doc["selection"] if a["uscc"] not in recorded]
        if missing:
            raise reject(
                "campaignId",
                "FINDINGS_MISSING",
                f"{len(missing)} drawn institution(s) have no finding yet: "
                + ", ".join(missing[:5]),
            )
        return {"results": {"summary": text, "published_at": moment}}

    return await _move(
        db, principal, cid, Action.PUBLISH_RESULTS, moment, published_already, changes
    )


async def get(db: Database, cid: str, *, viewer: Principal = ANONYMOUS) -> Campaign | None:
    """The campaign, or None when there is none or `viewer` may not see it."""
    doc = await idempotency.find(db, CAMPAIGN, cid)
    if doc is None or not decide(viewer, Action.BROWSE, doc).allowed:
        return None
    return from_document(doc)


async def page(
    db: Database,
    *,
    year: int | None,
    limit: int,
    after: str | None,
    viewer: Principal = ANONYMOUS,
) -> tuple[list[Campaign], bool]:
    """The campaigns `viewer` may see (every one is public from its announcement, 一公开)."""
    query = _visible(year, viewer)
    if after is not None:
        query = {"$and": [query, {"_id": {"$gt": after}}]}
    cursor = db[CAMPAIGN.collection].find(query).sort("_id", 1).limit(limit + 1)
    docs = [d async for d in cursor]
    return [from_document(d) for d in docs[:limit]], len(docs) > limit


async def count(db: Database, *, year: int | None, viewer: Principal = ANONYMOUS) -> int:
    """How many campaigns `page` lists to `viewer` with the same `year`, over all pages."""
    return await db[CAMPAIGN.collection].count_documents(_visible(year, viewer))


def _visible(year: int | None, viewer: Principal) -> Document:
    query: Document = {} if year is None else {"year": year}
    return decide(viewer, Action.BROWSE).require().scope.narrow(query)


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
