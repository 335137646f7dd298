"""The 双随机 draw: institutions at random from the population, inspectors at random from the roster.

Pure and documented so that anyone can re-run it from what a campaign publishes (its seed, its
rules, the population and the roster frozen when it was announced) and get the same selection:

1. Every institution gets the key HMAC-SHA256(seed, "institution|" + USCC) (seed as UTF-8 NFC);
   the `sample_size` institutions with the smallest keys (hex order) are drawn, in that order.
2. For each drawn institution in order, the eligible inspectors are the roster less those
   affiliated with it and, when the rules say so, those of its province. Each gets the key
   HMAC-SHA256(seed, "inspector|" + USCC + "|" + inspector id). Inspectors are taken by
   (assignments so far, key), so the work is spread evenly; `inspectors_per_institution` of them,
   fewer only when fewer are eligible (marked `short`).

The selection depends on nothing but these inputs: not on their order, the clock or the database.

The population is pinned at announcement by its digest (`population_digest`): SHA-256, as lowercase
hex, of the UTF-8 text made of one line `USCC|province` (ending in a newline) per institution, in
ascending USCC order — the order the published population is listed in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from registry.errors import InvalidInput
from registry.institutions.model import Kind

ALGORITHM = "dte-draw-v1"
MAX_SEED = 200
MAX_SAMPLE = 1000
MAX_INSPECTORS_EACH = 10


class DrawInputError(InvalidInput):
    code = "DRAW_INPUT_INVALID"


@dataclass(frozen=True)
class Inspector:
    id: str
    name: str
    province: str
    affiliation: str | None = None  # USCC of the organisation the inspector works for, if any


@dataclass(frozen=True)
class Candidate:
    uscc: str
    province: str


@dataclass(frozen=True)
class DrawRules:
    kinds: tuple[str, ...]  # TRAINING, EVALUATION
    provinces: tuple[str, ...]  # empty: every province
    listed_on: dt.date  # the population: institutions on the directory on this day
    sample_size: int
    inspectors_per_institution: int
    avoid_same_province: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "kinds": sorted(self.kinds),
            "provinces": sorted(self.provinces),
            "listedOn": self.listed_on.isoformat(),
            "sampleSize": self.sample_size,
            "inspectorsPerInstitution": self.inspectors_per_institution,
            "avoidSameProvince": self.avoid_same_province,
        }


@dataclass(frozen=True)
class Assignment:
    uscc: str
    inspectors: tuple[str, ...]
    short: bool  # fewer eligible inspectors than the rules ask for

    def to_json(self) -> dict[str, Any]:
        return {"uscc": self.uscc, "inspectors": list(self.inspectors), "short": self.short}


def normalise_seed(raw: str) -> str:
    """The seed as the draw uses it: NFC, surrounding whitespace removed, 1-200 characters."""
    if not isinstance(raw, str):
        raise DrawInputError("the seed is text", field="seed")
    seed = unicodedata.normalize("NFC", raw).strip()
    if not seed or len(seed) > MAX_SEED or any(unicodedata.category(c) == "Cc" for c in seed):
        raise DrawInputError(
            f"the seed is 1-{MAX_SEED} printable characters (e.g. the published lottery numbers)",
            field="seed",
        )
    return seed


def population_digest(population: Iterable[Candidate]) -> str:
    """The digest of a frozen population (see the module docstring): independent of its order."""
    lines = "".join(f"{c.uscc}|{c.province}\n" for c in sorted(population, key=_by_uscc))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def _key(seed: str, message: str) -> str:
    return hmac.new(seed.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def draw(
    seed: str,
    rules: DrawRules,
    population: Iterable[Candidate],
    roster: Iterable[Inspector],
) -> tuple[Assignment, ...]:
    seed = normalise_seed(seed)
    candidates = {c.uscc: c for c in population}
    inspectors = {i.id: i for i in roster}
    ranked = sorted(candidates, key=lambda u: (_key(seed, f"institution|{u}"), u))
    chosen = ranked[: max(0, rules.sample_size)]
    load: dict[str, int] = dict.fromkeys(inspectors, 0)
    out = []
    for uscc in chosen:
        institution = candidates[uscc]
        eligible = [
            i
            for i in inspectors.values()
            if i.affiliation != uscc
            and not (rules.avoid_same_province and i.province == institution.province)
        ]
        eligible.sort(key=lambda i: (load[i.id], _key(seed, f"inspector|{uscc}|{i.id}"), i.id))
        picked = tuple(i.id for i in eligible[: rules.inspectors_per_institution])
        for inspector_id in picked:
            load[inspector_id] += 1
        out.append(Assignment(uscc, picked, len(picked) < rules.inspectors_per_institution))
    return tuple(out)


def rules_problems(rules: DrawRules) -> list[tuple[str, str, str]]:
    """(field, code, message) for rules that cannot make a campaign."""
    problems = []
    if not rules.kinds or any(k not in {kind.value for kind in Kind} for k in rules.kinds):
        problems.append(("rules.kinds", "INVALID_KINDS", "kinds are TRAINING and/or EVALUATION"))
    if not 1 <= rules.sample_size <= MAX_SAMPLE:
        problems.append(
            ("rules.sampleSize", "INVALID_SAMPLE_SIZE", f"sample size is 1-{MAX_SAMPLE}")
        )
    if not 1 <= rules.inspectors_per_institution <= MAX_INSPECTORS_EACH:
        problems.append(
            (
                "rules.inspectorsPerInstitution",
                "INVALID_INSPECTOR_COUNT",
                f"inspectors per institution are 1-{MAX_INSPECTORS_EACH} (two is usual)",
            )
        )
    return problems


# --- the published form ------------------------------------------------------------------------


def published_document(
    campaign_id: str,
    seed: str | None,
    rules: DrawRules,
    population: Sequence[Candidate],
    roster: Sequence[Inspector],
    selection: Sequence[Assignment] | None,
    announcement: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything the draw used and what it gave, as JSON: what `redraw` reads back.
    `announcement` adds what the campaign fixed before the seed existed (its seed source, the
    earliest moment of the seed, when it was announced)."""
    return {
        "algorithm": ALGORITHM,
        "campaign": campaign_id,
        "populationOrder": "uscc ascending",
        "populationDigest": population_digest(population),
        **(announcement or {}),  # its populationDigest is the one published at announcement
        "seed": seed,
        "rules": rules.to_json(),
        "population": [
            {"uscc": c.uscc, "province": c.province} for c in sorted(population, key=_by_uscc)
        ],
        "roster": [
            {"id": i.id, "name": i.name, "province": i.province, "affiliation": i.affiliation}
            for i in sorted(roster, key=lambda i: i.id)
        ],
        "selection": None if selection is None else [a.to_json() for a in selection],
    }


