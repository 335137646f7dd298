"""GraphQL types, queries and mutations of policy links (notice 五): how a certificate counts
toward professional titles per level (五(二)) and which training certificates qualify for a
training subsidy (五(三)), national and per province, with every version. Roles are enforced in
`registry` (registry/policylinks/policy.py)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers import api
from resolvers import policylinks as r
from resolvers.context import Context
from schema import words
from schema.catalogue import CODE_BY_LEVEL, Level
from schema.convert import from_model, source
from schema.enums import described
from schema.payload import UserError, payload, user_errors_field

Ctx = Info[Context, None]

TitleUse = described(
    api.TitleUse,
    "TitleUse",
    "How a certificate of a level counts toward professional titles (职称), notice 五(二).",
    {
        "SENIOR_REVIEW_REFERENCE": "An important reference when applying for the senior title "
        "review (可作为申报高级职称评审的重要参考): the notice's rule for 高级.",
        "TITLE_RECOGNITION": "May be brought within the intermediate or junior title "
        "recognition of each region and department (可纳入中级、初级职称认定范围): the notice's "
        "rule for 中级 and 初级.",
        "PROVINCIAL_RULE": "The province's own arrangement (具体职称认定或衔接办法由各地自行制定), "
        "stated in the text with its source.",
    },
)
PolicyScope = described(
    api.PolicyScope,
    "PolicyScope",
    "Where the version that answers comes from.",
    {
        "NATIONAL": "The national rule (the notice's, or the office's later national version).",
        "PROVINCIAL": "The province's own version, in effect there on the day asked about.",
    },
)

PROVINCE_ARG = strawberry.argument(
    description="The province to answer for (GB/T 2260, two digits); default the issuing "
    "institution's (digits 2-3 of the number); UNKNOWN_PROVINCE for a code naming none."
)
ON_ARG = strawberry.argument(description="The day to answer for; default today (China time).")
_EFFECTIVE = "The first day this version applies (YYYY-MM-DD)."
_TEXT = "What the rule says, in the words of its source."
_SOURCE = "The document the rule comes from, quoted (for the national defaults: notice 五)."
_DEMO = "True for fictitious demo data, never a real rule."


@strawberry.type(description="What every version of a rule says (a base of the types below).")
class Wording:
    text: str = strawberry.field(description=_TEXT)
    source: str = strawberry.field(description=_SOURCE)
    effective_from: dt.date = strawberry.field(description=_EFFECTIVE)
    demo: bool = strawberry.field(description=_DEMO)


@strawberry.type(description="A version as recorded (a base of the version types below).")
class Recorded(Wording):
    note: str | None = strawberry.field(description="The office's note on this version.")
    recorded_at: dt.datetime | None = strawberry.field(
        description="When the office recorded it; null for the notice's version shipped with "
        "the registry."
    )


@strawberry.type(description="The answer for one certificate (a base of the answer types below).")
class Answered(Wording):
    province: str = strawberry.field(description="The province answered for (two digits).")
    on: dt.date = strawberry.field(description="The day answered for.")
    scope: PolicyScope = strawberry.field(  # type: ignore[valid-type]
        description="Whether the province's own version answers, or the national one."
    )


@strawberry.type(description="One version of a level's title link, national or a province's.")
class TitleLinkVersion(Recorded):
    use: TitleUse = strawberry.field(description="How the certificate counts.")  # type: ignore[valid-type]


@strawberry.type(description="The title link of one level, nationally or in one province.")
class TitleLinkRecord:
    province: str | None = strawberry.field(
        description="The province (two digits); null for the national record."
    )
    level: Level = strawberry.field(description=words.LEVEL)
    versions: list[TitleLinkVersion] = strawberry.field(
        description="Every version, in the order recorded (nothing is replaced)."
    )
    current: TitleLinkVersion | None = strawberry.field(
        description="The version in effect today; null when none is yet."
    )


@strawberry.type(description="One version of the training-subsidy rule (notice 五(三)).")
class SubsidyRuleVersion(Recorded):
    qualifies: bool = strawberry.field(
        description="Whether training certificates of `levels` (and `occupationCodes`) qualify."
    )
    levels: list[Level] = strawberry.field(description="The levels that qualify.")
    occupation_codes: list[str] | None = source(
        "occupations",
        description="The occupations that qualify, by primary code; null for every occupation.",
    )


@strawberry.type(description="The training-subsidy rule, nationally or in one province.")
class SubsidyRuleRecord:
    province: str | None = strawberry.field(
        description="The province (two digits); null for the national record."
    )
    versions: list[SubsidyRuleVersion] = strawberry.field(
        description="Every version, in the order recorded (nothing is replaced)."
    )
    current: SubsidyRuleVersion | None = strawberry.field(
        description="The version in effect today; null when none is yet."
    )


@strawberry.type(description="How a certificate counts toward professional titles (五(二)).")
class TitleLink(Answered):
    level: Level = strawberry.field(description=words.LEVEL)
    use: TitleUse = strawberry.field(description="How the certificate counts.")  # type: ignore[valid-type]


@strawberry.type(description="Whether a training certificate qualifies for a subsidy (五(三)).")
class TrainingSubsidy(Answered):
    qualifies: bool = strawberry.field(
        description="Whether a certificate of its occupation and level is of a kind that "
        "qualifies (the claim itself follows the province's rules: 按照有关规定申领)."
    )


@strawberry.type(description="How a certificate counts under the notice's policies (五).")
class CertificatePolicyLinks:
    title: TitleLink | None = strawberry.field(
        description="Toward professional titles, for its level; null before any rule applied."
    )


@strawberry.type(description="What a training certificate brings under the notice's policies (五).")
class TrainingPolicyLinks:
    subsidy: TrainingSubsidy | None = strawberry.field(
        description="Whether it qualifies for a training subsidy; null before any rule applied."
    )


async def certificate_links(
    ctx: Context, number: str, level: int, province: str | None, on: dt.date | None
) -> CertificatePolicyLinks:
    found = await r.title_link(ctx, number, level, province, on)
    return CertificatePolicyLinks(title=from_model(TitleLink, found) if found else None)


async def training_links(
    ctx: Context,
    number: str,
    occupation: str,
    level: int,
    province: str | None,
    on: dt.date | None,
) -> TrainingPolicyLinks:
    found = await r.subsidy(ctx, number, occupation, level, province, on)
    return TrainingPolicyLinks(subsidy=from_model(TrainingSubsidy, found) if found else None)


_NOTE = "The office's note on this version (not shown as the rule)."


@strawberry.input(description="A version of one level's title link (the office only).")
class TitleLinkInput:
    level: Level = strawberry.field(description=words.LEVEL)
    effective_from: dt.date = strawberry.field(description=_EFFECTIVE)
    use: TitleUse = strawberry.field(description="How the certificate counts.")  # type: ignore[valid-type]
    text: str = strawberry.field(description=_TEXT)
    source: str = strawberry.field(description="The document the rule comes from (required).")
    province: str | None = strawberry.field(
        default=None, description="The province (two digits); null for the national record."
    )
    demo: bool = strawberry.field(default=False, description=_DEMO)
    note: str | None = strawberry.field(default=None, description=_NOTE)

    def to_domain(self) -> api.TitleLinkInput:
        return api.TitleLinkInput(
            level=CODE_BY_LEVEL[self.level],
            effective_from=self.effective_from,
            use=api.TitleUse(self.use).value,
            text=self.text,
            source=self.source,
            province=self.province,
            demo=self.demo,
            note=self.note,
        )


@strawberry.input(description="A version of the training-subsidy rule (the office only).")
class SubsidyRuleInput:
    effective_from: dt.date = strawberry.field(description=_EFFECTIVE)
    qualifies: bool = strawberry.field(description="Whether the named certificates qualify.")
    levels: list[Level] = strawberry.field(description="The levels the rule is about.")
    text: str = strawberry.field(description=_TEXT)
    source: str = strawberry.field(description="The document the rule comes from (required).")
    province: str | None = strawberry.field(
        default=None, description="The province (two digits); null for the national record."
    )
    occupations: list[str] | None = strawberry.field(
        default=None,
        description="The occupations the rule is about (either edition's code); null for all.",
    )
    demo: bool = strawberry.field(default=False, description=_DEMO)
    note: str | None = strawberry.field(default=None, description=_NOTE)

    def to_domain(self) -> api.SubsidyRuleInput:
        return api.SubsidyRuleInput(
            effective_from=self.effective_from,
            qualifies=self.qualifies,
            levels=[CODE_BY_LEVEL[lv] for lv in self.levels],
            text=self.text,
            source=self.source,
            province=self.province,
            occupations=self.occupations,
            demo=self.demo,
            note=self.note,
        )


@strawberry.type(description="The result of setTitleLink.")
class TitleLinkPayload:
    title_link: TitleLinkRecord | None = strawberry.field(
        description="The record with the new version; null when refused."
    )
    replayed: bool = strawberry.field(
        description="True when the record already had this version: nothing was changed."
    )
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description="The result of setSubsidyRule.")
class SubsidyRulePayload:
    subsidy_rule: SubsidyRuleRecord | None = strawberry.field(
        description="The record with the new version; null when refused."
    )
    replayed: bool = strawberry.field(
        description="True when the record already had this version: nothing was changed."
    )
    user_errors: list[UserError] = user_errors_field()


_PROVINCE_FILTER = strawberry.argument(
    description="Only this province's records besides the national ones (two digits)."
)


@strawberry.type
class PolicyLinksQuery:
    @strawberry.field(
        description="How certificates count toward professional titles, per level (notice "
        "五(二)): the national records, then the provinces' where they differ, every version."
    )
    async def title_links(
        self, info: Ctx, province: Annotated[str | None, _PROVINCE_FILTER] = None
    ) -> list[TitleLinkRecord]:
        found = await r.records(info.context, api.PolicyTopic.TITLE, province)
        return [from_model(TitleLinkRecord, d) for d in found]

    @strawberry.field(
        description="Which training certificates qualify for a training subsidy (notice 五(三)): "
        "the national record, then the provinces' where they differ, every version."
    )
    async def subsidy_rules(
        self, info: Ctx, province: Annotated[str | None, _PROVINCE_FILTER] = None
    ) -> list[SubsidyRuleRecord]:
        found = await r.records(info.context, api.PolicyTopic.SUBSIDY, province)
        return [from_model(SubsidyRuleRecord, d) for d in found]


@strawberry.type
class PolicyLinksMutation:
    @strawberry.mutation(
        description="Record a version of a level's title link, nationally or for a province, "
        "from its effective day; the same version again changes nothing. Roles: OFFICE_ADMIN."
    )
    async def set_title_link(
        self,
        info: Ctx,
        input: Annotated[TitleLinkInput, strawberry.argument(description="The version.")],
    ) -> TitleLinkPayload:
        work = r.set_title_link(info.context, input.to_domain())
        return await payload(TitleLinkPayload, work, TitleLinkRecord)

    @strawberry.mutation(
        description="Record a version of the training-subsidy rule, nationally or for a "
        "province, from its effective day; the same version again changes nothing. Roles: "
        "OFFICE_ADMIN."
    )
    async def set_subsidy_rule(
        self,
        info: Ctx,
        input: Annotated[SubsidyRuleInput, strawberry.argument(description="The version.")],
    ) -> SubsidyRulePayload:
        work = r.set_subsidy_rule(info.context, input.to_domain())
        return await payload(SubsidyRulePayload, work, SubsidyRuleRecord)
