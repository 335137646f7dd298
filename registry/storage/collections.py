"""Every MongoDB collection the registry uses, named once.

Code reaches a collection as `db[Collection.BATCHES]`; a name typed anywhere else is a defect
(a test greps for it)."""

from __future__ import annotations

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
