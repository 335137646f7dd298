"""W3C Verifiable Credentials for the Digital Technology Engineer programme, and their offline
verifier: the package's public face.

Everything outside `credentials/` imports from here (import-linter's `private_modules` contract
keeps the `credentials._*` modules to the package). What it offers:

- verifying: `verify_credential`, a reusable `Verifier`, and the report they give
  (`VerificationReport`, `Check`, `Status`, `Verdict`, `printable` for its messages), and
  `Description` (`describe`): whose credential it is, the words both verifiers show first;
- issuing: `issue_certificate` (with `CertificateClaims`, `Level`, `StatusEntry`),
  `issue_ce_record` (with `CeRecordClaims`, `CeEntryClaims`), `sign_proof` / `verify_proof` for
  the `eddsa-jcs-2022` proof of any JSON document;
- the trust bundle (`build_bundle`, `sign_bundle`, `load_bundle`, `TrustBundle` and its parts),
  the revocation status lists (`StatusList`, `status_list_credential`,
  `parse_status_list_credential`), keys (`PublicKey`, `SigningKey`);
- the transparency log as a verifier sees it: `transparency` (RFC 9162 proofs, C2SP signed
  notes, checkpoints and cosignatures, the certificate's log leaf), the bundle's `LogEntry`;
  `verify_credential` reads the credential file (the envelope with its inclusion proof);
- the holder binding (`binding.commit`, `binding.check`) and the QR form (`qr.encode_text`,
  `qr.to_png`, `qr.decode_image`, …), each a namespace of small functions;
- the identifiers both the registry and the verifier check: the citizen ID number
  (`normalise_id_number`, `mod11_2_check`) and the unified social credit code
  (`normalise_uscc`, `uscc_check_character`);
- detached signatures of published files (`verify_detached`), checked against a pinned root;
- continuing-education records (`verify_ce_record`, its `RecordReport`; `is_ce_record`), checked
  against a pinned root alone;
- the errors, each with a stable `code` (`CredentialError` and its subclasses).

Canonical JSON (RFC 8785), base58, the proof's steps, the schema helper, the schema's fast
acceptance and the verifier's memos are private modules, free to change.
"""

from __future__ import annotations

from credentials import binding, qr, transparency
from credentials._proof import ProofCheck, verification_method_of
from credentials._proof import sign as sign_proof
from credentials._proof import verify as verify_proof
from credentials.binding import BindingCheck, BindingParams
from credentials.bundle import FORMAT_VERSION as BUNDLE_FORMAT_VERSION
from credentials.bundle import (
    BundleError,
    BundleKey,
    BundleStore,
    FileBundleStore,
    Institution,
    ListingPeriod,
    LogEntry,
    MemoryBundleStore,
    Occupation,
    ScopeEntry,
    StatusRange,
    TrustBundle,
    build_bundle,
    china_date,
    format_timestamp,
    load_bundle,
    parse_timestamp,
    sign_bundle,
)
from credentials.ce_record import CeEntryClaims, CeRecordClaims, is_ce_record, issue_ce_record
from credentials.certificate import (
    CertificateClaims,
    Level,
    StatusEntry,
    build_certificate,
    issue_certificate,
    validate_certificate,
)
from credentials.description import Description, describe
from credentials.detached import DetachedSignatureError, verify_detached
from credentials.errors import (
    BindingError,
    CanonicalizationError,
    CredentialError,
    KeyFormatError,
    ProofError,
    SchemaError,
    SchemaProblem,
)
from credentials.idnumber import (
    IdNumberError,
    holds_id_number,
    is_valid_id_number,
    mod11_2_check,
    normalise_id_number,
    withhold_id_numbers,
)
from credentials.keys import PublicKey, SigningKey
from credentials.record_verification import RecordReport, verify_ce_record
from credentials.report import Check, Status, Verdict, VerificationReport, printable
from credentials.status_list import (
    MIN_ENTRIES,
    StatusList,
    parse_status_list_credential,
    status_list_credential,
)
from credentials.uscc import (
    USCC_ALPHABET,
    UsccError,
    is_valid_uscc,
    normalise_uscc,
    uscc_check_character,
)
from credentials.verifier import Verifier, verify_credential

__all__ = [
    "BUNDLE_FORMAT_VERSION",
    "MIN_ENTRIES",
    "USCC_ALPHABET",
    "BindingCheck",
    "BindingError",
    "BindingParams",
    "BundleError",
    "BundleKey",
    "BundleStore",
    "CanonicalizationError",
    "CeEntryClaims",
    "CeRecordClaims",
    "CertificateClaims",
    "Check",
    "CredentialError",
    "Description",
    "DetachedSignatureError",
    "FileBundleStore",
    "IdNumberError",
    "Institution",
    "KeyFormatError",
    "Level",
    "ListingPeriod",
    "LogEntry",
    "MemoryBundleStore",
    "Occupation",
    "ProofCheck",
    "ProofError",
    "PublicKey",
    "RecordReport",
    "SchemaError",
    "SchemaProblem",
    "ScopeEntry",
    "SigningKey",
    "Status",
    "StatusEntry",
    "StatusList",
    "StatusRange",
    "TrustBundle",
    "UsccError",
    "Verdict",
    "VerificationReport",
    "Verifier",
    "binding",
    "build_bundle",
    "build_certificate",
    "china_date",
    "describe",
    "format_timestamp",
    "holds_id_number",
    "is_ce_record",
    "is_valid_id_number",
    "is_valid_uscc",
    "issue_ce_record",
    "issue_certificate",
    "load_bundle",
    "mod11_2_check",
    "normalise_id_number",
    "normalise_uscc",
    "parse_status_list_credential",
    "parse_timestamp",
    "printable",
    "qr",
    "sign_bundle",
    "sign_proof",
    "status_list_credential",
    "transparency",
    "uscc_check_character",
    "validate_certificate",
    "verification_method_of",
    "verify_ce_record",
    "verify_credential",
    "verify_detached",
    "verify_proof",
    "withhold_id_numbers",
]
