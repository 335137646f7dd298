"""GraphQL types, queries and mutations of supervision (双随机、一公开). Roles are enforced in
`registry` (see registry/supervision/rules.py)."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from resolvers import api
from resolvers import supervision as r
from resolvers.context import Context
from schema.arguments import AfterArg
from schema.convert import from_model, source
from schema.directory_enums import InstitutionKind, Violation
from schema.enums import described, with_values
from schema.payload import UserError, payload, user_errors_field
from schema.relay import Connection, connection

Ctx = Info[Context, None]

FindingOutcome = described(
    api.FindingOutcome,
    "FindingOutcome",
    "What an inspection found.",
    {
        "COMPLIANT": "Nothing found (未发现问题).",
        "DEFICIENT": "Problems found, to be corrected (发现问题，责令整改).",
        "VIOLATION": "A violation of notice 六(三): the listing ends.",
    },
)
FindingAction = described(
    api.FindingAction,
    "FindingAction",
    "SUSPEND and REMOVE run the directory's own transitions.",
    {
        "NONE": "No consequence.",
        "RECTIFY": "Correction within a time limit (限期整改); recorded, the directory unchanged.",
        "SUSPEND": "Suspension (暂停): off the directory until reinstated.",
        "REMOVE": "Removal from the directory (移出目录).",
    },
)


@with_values(
    "Where an inspection campaign (双随机、一公开) stands.",
    {
        "ANNOUNCED": "Announced with its rules, seed source and population.",
        "DRAWN": "Drawn from the published seed.",
        "RESULTS_PUBLISHED": "Its findings published (一公开).",
        "CORRECTED": "Replaced by a correction campaign, its reason public.",
    },
)
class CampaignStatus(Enum):
    ANNOUNCED = "ANNOUNCED"
    DRAWN = "DRAWN"
    RESULTS_PUBLISHED = "RESULTS_PUBLISHED"
    CORRECTED = "CORRECTED"


@strawberry.type(description="An inspector on the roster the draws take inspectors from.")
class Inspector:
    id: str = strawberry.field(description="The inspector's id on the roster.")
    name: str = strawberry.field(description="The inspector's name.")
    province: str = strawberry.field(description="Two-digit province code (GB/T 2260).")
    affiliation: str | None = strawberry.field(
        description="USCC of the organisation the inspector works for; never drawn for it."
    )
    active: bool = strawberry.field(description="Whether draws may take this inspector.")


@strawberry.type(description="The published rules of a draw.")
class DrawRulesType:
    kinds: list[InstitutionKind] = strawberry.field(  # type: ignore[valid-type]
        description="The kinds of institution drawn from."
    )
    provinces: list[str] = strawberry.field(description="Empty: every province.")
    listed_on: dt.date = strawberry.field(description="The population: on the directory that day.")
    sample_size: int = strawberry.field(description="How many institutions are drawn.")
    inspectors_per_institution: int = strawberry.field(
        description="How many inspectors are drawn for each."
    )
    avoid_same_province: bool = strawberry.field(
        description="Inspectors are not drawn for an institution of their own province."
    )


@strawberry.type(description="One drawn institution and the inspectors drawn for it.")
class DrawAssignment:
    institution_uscc: str = source(
        "uscc", description="The institution's unified social credit code (统一社会信用代码)."
    )
    inspector_ids: list[str] = source(
        "inspectors", description="The inspectors drawn for it, by roster id."
    )
    short: bool = strawberry.field(description="Fewer eligible inspectors than the rules ask for.")


@strawberry.type(description="The finding on one drawn institution.")
class SupervisionFinding:
    institution_uscc: str = source(
        "institution",
        description="The institution's unified social credit code (统一社会信用代码).",
    )
    outcome: FindingOutcome = strawberry.field(description="What the inspection found.")  # type: ignore[valid-type]
    violation: Violation | None = strawberry.field(  # type: ignore[valid-type]
        description="The violation of notice 六(三) found, if any."
    )
    action: FindingAction = strawberry.field(  # type: ignore[valid-type]
        description="What follows: none, a correction, a suspension or a removal."
    )
    details: str = strawberry.field(description="What the inspectors found.")
    recorded_at: dt.datetime = strawberry.field(description="When the finding was recorded.")
    enforcement: str = strawberry.field(description="PENDING, DONE or NOT_REQUIRED.")
    effective_on: dt.date | None = strawberry.field(
        description="The day a suspension or removal took effect on the directory."
    )


@strawberry.type(
    description="An inspection campaign (双随机、一公开); public from its announcement."
)
class SupervisionCampaign:
    id: str = strawberry.field(description="The campaign's id.")
    title: str = strawberry.field(description="The campaign's title.")
    year: int = strawberry.field(description="The year it inspects.")
    owner_province: str | None = strawberry.field(description="Null: a national campaign.")
    seed_source: str = strawberry.field(
        description="Where the seed comes from, announced before the draw."
    )
    seed_not_before: dt.datetime | None = strawberry.field(
        description="The earliest moment the seed can exist, fixed at announcement (after it); "
        "the draw is refused before. Null only for campaigns announced before it was required."
    )
    population_digest: str = strawberry.field(
        description='SHA-256 (hex) of one "USCC|province" line per institution of the frozen '
        "population, ascending USCC, each ending in a newline; published at announcement."
    )
    algorithm: str = strawberry.field(description="The draw's algorithm and version.")
    corrects: str | None = strawberry.field(
        description="A correction campaign: the id of the campaign it replaces."
    )
    correction_reason: str | None = strawberry.field(
        description="Why the corrected campaign was replaced (public)."
    )
    corrected_by: str | None = strawberry.field(
        description="The correction campaign that replaced this one (status CORRECTED)."
    )
    seed: str | None = strawberry.field(description="The published seed; null before the draw.")
    rules: DrawRulesType = strawberry.field(description="The published rules of its draw.")
    status: CampaignStatus = strawberry.field(
        description="ANNOUNCED, DRAWN, RESULTS_PUBLISHED or CORRECTED."
    )
    announced_at: dt.datetime = strawberry.field(
        description="When it was announced (and its rules published)."
    )
    drawn_at: dt.datetime | None = strawberry.field(description="When the draw ran; null before.")
    population: list[str] = strawberry.field(
        description="USCCs of the institutions the draw was taken from, frozen at announcement."
    )
    roster: list[Inspector] = strawberry.field(
        description="The inspectors the draw takes from, as frozen at announcement."
    )
    selection: list[DrawAssignment] | None = strawberry.field(
        description="The drawn institutions and inspectors; null before the draw."
    )
    results_summary: str | None = strawberry.field(
        description="The published summary of the results; null before."
    )
    results_published_at: dt.datetime | None = strawberry.field(
        description="When the results were published (一公开); null before."
    )
    domain: strawberry.Private[api.Campaign]

    @strawberry.field(
        description="Everything the draw used and gave, as JSON: feed it to "
        "`registry supervision redraw FILE` to re-run the draw."
    )
    def published_document(self) -> JSON:
        return self.domain.published()  # type: ignore[return-value]

    @strawberry.field(
        description="The findings: public once the results are published; supervisors see them "
        "as recorded. Null while not visible to the caller."
    )
    async def findings(self, info: Ctx) -> list[SupervisionFinding] | None:
        found = await r.campaign_findings(info.context, self.id, self.status.value)
        return None if found is None else [from_model(SupervisionFinding, f) for f in found]

    @strawberry.field(description="Re-run the draw from the published seed and compare.")
    async def redraw(self, info: Ctx) -> RedrawResult | None:
        if self.seed is None:
            return None
        report = await r.redraw(info.context, self.id)
        return from_model(RedrawResult, report, selection=report.selection or [])

    @classmethod
    def from_domain(cls, c: api.Campaign) -> SupervisionCampaign:
        return from_model(
            cls,
            c,
            population=[p.uscc for p in c.population],
            # The roster frozen at announcement: every inspector on it was active then.
            roster=[from_model(Inspector, i, active=True) for i in c.roster],
            domain=c,
        )


@strawberry.type(description="A draw re-run from the published seed.")
class RedrawResult:
    matches: bool = strawberry.field(description="The same selection as published.")
    population_matches: bool | None = strawberry.field(
        description="The frozen population still agrees with the directory's history."
    )
    selection: list[DrawAssignment] = strawberry.field(
        description="The selection the re-run draws."
    )


@strawberry.input(description="The rules of a draw, published with the campaign.")
class DrawRulesInput:
    kinds: list[InstitutionKind] = strawberry.field(  # type: ignore[valid-type]
        description="The kinds of institution to draw from."
    )
    listed_on: dt.date = strawberry.field(
        description="The population: institutions on the directory that day."
    )
    sample_size: int = strawberry.field(description="How many institutions to draw.")
    inspectors_per_institution: int = strawberry.field(
        default=2, description="How many inspectors to draw for each."
    )
    provinces: list[str] = strawberry.field(
        default_factory=list, description="Empty: every province (the office only)."
    )
    avoid_same_province: bool = strawberry.field(
        default=False,
        description="Never draw an inspector for an institution of their own province.",
    )

    def to_domain(self) -> api.DrawRules:
        return api.DrawRules(
            kinds=tuple(api.Kind(k).value for k in self.kinds),
            provinces=tuple(self.provinces),
            listed_on=self.listed_on,
            sample_size=self.sample_size,
            inspectors_per_institution=self.inspectors_per_institution,
            avoid_same_province=self.avoid_same_province,
        )


@strawberry.input(
    description="An inspection campaign (双随机、一公开) to announce, with the rules of its draw."
)
class SupervisionCampaignInput:
    idempotency_key: str = strawberry.field(
        description="Chosen by the client (8-100 characters); the same key returns the first campaign."
    )
    title: str = strawberry.field(description="The campaign's title.")
    year: int = strawberry.field(description="The year it inspects.")
    seed_source: str = strawberry.field(
        description="Where the seed will come from (e.g. a named public lottery draw)."
    )
    seed_not_before: dt.datetime = strawberry.field(
        description="The earliest moment the seed can exist (e.g. the time of that lottery "
        "draw), with its UTC offset: after now, within 180 days. The draw is refused before."
    )
    rules: DrawRulesInput = strawberry.field(
        description="The rules of its draw, published at announcement."
    )
    corrects: str | None = strawberry.field(
        default=None,
        description="Announce a correction of this campaign (ANNOUNCED or DRAWN, no finding "
        "yet): it becomes CORRECTED and names this one. Requires correctionReason.",
    )
    correction_reason: str | None = strawberry.field(
        default=None, description="Why the campaign is corrected; public."
    )

    def to_domain(self) -> api.CampaignInput:
        return api.CampaignInput(
            idempotency_key=self.idempotency_key,
            title=self.title,
            year=self.year,
            seed_source=self.seed_source,
            rules=self.rules.to_domain(),
            seed_not_before=self.seed_not_before,
            corrects=self.corrects,
            correction_reason=self.correction_reason,
        )


@strawberry.input(description="The finding on one drawn institution.")
class SupervisionFindingInput:
    campaign_id: str = strawberry.field(description="The campaign's id.")
    institution_uscc: str = strawberry.field(
        description="A drawn institution, by its unified social credit code."
    )
    outcome: FindingOutcome = strawberry.field(description="What the inspection found.")  # type: ignore[valid-type]
    action: FindingAction = strawberry.field(  # type: ignore[valid-type]
        description="What follows; at least what the violation requires."
    )
    details: str = strawberry.field(default="", description="What the inspectors found.")
    violation: Violation | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="The violation of notice 六(三) found, if any."
    )

    def to_domain(self) -> api.FindingInput:
        return api.FindingInput(
            campaign=self.campaign_id,
            institution="".join(self.institution_uscc.split()).upper(),
            outcome=api.FindingOutcome(self.outcome),
            action=api.FindingAction(self.action),
            details=self.details,
            violation=api.Violation(self.violation) if self.violation else None,
        )


@strawberry.type(description="What a change to the inspectors' roster answers.")
class InspectorPayload:
    inspector: Inspector | None = strawberry.field(
        description="The inspector as stored; null on a problem."
    )
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description="What a change to an inspection campaign answers.")
class SupervisionCampaignPayload:
    campaign: SupervisionCampaign | None = strawberry.field(
        description="The campaign as stored; null on a problem."
    )
    replayed: bool = strawberry.field(
        description="True when this answers an earlier identical request."
    )
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description="What recording a finding answers.")
class SupervisionFindingPayload:
    finding: SupervisionFinding | None = strawberry.field(
        description="The finding as stored; null on a problem."
    )
    user_errors: list[UserError] = user_errors_field()


@strawberry.type
class SupervisionQuery:
    @strawberry.field(description="Inspection campaigns, public from their announcement.")
    async def supervision_campaigns(
        self,
        info: Ctx,
        first: Annotated[
            int, strawberry.argument(description="How many items to return, at most 100.")
        ] = 20,
        after: AfterArg = None,
        year: Annotated[
            int | None, strawberry.argument(description="Only the campaigns inspecting this year.")
        ] = None,
    ) -> Connection[SupervisionCampaign]:
        found = await r.campaign_page(info.context, year, first, after)
        return connection(found, SupervisionCampaign.from_domain)

    @strawberry.field(description="One campaign by id.")
    async def supervision_campaign(
        self, info: Ctx, id: Annotated[str, strawberry.argument(description="The campaign's id.")]
    ) -> SupervisionCampaign | None:
        found = await r.campaign(info.context, id)
        return SupervisionCampaign.from_domain(found) if found else None

    @strawberry.field(description="The inspector roster, optionally of one province.")
    async def inspectors(
        self,
        info: Ctx,
        province: Annotated[
            str | None,
            strawberry.argument(description="Only inspectors of this province (two-digit code)."),
        ] = None,
    ) -> list[Inspector]:
        return [from_model(Inspector, e) for e in await r.inspectors(info.context, province)]


@strawberry.type
class SupervisionMutation:
    @strawberry.mutation(
        description="Add an inspector (by enforcement credential number, safe to retry). "
        "Roles: OFFICE_ADMIN, PROVINCIAL_REVIEWER (its province)."
    )
    async def add_inspector(
        self,
        info: Ctx,
        name: Annotated[str, strawberry.argument(description="The inspector's name.")],
        province: Annotated[
            str, strawberry.argument(description="The inspector's province (two-digit code).")
        ],
        badge: Annotated[
            str, strawberry.argument(description="The inspector's badge number (执法证号).")
        ],
        affiliation: Annotated[
            str | None, strawberry.argument(description="Where the inspector works.")
        ] = None,
    ) -> InspectorPayload:
        return await payload(
            InspectorPayload,
            r.add_inspector(info.context, name, province, badge, affiliation),
            Inspector,
        )

    @strawberry.mutation(
        description="Take an inspector off future draws. Roles: OFFICE_ADMIN, PROVINCIAL_REVIEWER (its province)."
    )
    async def retire_inspector(
        self,
        info: Ctx,
        id: Annotated[str, strawberry.argument(description="The inspector's roster id.")],
    ) -> InspectorPayload:
        return await payload(InspectorPayload, r.retire_inspector(info.context, id), Inspector)

    @strawberry.mutation(
        description="Announce a campaign: rules, seed source, population and roster frozen and "
        "public. Roles: OFFICE_ADMIN; PROVINCIAL_REVIEWER over its own province."
    )
    async def announce_supervision_campaign(
        self,
        info: Ctx,
        input: Annotated[
            SupervisionCampaignInput,
            strawberry.argument(
                description="The whole input; every problem in it comes back at once as `userErrors`."
            ),
        ],
    ) -> SupervisionCampaignPayload:
        return await payload(
            SupervisionCampaignPayload,
            r.announce(info.context, input.to_domain()),
            SupervisionCampaign.from_domain,
        )

    @strawberry.mutation(
        description="Publish the seed and draw institutions and inspectors: once, from the "
        "announced seedNotBefore on (SEED_NOT_YET_AVAILABLE before; ALREADY_DRAWN for a second "
        "seed). Roles: the campaign's owner (PROVINCIAL_REVIEWER of its province) or OFFICE_ADMIN."
    )
    async def draw_supervision_campaign(
        self,
        info: Ctx,
        campaign_id: Annotated[str, strawberry.argument(description="The campaign's id.")],
        seed: Annotated[
            str,
            strawberry.argument(
                description="The seed, from the source fixed at announcement, not before the moment it fixed."
            ),
        ],
    ) -> SupervisionCampaignPayload:
        return await payload(
            SupervisionCampaignPayload,
            r.draw(info.context, campaign_id, seed),
            SupervisionCampaign.from_domain,
        )

    @strawberry.mutation(
        description="Record the finding on a drawn institution; SUSPEND/REMOVE take effect on the "
        "directory. A VIOLATION of 六(三) ends in at least its kind's minimum consequence, REMOVE "
        "(CONSEQUENCE_BELOW_MINIMUM). Roles: OFFICE_ADMIN; PROVINCIAL_REVIEWER for its province "
        "(not REMOVE)."
    )
    async def record_supervision_finding(
        self,
        info: Ctx,
        input: Annotated[
            SupervisionFindingInput,
            strawberry.argument(
                description="The whole input; every problem in it comes back at once as `userErrors`."
            ),
        ],
    ) -> SupervisionFindingPayload:
        return await payload(
            SupervisionFindingPayload,
            r.record_finding(info.context, input.to_domain()),
            SupervisionFinding,
        )

    @strawberry.mutation(
        description="Publish the results (一公开) once every drawn institution has a finding. "
        "Roles: the campaign's owner or OFFICE_ADMIN."
    )
    async def publish_supervision_results(
        self,
        info: Ctx,
        campaign_id: Annotated[str, strawberry.argument(description="The campaign's id.")],
        summary: Annotated[
            str | None,
            strawberry.argument(description="The summary published with the findings (一公开)."),
        ] = None,
    ) -> SupervisionCampaignPayload:
        return await payload(
            SupervisionCampaignPayload,
            r.publish_results(info.context, campaign_id, summary),
            SupervisionCampaign.from_domain,
        )
