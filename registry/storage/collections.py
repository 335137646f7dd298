"""Every MongoDB collection the registry uses, named once, and whether a backup keeps it.

Code reaches a collection as `db[Collection.BATCHES]`; a name typed anywhere else is a defect
(a test greps for it). `BACKUP` classifies every collection for `registry backup`
(registry/backup/): kept, or skipped with the reason; a collection missing from it fails
`tests/registry/storage/test_collections.py`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Collection(StrEnum):
    # Reference data (registry.catalogue.reference_data)
    FIELDS = "fields"
    OCCUPATIONS = "occupations"
    STANDARDS = "standards"
    PROVINCES = "provinces"
    LEVELS = "levels"
    HOLIDAY_ARRANGEMENTS = "holiday_arrangements"
    # Every version of an occupation or standard the office edited (registry.catalogue.versions)
    CATALOGUE_VERSIONS = "catalogue_versions"
    # Directories (registry.institutions)
    INSTITUTIONS = "institutions"
    INSTITUTION_REPORTS = "institution_reports"
    COUNTERS = "counters"
    # Assessment (registry.certificates)
    BATCHES = "batches"
    RESULTS = "results"
    BATCH_PARTS = "batch_parts"
    CERTIFICATES = "certificates"
    # Exam sessions and candidates before results (registry.exams)
    EXAM_SESSIONS = "exam_sessions"
    EXAM_REGISTRATIONS = "exam_registrations"
    # Policy links: professional titles and training subsidies (registry.policylinks)
    POLICY_LINKS = "policy_links"
    # Training and continuing education (registry.training)
    TRAINING_COHORTS = "training_cohorts"
    TRAINEES = "trainees"
    TRAINING_CERTIFICATES = "training_certificates"
    CE_CREDITS = "ce_credits"
    EMPLOYMENT_REPORTS = "employment_reports"
    # Supervision (registry.supervision)
    SUPERVISION_INSPECTORS = "supervision_inspectors"
    SUPERVISION_CAMPAIGNS = "supervision_campaigns"
    SUPERVISION_FINDINGS = "supervision_findings"
    # Trust: keys, status lists, bundles, tokens, the audit chain
    TOKENS = "tokens"
    AUDIT_LOG = "audit_log"
    AUDIT_HEAD = "audit_head"
    SIGNING_KEYS = "signing_keys"
    STATUS_LISTS = "status_lists"
    STATUS_LIST_CREDENTIALS = "status_list_credentials"
    TRUST_BUNDLES = "trust_bundles"
    # Public changes of records whose kind declares a public view (registry.storage.changes)
    PUBLIC_CHANGES = "public_changes"
    # The public statistics' counters, kept by the store's writes (registry.reports.counters)
    STATISTICS = "statistics"
    STATISTICS_PERSONS = "statistics_persons"
    # The transparency log (registry.transparency): head, tiles, entry bundles, checkpoints
    LOG_HEAD = "log_head"
    LOG_TILES = "log_tiles"
    LOG_ENTRIES = "log_entries"
    LOG_INDEX = "log_index"
    LOG_CHECKPOINTS = "log_checkpoints"
    LOG_WITNESSES = "log_witnesses"
    # Rate-limit windows shared by every service process (service/rate_windows.py)
    RATE_WINDOWS = "rate_windows"
    # The demo's own bookkeeping
    DEMO_STATE = "demo_state"
    # Present only while `registry restore` writes (registry/backup/restore.py)
    RESTORE_MARKER = "restore_marker"


@dataclass(frozen=True)
class Kept:
    """Copied by `registry backup`, written back whole by `registry restore`."""


@dataclass(frozen=True)
class Skipped:
    """Left out of a backup; `why` is printed in the backup's manifest and docs/operations.md."""

    why: str


KEPT = Kept()

# Every collection, classified: a new one fails the test until it is added here.
BACKUP: dict[Collection, Kept | Skipped] = {
    Collection.FIELDS: KEPT,
    Collection.OCCUPATIONS: KEPT,
    Collection.STANDARDS: KEPT,
    Collection.PROVINCES: KEPT,
    Collection.LEVELS: KEPT,
    Collection.HOLIDAY_ARRANGEMENTS: KEPT,
    Collection.INSTITUTIONS: KEPT,
    Collection.INSTITUTION_REPORTS: KEPT,
    Collection.COUNTERS: KEPT,
    Collection.BATCHES: KEPT,
    Collection.RESULTS: KEPT,
    Collection.BATCH_PARTS: KEPT,
    Collection.CERTIFICATES: KEPT,
    Collection.EXAM_SESSIONS: KEPT,
    Collection.EXAM_REGISTRATIONS: KEPT,
    Collection.TRAINING_COHORTS: KEPT,
    Collection.TRAINEES: KEPT,
    Collection.TRAINING_CERTIFICATES: KEPT,
    Collection.CE_CREDITS: KEPT,
    Collection.EMPLOYMENT_REPORTS: KEPT,
    Collection.SUPERVISION_INSPECTORS: KEPT,
    Collection.SUPERVISION_CAMPAIGNS: KEPT,
    Collection.SUPERVISION_FINDINGS: KEPT,
    Collection.TOKENS: KEPT,
    Collection.AUDIT_LOG: KEPT,
    Collection.AUDIT_HEAD: KEPT,
    Collection.SIGNING_KEYS: KEPT,
    Collection.STATUS_LISTS: KEPT,
    Collection.STATUS_LIST_CREDENTIALS: KEPT,
    Collection.TRUST_BUNDLES: KEPT,
    Collection.PUBLIC_CHANGES: KEPT,
    Collection.STATISTICS: KEPT,
    Collection.STATISTICS_PERSONS: KEPT,
    Collection.LOG_HEAD: KEPT,
    Collection.LOG_TILES: KEPT,
    Collection.LOG_ENTRIES: KEPT,
    Collection.LOG_INDEX: KEPT,
    Collection.LOG_CHECKPOINTS: KEPT,
    Collection.LOG_WITNESSES: KEPT,
    Collection.DEMO_STATE: KEPT,
    Collection.POLICY_LINKS: KEPT,
    Collection.CATALOGUE_VERSIONS: KEPT,
    Collection.RATE_WINDOWS: Skipped(
        "rate-limit counts of windows that end within a minute: stale by the time a restore "
        "runs, and a restored registry starts with every client's allowance whole"
    ),
    Collection.RESTORE_MARKER: Skipped(
        "written only while a restore runs; a database holding it is refused by every command"
    ),
}
