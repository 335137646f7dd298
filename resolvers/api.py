"""Everything `schema/` takes from the domain, in one place.

`resolvers/` is the only way from `schema/` to `registry/` and `credentials/` (import-linter
enforces it, see pyproject.toml): the GraphQL types name domain models, enums and input
dataclasses through this module, and call the domain only through the resolver functions.
"""

from __future__ import annotations

from credentials import qr, withhold_id_numbers
from registry.access.auth import Role
from registry.access.tokens import Unauthenticated
from registry.calendar.clock import today
from registry.catalogue.history import Version as CatalogueVersion
from registry.catalogue.model import Completeness
from registry.catalogue.reference_data import (
    Field,
    Level,
    Occupation,
    Province,
    Standard,
    StandardLevel,
)
from registry.catalogue.validation import CodeInput, LevelInput, OccupationInput, StandardInput
from registry.certificates.lookup import PublicCertificate
from registry.certificates.numbers import CertificateNumberError
from registry.certificates.parts import BatchHeader
from registry.certificates.validation import MAX_PART_ROWS, MAX_ROWS, BatchInput, ResultInput
from registry.errors import Conflict, Forbidden, InvalidInput, NotFound, RegistryError
from registry.exams.confirmation import Decision as ListDecision
from registry.exams.registrations import RegistrationInput
from registry.exams.sessions import MAX_CAPACITY, SessionInput
from registry.institutions.application import MAX_SCOPE, ApplicationInput, FeeInput, ScopeInput
from registry.institutions.directory import DirectoryFilter
from registry.institutions.model import (
    Institution,
    Kind,
    PriorityBasis,
    RecommenderKind,
    ScopeEntry,
    Status,
    Violation,
)
from registry.institutions.obligations import OverdueReport
from registry.institutions.public_view import ChangeKind
from registry.institutions.reports import AnnualReport, ReportKind
from registry.intake.identifiers import IdNumberError
from registry.policylinks.answers import Subsidy, TitleLink
from registry.policylinks.editing import SubsidyRuleInput, TitleLinkInput
from registry.policylinks.model import Scope as PolicyScope
from registry.policylinks.model import TitleUse
from registry.policylinks.model import Topic as PolicyTopic
from registry.problems import Problem, Rejected
from registry.reports.metrics import EmploymentReport, InstitutionMetrics
from registry.reports.statistics import Dimension, Row, YearProgress
from registry.storage.db import Document
from registry.supervision.campaigns import Campaign, CampaignInput
from registry.supervision.draw import Assignment, DrawRules
from registry.supervision.findings import Action as FindingAction
from registry.supervision.findings import Finding, FindingInput
from registry.supervision.findings import Outcome as FindingOutcome
from registry.supervision.roster import RosterEntry
from registry.training.certificates import TrainingCertificate
from registry.training.hours import CeRecord
from registry.training.validation import MAX_TRAINEES, CohortInput, TraineeInput
from registry.transparency.inclusion import Inclusion as LogInclusionProof
from registry.whole_numbers import whole_number
from resolvers.errors import ArgumentError
from resolvers.outcome import Outcome

qr_text, qr_png, qr_svg = qr.encode_text, qr.to_png, qr.to_svg

__all__ = [
    "MAX_CAPACITY",
    "MAX_PART_ROWS",
    "MAX_ROWS",
    "MAX_SCOPE",
    "MAX_TRAINEES",
    "AnnualReport",
    "ApplicationInput",
    "ArgumentError",
    "Assignment",
    "BatchHeader",
    "BatchInput",
    "Campaign",
    "CampaignInput",
    "CatalogueVersion",
    "CeRecord",
    "CertificateNumberError",
    "ChangeKind",
    "CodeInput",
    "CohortInput",
    "Completeness",
    "Conflict",
    "Dimension",
    "DirectoryFilter",
    "Document",
    "DrawRules",
    "EmploymentReport",
    "FeeInput",
    "Field",
    "Finding",
    "FindingAction",
    "FindingInput",
    "FindingOutcome",
    "Forbidden",
    "IdNumberError",
    "Institution",
    "InstitutionMetrics",
    "InvalidInput",
    "Kind",
    "Level",
    "LevelInput",
    "ListDecision",
    "LogInclusionProof",
    "NotFound",
    "Occupation",
    "OccupationInput",
    "Outcome",
    "OverdueReport",
    "PolicyScope",
    "PolicyTopic",
    "PriorityBasis",
    "Problem",
    "Province",
    "PublicCertificate",
    "RecommenderKind",
    "RegistrationInput",
    "RegistryError",
    "Rejected",
    "ReportKind",
    "ResultInput",
    "Role",
    "RosterEntry",
    "Row",
    "ScopeEntry",
    "ScopeInput",
    "SessionInput",
    "Standard",
    "StandardInput",
    "StandardLevel",
    "Status",
    "Subsidy",
    "SubsidyRuleInput",
    "TitleLink",
    "TitleLinkInput",
    "TitleUse",
    "TraineeInput",
    "TrainingCertificate",
    "Unauthenticated",
    "Violation",
    "YearProgress",
    "qr_png",
    "qr_svg",
    "qr_text",
    "today",
    "whole_number",
    "withhold_id_numbers",
]
