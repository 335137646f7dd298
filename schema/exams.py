"""GraphQL types, queries and mutations of exam sessions and candidate registration (notice
三(五)–(六)). Roles are enforced in `registry` (see registry/exams/policy.py)."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers import api
from resolvers import exams as r
from resolvers.context import Context
from schema.catalogue import CODE_BY_LEVEL, Level
from schema.convert import from_model, source
from schema.list_bounds import MaxItems
from schema.payload import UserError, payload
from schema.personal import PERSONAL
from schema.relay import Connection, connection

Ctx = Info[Context, None]


@strawberry.enum(description="Where an exam session stands.")
class ExamSessionStatus(Enum):
    ANNOUNCED = strawberry.enum_value("ANNOUNCED", description="Open for registration.")
    LIST_CONFIRMED = strawberry.enum_value(
        "LIST_CONFIRMED", description="The registration list (报考名单) is confirmed; closed."
    )


@strawberry.enum(description="Where a candidate's registration stands.")
class RegistrationStatus(Enum):
    REGISTERED = strawberry.enum_value("REGISTERED", description="Waiting for the list.")
    CONFIRMED = strawberry.enum_value("CONFIRMED", description="On the confirmed list.")
    REFUSED = strawberry.enum_value("REFUSED", description="Refused, with the reason.")
    CANCELLED = strawberry.enum_value(
        "CANCELLED",
        description="Withdrawn before the list was confirmed, with the reason; the place is freed.",
    )


@strawberry.type(description="The 告知承诺 commitment a candidate made when registering.")
class Commitment:
    version: str = strawberry.field(description="Version of the commitment text signed.")
    at: dt.datetime = strawberry.field(description="When the candidate made it.")


@strawberry.type(description="A candidate registered for an exam session (never the ID number).")
class ExamRegistration:
    id: str = source("_id", description="The registration's id, used to confirm the list.")
    holder_name: str = source("name", description="The candidate's name as registered.")
    commitment: Commitment = strawberry.field(description="The 告知承诺 commitment recorded.")
    training_certificate: str | None = strawberry.field(
        description="The training certificate cited (checked to be the candidate's own)."
    )
    status: RegistrationStatus = strawberry.field(description="Where the registration stands.")
    refusal: str | None = strawberry.field(description="Why it was refused, when it was.")
    cancellation: str | None = strawberry.field(
        description="Why it was cancelled (the candidate withdrew), when it was."
    )
    registered_at: dt.datetime = strawberry.field(description="When it was registered.")


@strawberry.type(description="An exam session announced by an evaluation institution (public).")
class ExamSession:
    id: str = source("_id", description="The session's id, named by its results batch.")
    institution_uscc: str = source("institution", description="The announcing institution.")
    occupation_code: str = source("occupation", description="Occupation (primary code).")
    direction: str | None = strawberry.field(description="Direction, when the scope names one.")
    level: Level = strawberry.field(description="The level examined.")
    exam_date: dt.date = strawberry.field(description="The exam's date.")
    place: str | None = strawberry.field(description="Where; null for an online session.")
    online: bool = strawberry.field(description="Whether the session is online.")
    capacity: int = strawberry.field(description="How many candidates may register.")
    registered: int = strawberry.field(description="How many have registered.")
    status: ExamSessionStatus = strawberry.field(description="Where the session stands.")


@strawberry.input(description="An exam session: occupation, direction, level, date, place.")
class ExamSessionInput:
    idempotency_key: str = strawberry.field(
        description="Chosen by the client (8-100 characters); the same key returns the first result."
    )
    occupation: str = strawberry.field(description="Occupation code, either edition.")
    level: Level = strawberry.field(description="The level examined.")
    exam_date: dt.date = strawberry.field(description="The exam's date (today or later).")
    capacity: int = strawberry.field(description="How many candidates may register (1-10000).")
    direction: str | None = strawberry.field(default=None, description="Direction, if any.")
    place: str | None = strawberry.field(default=None, description="Where; or set online.")
    online: bool = strawberry.field(default=False, description="True for an online session.")

    def to_domain(self) -> api.SessionInput:
        return api.SessionInput(
            self.idempotency_key,
            self.occupation,
            CODE_BY_LEVEL[self.level],
            self.exam_date,
            self.capacity,
            self.direction,
            self.place,
            self.online,
        )


@strawberry.input(description="A candidate's registration. The ID number is kept only hashed.")
class ExamRegistrationInput:
    session: str = strawberry.field(description="The session's id.")
    name: str = strawberry.field(description="The candidate's name.")
    id_number: str = strawberry.field(description="ID number; never stored or shown in clear.")
    commitment_version: str = strawberry.field(
        description="Version of the 告知承诺 text the candidate signed."
    )
    committed_at: dt.datetime = strawberry.field(description="When the candidate signed it.")
    training_certificate: str | None = strawberry.field(
        default=None, description="The training certificate the candidate cites (P number)."
    )

    def to_domain(self) -> api.RegistrationInput:
        return api.RegistrationInput(
            self.session,
            self.name,
            self.id_number,
            self.commitment_version,
            self.committed_at,
            self.training_certificate,
        )


@strawberry.input(description="One candidate's decision on the registration list.")
class ListDecisionInput:
    registration: str = strawberry.field(description="The registration's id.")
    confirmed: bool = strawberry.field(description="True to confirm, false to refuse.")
    reason: str | None = strawberry.field(
        default=None, description="Which condition is not met; required for a refusal."
    )


@strawberry.type(description="The answer to an exam-session mutation.")
class ExamSessionPayload:
    session: ExamSession | None = strawberry.field(description="The session, unless refused.")
    replayed: bool = strawberry.field(
        description="True when this answers an earlier identical request."
    )
    user_errors: list[UserError] = strawberry.field(description="Problems; nothing changed.")


@strawberry.type(description="The answer to registerExamCandidate.")
class ExamRegistrationPayload:
    registration: ExamRegistration | None = strawberry.field(description="The registration.")
    replayed: bool = strawberry.field(
        description="True when this answers an earlier identical request (the person already "
        "registered with the same data, the registration already cancelled by the caller)."
    )
    user_errors: list[UserError] = strawberry.field(description="Problems; nothing changed.")


@strawberry.type
class ExamQuery:
    @strawberry.field(description="An announced exam session by id; null when unknown.")
    async def exam_session(
        self, info: Ctx, id: Annotated[str, strawberry.argument(description="The session's id.")]
    ) -> ExamSession | None:
        found = await r.session(info.context, id)
        return from_model(ExamSession, found) if found else None

    @strawberry.field(description="Announced exam sessions (public notices), by id.")
    async def exam_sessions(
        self,
        info: Ctx,
        first: Annotated[int, strawberry.argument(description="How many (at most 100).")],
        after: Annotated[
            str | None, strawberry.argument(description="The cursor to continue after.")
        ] = None,
        institution: Annotated[
            str | None, strawberry.argument(description="Only this institution's (USCC).")
        ] = None,
    ) -> Connection[ExamSession]:
        return connection(await r.sessions_of(info.context, institution, first, after), ExamSession)

    @strawberry.field(
        directives=[PERSONAL],
        description="A session's registrations in the order they came (报考名单); for the "
        "institution that announced it (FORBIDDEN otherwise).",
    )
    async def exam_registrations(
        self,
        info: Ctx,
        session: Annotated[str, strawberry.argument(description="The session's id.")],
    ) -> list[ExamRegistration]:
        found = await r.registrations_of(info.context, session)
        return [from_model(ExamRegistration, d) for d in found]


@strawberry.type
class ExamMutation:
    @strawberry.mutation(
        description="Announce an exam session. Roles: EVALUATION_INSTITUTION, listed on the exam "
        "date with the occupation, direction and level in scope."
    )
    async def announce_exam_session(
        self,
        info: Ctx,
        input: Annotated[ExamSessionInput, strawberry.argument(description="The session.")],
    ) -> ExamSessionPayload:
        return await payload(
            ExamSessionPayload, r.announce(info.context, input.to_domain()), ExamSession
        )

    @strawberry.mutation(
        description="Register a candidate (告知承诺制) for one of the caller's sessions; "
        "SESSION_FULL over capacity, TRAINING_CERTIFICATE_OTHER_PERSON for another's certificate. "
        "Roles: the announcing EVALUATION_INSTITUTION."
    )
    async def register_exam_candidate(
        self,
        info: Ctx,
        input: Annotated[
            ExamRegistrationInput, strawberry.argument(description="The candidate and commitment.")
        ],
    ) -> ExamRegistrationPayload:
        return await payload(
            ExamRegistrationPayload, r.register(info.context, input.to_domain()), ExamRegistration
        )

    @strawberry.mutation(
        description="Confirm the registration list (报考名单): a decision for every registered "
        "candidate, a reason for each refusal. Roles: the announcing EVALUATION_INSTITUTION."
    )
    async def confirm_exam_registration_list(
        self,
        info: Ctx,
        session: Annotated[str, strawberry.argument(description="The session's id.")],
        decisions: Annotated[
            list[ListDecisionInput],
            strawberry.argument(
                description="One decision per registered candidate.",
                directives=[MaxItems(count=api.MAX_CAPACITY)],
            ),
        ],
    ) -> ExamSessionPayload:
        chosen = [api.ListDecision(d.registration, d.confirmed, d.reason) for d in decisions]
        return await payload(
            ExamSessionPayload, r.confirm(info.context, session, chosen), ExamSession
        )

    @strawberry.mutation(
        description="Cancel a registration before the list is confirmed (the candidate "
        "withdraws), freeing its place; a reason is required; REGISTRATION_CLOSED once the list "
        "is confirmed. The person may register again while the list is open (a new "
        "registration). Roles: the announcing EVALUATION_INSTITUTION."
    )
    async def cancel_exam_registration(
        self,
        info: Ctx,
        registration: Annotated[str, strawberry.argument(description="The registration's id.")],
        reason: Annotated[
            str, strawberry.argument(description="Why the candidate withdraws (1-2000 characters).")
        ],
    ) -> ExamRegistrationPayload:
        return await payload(
            ExamRegistrationPayload,
            r.cancel(info.context, registration, reason),
            ExamRegistration,
        )