def _by_uscc(c: Candidate) -> str:
    return c.uscc


def _text(value: Any, where: str, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value or len(value) > 200:
        raise DrawInputError(f"{where} must be text of 1-200 characters", field=where)
    return value


def _items(value: Any, where: str, limit: int) -> list[Mapping[str, Any]]:
    if not isinstance(value, list) or len(value) > limit:
        raise DrawInputError(f"{where} must be a list of at most {limit} objects", field=where)
    if not all(isinstance(v, dict) for v in value):
        raise DrawInputError(f"{where} must hold objects", field=where)
    return value


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DrawInputError(f"{where} must be an integer", field=where)
    return value


def _parse_rules(raw: Any) -> DrawRules:
    if not isinstance(raw, dict):
        raise DrawInputError("rules must be an object", field="rules")
    try:
        listed_on = dt.date.fromisoformat(_text(raw.get("listedOn"), "rules.listedOn") or "")
    except ValueError:
        raise DrawInputError("rules.listedOn must be a date", field="rules.listedOn") from None
    kinds = raw.get("kinds")
    provinces = raw.get("provinces")
    if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
        raise DrawInputError("rules.kinds must be a list of text", field="rules.kinds")
    if not isinstance(provinces, list) or not all(isinstance(p, str) for p in provinces):
        raise DrawInputError("rules.provinces must be a list of text", field="rules.provinces")
    avoid = raw.get("avoidSameProvince")
    if not isinstance(avoid, bool):
        raise DrawInputError("rules.avoidSameProvince must be true or false")
    rules = DrawRules(
        kinds=tuple(kinds),
        provinces=tuple(provinces),
        listed_on=listed_on,
        sample_size=_int(raw.get("sampleSize"), "rules.sampleSize"),
        inspectors_per_institution=_int(
            raw.get("inspectorsPerInstitution"), "rules.inspectorsPerInstitution"
        ),
        avoid_same_province=avoid,
    )
    for _, code, message in rules_problems(rules):
        raise DrawInputError(message, code=code)
    return rules


def _parse_assignment(a: Any) -> Assignment:
    inspectors = a.get("inspectors")
    if not isinstance(inspectors, list) or not all(isinstance(i, str) for i in inspectors):
        raise DrawInputError("selection.inspectors must be a list of ids")
    short = a.get("short")
    if not isinstance(short, bool):
        raise DrawInputError("selection.short must be true or false")
    return Assignment(_text(a.get("uscc"), "selection.uscc") or "", tuple(inspectors), short)


def parse_published(
    document: Any,
) -> tuple[str, DrawRules, list[Candidate], list[Inspector], list[Assignment] | None]:
    """Read a published campaign back; `DrawInputError` (one code) for anything malformed."""
    if not isinstance(document, dict):
        raise DrawInputError("a published campaign is a JSON object")
    if document.get("algorithm") != ALGORITHM:
        raise DrawInputError(f"algorithm must be {ALGORITHM!r}", field="algorithm")
    seed = normalise_seed(_text(document.get("seed"), "seed") or "")
    rules = _parse_rules(document.get("rules"))
    population = [
        Candidate(
            _text(c.get("uscc"), "population.uscc") or "",
            _text(c.get("province"), "population.province") or "",
        )
        for c in _items(document.get("population"), "population", 100_000)
    ]
    roster = [
        Inspector(
            _text(i.get("id"), "roster.id") or "",
            _text(i.get("name"), "roster.name") or "",
            _text(i.get("province"), "roster.province") or "",
            _text(i.get("affiliation"), "roster.affiliation", optional=True),
        )
        for i in _items(document.get("roster"), "roster", 100_000)
    ]
    digest = document.get("populationDigest")
    if digest is not None and digest != population_digest(population):
        raise DrawInputError(
            "the population is not the one whose digest was published",
            code="POPULATION_DIGEST_MISMATCH",
            field="populationDigest",
        )
    selection = None
    if document.get("selection") is not None:
        items = _items(document.get("selection"), "selection", MAX_SAMPLE)
        selection = [_parse_assignment(a) for a in items]
    return seed, rules, population, roster, selection
