"""Write the verifier conformance corpus, `tests/vectors/conformance/`.

Both verifiers run it: the Python one (`credentials.verifier`, tests/web/test_conformance.py) and
the page's (web/verifier/src/verifier.js, in node and in Chromium). Each case is a certificate as
an employer receives it (JSON text or a `DTE1:` code), a card number or none, and the verdict,
first failing check and every check's status and code that `registry verify` gives at the fixed
time `NOW`. The bundle cases say whether a trust bundle is accepted and, if not, with which code.

Everything is deterministic (fixed seeds, salts and times; Ed25519 signatures are deterministic),
so running this again writes the same bytes; a test checks that the committed corpus is current.
Each case states its expected verdict and first failing check here, by hand; the script refuses to
write a corpus where the Python verifier disagrees with them.

    .venv/bin/python scripts/make_conformance_corpus.py [OUT_DIR]
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from credentials import (
    BundleError,
    BundleKey,
    CertificateClaims,
    Institution,
    Level,
    ListingPeriod,
    MemoryBundleStore,
    Occupation,
    ScopeEntry,
    SigningKey,
    Status,
    StatusEntry,
    StatusList,
    StatusRange,
    binding,
    build_bundle,
    build_certificate,
    issue_certificate,
    load_bundle,
    mod11_2_check,
    qr,
    sign_bundle,
    sign_proof,
    status_list_credential,
    uscc_check_character,
    verify_credential,
)
from credentials.bundle import LogEntry
from credentials.transparency import (
    Checkpoint,
    NoteSigner,
    certificate_leaf,
    inclusion_path,
    leaf_hash,
    root_from_leaves,
)
from service.verify_cli import Unreadable, read_credential

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "vectors" / "conformance"
W3C_VECTOR = ROOT / "tests" / "vectors" / "w3c-eddsa-jcs-2022" / "signedJCS.json"

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
BUNDLE_ISSUED = dt.datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
KEY_SWITCH = dt.datetime(2025, 1, 1, tzinfo=UTC)
ISSUED = dt.datetime(2025, 6, 1, 2, 0, tzinfo=UTC)

# Seeds unlike those of the unit tests, so nobody mistakes one world for the other.
ROOT_KEY = SigningKey.from_seed(bytes([0x51]) * 32)
OTHER_ROOT_KEY = SigningKey.from_seed(bytes([0x52]) * 32)
OLD_KEY = SigningKey.from_seed(bytes([0x53]) * 32)  # institution A until 2025-01-01
NEW_KEY = SigningKey.from_seed(bytes([0x54]) * 32)  # institution A since 2025-01-01
TRAINING_KEY = SigningKey.from_seed(bytes([0x55]) * 32)  # institution B, a training school
C_KEY = SigningKey.from_seed(bytes([0x56]) * 32)  # institution C, another evaluator
STRANGER_KEY = SigningKey.from_seed(bytes([0x57]) * 32)  # in no bundle

USCC_A = "91350100M000100Y43"
USCC_B = "91110000802100433B"
ISSUER_A, ISSUER_B = f"urn:uscc:{USCC_A}", f"urn:uscc:{USCC_B}"
AI_2015, AI_2022, BIG_DATA = "2-02-10-09", "2-02-38-01", "2-02-10-11"
STATUS_URL = "https://dte-registry.cn/status/1"
MISSING_STATUS_URL = "https://dte-registry.cn/status/2"
REVOKED_INDEX = 4242
CARD = "11010519491231002X"
OTHER_CARD = "11010519491231003" + mod11_2_check("11010519491231003")
CHEAP = binding.BindingParams(opslimit=1, memlimit=8 * 1024)  # most cases: speed, not cost
SALT = bytes(range(16))


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


# The registry's transparency log: its checkpoint key, and its size when OLD_KEY was retired.
LOG_ORIGIN = "dte-registry.cn/log"
LOG = NoteSigner(LOG_ORIGIN, SigningKey.from_seed(bytes([0x58]) * 32))
OTHER_LOG = NoteSigner(LOG_ORIGIN, SigningKey.from_seed(bytes([0x59]) * 32))  # in no bundle
RETIREMENT_SIZE = 10
ENVELOPE = "dte-registry/credential-file/v1"


USCC_C = "91440300MA5D00001" + uscc_check_character("91440300MA5D00001")
ISSUER_C = f"urn:uscc:{USCC_C}"
A_PREFIX, C_PREFIX = "350001", "440002"  # positions 2-7 of their certificate numbers
C_INDEX = 100_500  # in C's range of the status list, between two of A's


# --- the trust world -------------------------------------------------------------------------


def institutions() -> list[Institution]:
    scope = (ScopeEntry(AI_2015, 1), ScopeEntry(AI_2015, 2), ScopeEntry(BIG_DATA, 1, "大数据分析"))
    return [
        Institution(
            id=ISSUER_A,
            name="福建示例评价中心",
            kind="EVALUATION",
            province="35",
            listings=(
                ListingPeriod(dt.date(2023, 3, 1), dt.date(2025, 12, 31), scope),
                # Off the directory in January and February 2026; back with level 3 added.
                ListingPeriod(dt.date(2026, 3, 1), None, (*scope, ScopeEntry(AI_2015, 3))),
            ),
            keys=(
                BundleKey(
                    OLD_KEY.public_key,
                    at("2023-01-01T00:00:00"),
                    KEY_SWITCH,
                    ISSUER_A,
                    log_size_at_retirement=RETIREMENT_SIZE,
                ),
                BundleKey(NEW_KEY.public_key, KEY_SWITCH, None, ISSUER_A),
            ),
            number_prefix=A_PREFIX,
            status_ranges=(
                StatusRange(STATUS_URL, 0, 100_000),
                StatusRange(STATUS_URL, 110_000, 131_072),
                StatusRange(MISSING_STATUS_URL, 0, 131_072),
            ),
        ),
        Institution(
            id=ISSUER_B,
            name="北京示例培训学校",
            kind="TRAINING",
            province="11",
            listings=(ListingPeriod(dt.date(2023, 1, 1), None, (ScopeEntry(AI_2015, 1),)),),
            keys=(BundleKey(TRAINING_KEY.public_key, at("2023-01-01T00:00:00"), None, ISSUER_B),),
            number_prefix="110003",
        ),
        Institution(
            id=ISSUER_C,
            name="广东示例评价中心",
            kind="EVALUATION",
            province="44",
            listings=(ListingPeriod(dt.date(2023, 1, 1), None, (ScopeEntry(AI_2015, 1),)),),
            keys=(BundleKey(C_KEY.public_key, at("2023-01-01T00:00:00"), None, ISSUER_C),),
            number_prefix=C_PREFIX,
            status_ranges=(StatusRange(STATUS_URL, 100_000, 110_000),),
        ),
    ]


def revocation_list(signer: SigningKey = ROOT_KEY) -> dict[str, Any]:
    status_list = StatusList()
    status_list.set(REVOKED_INDEX)
    return status_list_credential(
        STATUS_URL,
        status_list,
        "https://dte-registry.cn/",
        signer,
        valid_from=BUNDLE_ISSUED,
        valid_until=BUNDLE_ISSUED + dt.timedelta(days=30),
    )


def bundle(
    *,
    sequence: int = 7,
    root: SigningKey = ROOT_KEY,
    status_lists: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    document = build_bundle(
        issued=BUNDLE_ISSUED,
        sequence=sequence,
        institutions=institutions(),
        occupations=[
            Occupation((AI_2015, AI_2022), "人工智能工程技术人员"),
            Occupation((BIG_DATA, "2-02-38-03"), "大数据工程技术人员"),
        ],
        status_lists=status_lists if status_lists is not None else {STATUS_URL: revocation_list()},
        logs=[LogEntry(LOG_ORIGIN, LOG.key, at("2023-01-01T00:00:00"))],
    )
    return sign_bundle(document, root, created=BUNDLE_ISSUED)


def number(*, level: int = 1, year: int = 25, serial: int = 1, prefix: str = A_PREFIX) -> str:
    body = f"{prefix}{year:02d}{level}01{serial:06d}"
    return "Z" + body + mod11_2_check(body)


def claims(
    *,
    when: dt.datetime = ISSUED,
    level: int = 1,
    occupation: str = AI_2015,
    direction: str | None = None,
    uscc: str = USCC_A,
    serial: int = 1,
    prefix: str = A_PREFIX,
) -> CertificateClaims:
    return CertificateClaims(
        certificate_number=number(level=level, year=when.year % 100, serial=serial, prefix=prefix),
        holder_name="张三",
        occupation_code=occupation,
        occupation_name="人工智能工程技术人员",
        level=Level(level),
        field_code="01",
        issuer_uscc=uscc,
        issuer_name="福建示例评价中心",
        valid_from=when,
        direction=direction,
    )


def issue(
    *,
    key: SigningKey = NEW_KEY,
    when: dt.datetime = ISSUED,
    index: int = 1000,
    status_url: str = STATUS_URL,
    params: binding.BindingParams = CHEAP,
    **kwargs: Any,
) -> dict[str, Any]:
    return issue_certificate(
        claims(when=when, **kwargs),
        key,
        binding=binding.commit(CARD, salt=SALT, params=params),
        status=StatusEntry(status_url, index),
        created=when,
    )


def sign_raw(
    edit: Callable[[dict[str, Any]], None], *, key: SigningKey = NEW_KEY
) -> dict[str, Any]:
    """A certificate changed by `edit` and then signed: the schema is not checked first."""
    document = build_certificate(
        claims(),
        binding=binding.commit(CARD, salt=SALT, params=CHEAP),
        status=StatusEntry(STATUS_URL, 1000),
    )
    edit(document)
    return sign_proof(document, key, created=ISSUED)


def pretty(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# --- the cases -------------------------------------------------------------------------------


@dataclass
class Case:
    id: str
    description: str
    text: str
    """The input exactly as a verifier reads it: JSON text or a DTE1 code."""
    verdict: str | None
    """None: the input cannot be read at all (`registry verify` exits 2)."""
    first: str | None = None
    """The first FAIL check, else the first UNKNOWN one, else None."""
    code: str | None = None
    card: str | None = None
    now: dt.datetime = NOW
    bundle: str = "bundle.json"
    suffix: str = ".json"
    checks: list[dict[str, str]] = field(default_factory=list)


def _with(document: dict[str, Any], edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    edit(changed)
    return changed


def _set_name(name: str) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        doc["credentialSubject"]["name"] = name

    return edit


def _break_check_character(doc: dict[str, Any]) -> None:
    cert = doc["credentialSubject"]["certificate"]
    cert["number"] = cert["number"][:-1] + ("0" if cert["number"][-1] != "0" else "1")
    doc["id"] = "urn:dte:certificate:" + cert["number"]


def cases() -> list[Case]:
    valid = issue()
    valid_text = pretty(valid)
    strong = issue(params=binding.DEFAULT_PARAMS, serial=2)
    jcs_stress = sign_raw(
        lambda d: d.update(
            extra={
                "numbers": [0, -0.0, 1e21, 1e-7, 0.1, 1.2345678901234568e20, 5e-324, 1e20],
                "more": [1.7976931348623157e308, 2**53 - 1, 333333333.3333333, -1e-7, 4.5],
                "strings": ["€", "😀", "\u0000\u001f\u007f", '"\\', "\u2028\u2029", "é"],
                "€": 1,
                "\r": 2,
                "1": 3,
                "😀": 4,
                "\ufb33": 5,
                "a": 6,
                "A": 7,
                "": 8,
            }
        )
    )
    level_float = valid_text.replace('"code": 1,', '"code": 1.0,', 1)
    assert level_float != valid_text
    ops_float = valid_text.replace('"opslimit": 1,', '"opslimit": 1.0,', 1)
    assert ops_float != valid_text
    compact = json.dumps(valid, ensure_ascii=False, separators=(",", ":"))
    deep: Any = "x"
    for _ in range(80):
        deep = [deep]
    w3c = W3C_VECTOR.read_text("utf-8")

    return [
        Case("valid", "a certificate as issued", valid_text, "VALID"),
        Case(
            "valid-qr",
            "the same certificate as its DTE1 code",
            qr.encode_text(valid),
            "VALID",
            suffix=".txt",
        ),
        Case(
            "retired-key-unconfirmed",
            "signed in 2024 with the key retired on 2025-01-01, without its log proof: "
            "a back-dated forgery would look the same",
            pretty(issue(key=OLD_KEY, when=at("2024-06-01T02:00:00"))),
            "UNCONFIRMED",
            "in_log",
            "LOG_CONFIRMATION_REQUIRED",
        ),
        Case(
            "valid-2022-code",
            "the 2022 code of an occupation listed under its 2015 code",
            pretty(issue(occupation=AI_2022)),
            "VALID",
        ),
        Case(
            "valid-compact",
            "compact JSON with a byte-order mark and surrounding whitespace",
            "\ufeff \n" + compact + "\n\n",
            "VALID",
        ),
        Case(
            "tampered-name",
            "the holder's name changed after signing",
            pretty(_with(valid, _set_name("李四"))),
            "INVALID",
            "proof",
            "PROOF_SIGNATURE_INVALID",
        ),
        Case(
            "tampered-qr",
            "a DTE1 code of a certificate with a changed level",
            qr.encode_text(
                _with(
                    valid, lambda d: d["credentialSubject"]["certificate"]["level"].update(code=2)
                )
            ),
            "INVALID",
            "proof",
            "PROOF_SIGNATURE_INVALID",
            suffix=".txt",
        ),
        Case(
            "revoked",
            "its bit is set in the bundle's revocation list",
            pretty(issue(index=REVOKED_INDEX)),
            "INVALID",
            "status",
            "REVOKED",
        ),
        Case(
            "revoked-qr",
            "the revoked certificate as its DTE1 code",
            qr.encode_text(issue(index=REVOKED_INDEX)),
            "INVALID",
            "status",
            "REVOKED",
            suffix=".txt",
        ),
        Case(
            "wrong-issuer",
            "names institution A as issuer but is signed with institution C's key",
            pretty(issue(key=C_KEY)),
            "INVALID",
            "issuer_key",
            "KEY_NOT_ISSUERS",
        ),
        *issuer_cases(),
        Case(
            "unknown-key",
            "signed with a key that is in no bundle",
            pretty(issue(key=STRANGER_KEY)),
            "INVALID",
            "issuer_key",
            "KEY_NOT_IN_BUNDLE",
        ),
        Case(
            "training-institution",
            "issued by a training institution, which may not issue these certificates",
            pretty(issue(key=TRAINING_KEY, uscc=USCC_B)),
            "INVALID",
            "issuer_listed",
            "ISSUER_NOT_EVALUATION",
        ),
        Case(
            "not-listed-on-day",
            "issued on 2026-02-01, while the issuer was off the directory",
            pretty(issue(when=at("2026-02-01T02:00:00"))),
            "INVALID",
            "issuer_listed",
            "NOT_LISTED_ON_DATE",
        ),
        Case(
            "not-listed-china-day",
            "signed 2025-12-31 16:30 UTC, which is already 2026-01-01 in China: not listed",
            pretty(issue(when=at("2025-12-31T16:30:00"))),
            "INVALID",
            "issuer_listed",
            "NOT_LISTED_ON_DATE",
        ),
        Case(
            "out-of-scope-level",
            "level 3 in 2025, before level 3 was in the issuer's scope",
            pretty(issue(level=3)),
            "INVALID",
            "issuer_listed",
            "OUT_OF_SCOPE",
        ),
        Case(
            "out-of-scope-occupation",
            "big data without the one direction the scope lists",
            pretty(issue(occupation=BIG_DATA, direction="数据治理")),
            "INVALID",
            "issuer_listed",
            "OUT_OF_SCOPE",
        ),
        Case(
            "retired-key",
            "signed in June 2025 with the key retired on 2025-01-01",
            pretty(issue(key=OLD_KEY)),
            "INVALID",
            "issuer_key",
            "KEY_RETIRED",
        ),
        Case(
            "key-not-yet-valid",
            "signed in 2024 with the key that only became valid in 2025",
            pretty(issue(when=at("2024-06-01T02:00:00"))),
            "INVALID",
            "issuer_key",
            "KEY_NOT_YET_VALID",
        ),
        Case(
            "issued-in-future",
            "claims to be signed a day after the verification time",
            pretty(issue(when=NOW + dt.timedelta(days=1))),
            "INVALID",
            "issuer_key",
            "ISSUED_IN_FUTURE",
        ),
        Case(
            "binding-right",
            "the holder's card number, default Argon2id cost",
            pretty(strong),
            "VALID",
            card=CARD,
        ),
        Case(
            "binding-right-spaced",
            "the holder's card number typed with spaces and a lower-case x",
            pretty(strong),
            "VALID",
            card=" 110105 19491231 002x ",
        ),
        Case(
            "binding-wrong",
            "another valid card number",
            pretty(strong),
            "INVALID",
            "holder_binding",
            "BINDING_MISMATCH",
            card=OTHER_CARD,
        ),
        Case(
            "binding-typo",
            "a card number with a wrong check character",
            valid_text,
            "INVALID",
            "holder_binding",
            "BINDING_CARD_INVALID",
            card="110105194912310021",
        ),
        Case(
            "binding-opslimit-float",
            "opslimit written 1.0: same signature, but not an integer for the binding",
            ops_float,
            "INVALID",
            "holder_binding",
            "BINDING_MALFORMED",
            card=CARD,
        ),
        Case(
            "bundle-too-old",
            "verified 8 days after the bundle was issued",
            valid_text,
            "STATUS_UNKNOWN",
            "status",
            "BUNDLE_TOO_OLD",
            now=BUNDLE_ISSUED + dt.timedelta(days=8),
        ),
        Case(
            "revoked-old-bundle",
            "revoked, verified with a bundle too old to vouch for 'not revoked'",
            pretty(issue(index=REVOKED_INDEX)),
            "INVALID",
            "status",
            "REVOKED",
            now=BUNDLE_ISSUED + dt.timedelta(days=8),
        ),
        Case(
            "status-list-missing",
            "its status list is not in the bundle",
            pretty(issue(status_url=MISSING_STATUS_URL)),
            "STATUS_UNKNOWN",
            "status",
            "STATUS_LIST_MISSING",
        ),
        Case(
            "status-list-untrusted",
            "the bundle's status list is signed by a key that is not the root key",
            valid_text,
            "STATUS_UNKNOWN",
            "status",
            "STATUS_LIST_UNTRUSTED_KEY",
            bundle="bundle-untrusted-list.json",
        ),
        Case(
            "schema-extra-field",
            "signed, but with an ID number field the schema forbids",
            pretty(
                sign_raw(lambda d: d["credentialSubject"].update(idNumber="11010519491231002X"))
            ),
            "INVALID",
            "schema",
            "SCHEMA_INVALID",
        ),
        Case(
            "schema-bad-date",
            "signed, with validFrom on 31 February",
            pretty(sign_raw(lambda d: d.update(validFrom="2025-02-31T00:00:00Z"))),
            "INVALID",
            "schema",
            "SCHEMA_INVALID",
        ),
        Case(
            "schema-check-character",
            "signed, with a certificate number whose check character is wrong",
            pretty(sign_raw(_break_check_character)),
            "INVALID",
            "schema",
            "SCHEMA_INVALID",
        ),
        Case(
            "jcs-stress",
            "signed extra members: number forms, escapes and keys that sort by UTF-16",
            pretty(jcs_stress),
            "INVALID",
            "schema",
            "SCHEMA_INVALID",
        ),
        Case(
            "level-float",
            "level code written 1.0: same signature, but not an integer level",
            level_float,
            "INVALID",
            "issuer_listed",
            "CERTIFICATE_FIELDS_MISSING",
        ),
        Case(
            "w3c-vector",
            "the W3C eddsa-jcs-2022 test vector: a sound proof by a key no bundle lists",
            w3c,
            "INVALID",
            "issuer_key",
            "KEY_NOT_IN_BUNDLE",
        ),
        Case(
            "no-proof",
            "the proof removed",
            pretty({k: v for k, v in valid.items() if k != "proof"}),
            "INVALID",
            "proof",
            "PROOF_MISSING",
        ),
        Case(
            "bad-proof-value",
            "proofValue is not base58btc",
            pretty(_with(valid, lambda d: d["proof"].update(proofValue="z0OIl"))),
            "INVALID",
            "proof",
            "PROOF_MALFORMED",
        ),
        Case(
            "wrong-suite",
            "a cryptosuite other than eddsa-jcs-2022",
            pretty(_with(valid, lambda d: d["proof"].update(cryptosuite="eddsa-rdfc-2022"))),
            "INVALID",
            "proof",
            "PROOF_WRONG_SUITE",
        ),
        Case(
            "wrong-purpose",
            "proofPurpose authentication",
            pretty(_with(valid, lambda d: d["proof"].update(proofPurpose="authentication"))),
            "INVALID",
            "proof",
            "PROOF_WRONG_PURPOSE",
        ),
        Case(
            "context-mismatch",
            "the document's @context no longer starts with the proof's",
            pretty(_with(valid, lambda d: d.update({"@context": d["@context"][::-1]}))),
            "INVALID",
            "proof",
            "PROOF_CONTEXT_MISMATCH",
        ),
        Case(
            "big-integer",
            "an integer no JSON number can hold exactly: no canonical form",
            valid_text.replace('"opslimit": 1,', '"opslimit": 9007199254740993,', 1),
            "INVALID",
            "proof",
            "PROOF_MALFORMED",
        ),
        Case(
            "lone-surrogate",
            "a name with a lone UTF-16 surrogate: not Unicode, no canonical form",
            valid_text.replace('"name": "张三"', '"name": "张\\ud800"', 1),
            "INVALID",
            "proof",
            "PROOF_MALFORMED",
        ),
        Case(
            "infinity",
            "a number too large for a double",
            valid_text.replace('"opslimit": 1,', '"opslimit": 1e400,', 1),
            "INVALID",
            "input",
            "NOT_A_JSON_OBJECT",
        ),
        Case(
            "too-deep",
            "nested 80 levels deep",
            pretty({"deep": deep}),
            "INVALID",
            "input",
            "NOT_A_JSON_OBJECT",
        ),
        Case("array", "a JSON array", "[1, 2, 3]\n", "INVALID", "input", "NOT_A_JSON_OBJECT"),
        Case("not-json", "not JSON at all", '{"type": [\n', None),
        Case(
            "duplicate-key",
            "a JSON object with a repeated key",
            valid_text.replace('"validFrom"', '"validFrom": "2020-01-01T00:00:00Z", "validFrom"'),
            None,
        ),
        Case("nan", "NaN, which JSON does not have", '{"a": NaN}\n', None, suffix=".json"),
        Case(
            "qr-bad-base45",
            "a DTE1 code with characters outside Base45",
            "DTE1:abc",
            None,
            suffix=".txt",
        ),
        Case(
            "qr-trailing",
            "a DTE1 code with bytes after the zlib stream",
            _trailing_zlib(valid),
            None,
            suffix=".txt",
        ),
    ]


def issuer_cases() -> list[Case]:
    """Institution C signs, with its own valid key and as itself, what is A's (issue 14, 3)."""
    as_c: dict[str, Any] = {"key": C_KEY, "uscc": USCC_C}
    return [
        Case(
            "issuer-own-number-and-range",
            "institution C with its own number digits and an index of its own range",
            pretty(issue(**as_c, prefix=C_PREFIX, index=C_INDEX)),
            "VALID",
        ),
        Case(
            "issuer-number-of-another",
            "C signs A's certificate number and A's status index with its own key",
            pretty(issue(**as_c)),
            "INVALID",
            "issuer_listed",
            "NUMBER_NOT_ISSUERS",
        ),
        Case(
            "issuer-index-of-another",
            "C's own number, but a status index of A's range",
            pretty(issue(**as_c, prefix=C_PREFIX, index=1000)),
            "INVALID",
            "status",
            "STATUS_INDEX_NOT_ISSUERS",
        ),
        Case(
            "issuer-revoked-index-of-another",
            "C's own number and A's revoked index: not C's, rather than revoked",
            pretty(issue(**as_c, prefix=C_PREFIX, index=REVOKED_INDEX)),
            "INVALID",
            "status",
            "STATUS_INDEX_NOT_ISSUERS",
        ),
        Case(
            "issuer-index-of-another-list",
            "an index C owns in one list, claimed in a list where it is A's",
            pretty(issue(**as_c, prefix=C_PREFIX, index=C_INDEX, status_url=MISSING_STATUS_URL)),
            "INVALID",
            "status",
            "STATUS_INDEX_NOT_ISSUERS",
        ),
    ]


def _trailing_zlib(document: dict[str, Any]) -> str:
    import zlib

    import base45
    import cbor2

    data = zlib.compress(cbor2.dumps(document), 9) + b"\x00"
    encoded: bytes = base45.b45encode(data)
    return qr.PREFIX + encoded.decode("ascii")


@dataclass
class BundleCase:
    id: str
    description: str
    file: str
    accepted: bool
    code: str | None = None
    highest: int | None = None
    """The highest sequence the verifier has already accepted under the root key."""


def log_bundle_files(main: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Signed bundles whose transparency-log members are wrong (LOG_BUNDLE_CASES)."""
    witness = NoteSigner("witness.example/w1", SigningKey.from_seed(bytes([0x5A]) * 32), 0x04)

    def edited(edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        document = {k: v for k, v in copy.deepcopy(main).items() if k != "proof"}
        edit(document)
        return sign_proof(document, ROOT_KEY, created=BUNDLE_ISSUED)

    key = main["logs"][0]["key"]
    return {
        "bundle-log-witness-key.json": edited(lambda d: d["logs"][0].update(key=witness.key.vkey)),
        "bundle-log-bad-key.json": edited(lambda d: d["logs"][0].update(key=key[:-2] + "AA")),
        "bundle-witness-log-key.json": edited(lambda d: d.update(witnesses=[{"key": key}])),
        "bundle-witnesses.json": edited(lambda d: d.update(witnesses=[{"key": witness.key.vkey}])),
        "bundle-compromised-no-size.json": edited(
            lambda d: d["institutions"][0]["keys"][0].update(compromisedAt="2024-09-01T00:00:00Z")
        ),
    }


LOG_BUNDLE_CASES = [
    BundleCase(
        "log-witness-key",
        "a cosigner key as the log's key",
        "bundle-log-witness-key.json",
        False,
        "BUNDLE_INVALID",
    ),
    BundleCase(
        "log-bad-key",
        "a log vkey whose key id does not match",
        "bundle-log-bad-key.json",
        False,
        "BUNDLE_INVALID",
    ),
    BundleCase(
        "witness-log-key",
        "a note key as a witness's key",
        "bundle-witness-log-key.json",
        False,
        "BUNDLE_INVALID",
    ),
    BundleCase("witnesses", "a bundle listing a witness", "bundle-witnesses.json", True),
    BundleCase(
        "compromised-no-size",
        "a compromised key without its log size",
        "bundle-compromised-no-size.json",
        False,
        "BUNDLE_INVALID",
    ),
]


def bundle_cases() -> tuple[list[BundleCase], dict[str, dict[str, Any]]]:
    main = bundle()
    tampered = copy.deepcopy(main)
    tampered["institutions"][0]["name"] = "假冒评价中心"
    unsigned = build_bundle(
        issued=BUNDLE_ISSUED,
        sequence=9,
        institutions=institutions(),
        occupations=[],
        status_lists={STATUS_URL: revocation_list()},
    )
    del unsigned["occupations"]
    format_1 = {k: v for k, v in copy.deepcopy(main).items() if k != "proof"}
    format_1["formatVersion"] = 1
    for item in format_1["institutions"]:
        del item["numberPrefix"], item["statusRanges"]
    overlap = {k: v for k, v in copy.deepcopy(main).items() if k != "proof"}
    overlap["institutions"][2]["statusRanges"][0]["from"] = 99_999  # one of A's indices too
    files = {
        "bundle.json": main,
        "bundle-newer.json": bundle(sequence=8),
        "bundle-other-root.json": bundle(root=OTHER_ROOT_KEY),
        "bundle-tampered.json": tampered,
        "bundle-schema.json": sign_proof(unsigned, ROOT_KEY, created=BUNDLE_ISSUED),
        "bundle-untrusted-list.json": bundle(
            status_lists={STATUS_URL: revocation_list(signer=OTHER_ROOT_KEY)}
        ),
        "bundle-format-1.json": sign_proof(format_1, ROOT_KEY, created=BUNDLE_ISSUED),
        "bundle-overlap.json": sign_proof(overlap, ROOT_KEY, created=BUNDLE_ISSUED),
        **log_bundle_files(main),
    }
    return [
        *LOG_BUNDLE_CASES,
        BundleCase("accepted", "the corpus bundle", "bundle.json", True),
        BundleCase("same-sequence", "the same sequence again", "bundle.json", True, highest=7),
        BundleCase("newer", "sequence 8 after 7", "bundle-newer.json", True, highest=7),
        BundleCase(
            "rollback", "sequence 7 after 8", "bundle.json", False, "BUNDLE_ROLLBACK", highest=8
        ),
        BundleCase(
            "other-root",
            "signed by a key that is not pinned",
            "bundle-other-root.json",
            False,
            "BUNDLE_UNTRUSTED_KEY",
        ),
        BundleCase(
            "tampered",
            "an institution renamed after signing",
            "bundle-tampered.json",
            False,
            "BUNDLE_SIGNATURE_INVALID",
        ),
        BundleCase(
            "schema",
            "signed, but without occupations",
            "bundle-schema.json",
            False,
            "BUNDLE_SCHEMA",
        ),
        BundleCase(
            "format-1",
            "signed, of format 1: no number digits or status ranges to tie a certificate to",
            "bundle-format-1.json",
            False,
            "BUNDLE_FORMAT_UNSUPPORTED",
        ),
        BundleCase(
            "overlapping-ranges",
            "signed, with one status index in the ranges of two institutions",
            "bundle-overlap.json",
            False,
            "BUNDLE_INVALID",
        ),
    ], files


# --- checking and writing --------------------------------------------------------------------


def logged_file(
    credential: dict[str, Any], index: int, size: int, signer: NoteSigner = LOG
) -> dict[str, Any]:
    """The credential file the registry hands out: `credential` at `index` of a log of `size`."""
    hashes = [leaf_hash(f'{{"kind":"other","n":{i}}}'.encode()) for i in range(size)]
    hashes[index] = leaf_hash(certificate_leaf(credential))
    note = signer.sign(Checkpoint(LOG_ORIGIN, size, root_from_leaves(hashes)).body())
    proof = [base64.b64encode(p).decode("ascii") for p in inclusion_path(index, hashes)]
    inclusion = {"leafIndex": index, "treeSize": size, "proof": proof, "checkpoint": note}
    return {"envelope": ENVELOPE, "credential": credential, "inclusion": inclusion}


def forgery() -> dict[str, Any]:
    """After the rotation: the retired key, another holder, `created` inside its window."""
    genuine = issue(key=OLD_KEY, when=at("2024-06-01T02:00:00"), serial=77)
    genuine["credentialSubject"]["name"] = "李四"
    del genuine["proof"]
    return sign_proof(genuine, OLD_KEY, created=at("2024-06-01T02:00:00"))


def log_cases() -> list[Case]:
    """The credential file (envelope), its inclusion proof, and the back-dated forgery."""
    old = issue(key=OLD_KEY, when=at("2024-06-01T02:00:00"))
    forged = forgery()
    borrowed = logged_file(old, 4, 30)
    borrowed["credential"] = forged
    other_log = logged_file(issue(), 12, 30, signer=OTHER_LOG)
    envelope_v9 = {"envelope": "dte-registry/credential-file/v9", "credential": issue()}
    return [
        Case(
            "in-log",
            "the credential file, with its inclusion proof",
            pretty(logged_file(issue(), 12, 30)),
            "VALID",
        ),
        Case(
            "retired-key-in-log",
            "the retired key's certificate, logged before retirement",
            pretty(logged_file(old, 4, 30)),
            "VALID",
        ),
        Case(
            "forgery-back-dated",
            "the retired key, a changed name, created in its window",
            pretty(forged),
            "UNCONFIRMED",
            "in_log",
            "LOG_CONFIRMATION_REQUIRED",
        ),
        Case(
            "forgery-back-dated-qr",
            "the same forgery as a DTE1 code",
            qr.encode_text(forged),
            "UNCONFIRMED",
            "in_log",
            "LOG_CONFIRMATION_REQUIRED",
            suffix=".txt",
        ),
        Case(
            "forgery-borrowed-proof",
            "the forgery in the genuine certificate's file",
            pretty(borrowed),
            "INVALID",
            "in_log",
            "LOG_LEAF_MISMATCH",
        ),
        Case(
            "forgery-logged-late",
            "the forgery logged after the rotation",
            pretty(logged_file(forged, RETIREMENT_SIZE, 30)),
            "INVALID",
            "in_log",
            "KEY_USED_AFTER_RETIREMENT",
        ),
        Case(
            "in-log-other-log-key",
            "a checkpoint signed by a key the bundle does not list",
            pretty(other_log),
            "INVALID",
            "in_log",
            "LOG_CHECKPOINT_UNTRUSTED",
        ),
        Case(
            "envelope-unknown",
            "a credential file of an unknown kind",
            pretty(envelope_v9),
            "INVALID",
            "input",
            "ENVELOPE_UNSUPPORTED",
        ),
    ]


def first_problem(checks: list[dict[str, str]]) -> tuple[str | None, str | None]:
    for wanted in (Status.FAIL.value, Status.UNKNOWN.value):
        for check in checks:
            if check["status"] == wanted:
                return check["name"], check["code"]
    return None, None


def run_python(case: Case, folder: Path) -> dict[str, Any]:
    """What `registry verify` says about the case, as the corpus records it."""
    from credentials import PublicKey

    try:
        credential = read_credential(str(folder / "cases" / f"{case.id}{case.suffix}"))
    except Unreadable as exc:
        return {"unreadable": True, "reason": str(exc)}
    document = json.loads((folder / case.bundle).read_text("utf-8"))
    trusted = load_bundle(document, [PublicKey.from_multibase(ROOT_KEY.public_key.multibase)])
    report = verify_credential(credential, bundle=trusted, card_number=case.card, now=case.now)
    checks = [{"name": c.name, "status": c.status.value, "code": c.code} for c in report.checks]
    return {"verdict": report.verdict.value, "checks": checks}


def run_bundle_case(case: BundleCase, folder: Path) -> dict[str, Any]:
    from credentials import PublicKey

    store = MemoryBundleStore()
    root = PublicKey.from_multibase(ROOT_KEY.public_key.multibase)
    if case.highest is not None:
        store.record_sequence(root.multibase, case.highest)
    document = json.loads((folder / case.file).read_text("utf-8"))
    try:
        load_bundle(document, [root], store=store)
    except BundleError as exc:
        return {"accepted": False, "code": exc.code}
    return {"accepted": True, "code": None}


def write(out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    (out / "cases").mkdir(parents=True)
    bundles, bundle_files = bundle_cases()
    for name, document in bundle_files.items():
        (out / name).write_text(pretty(document), encoding="utf-8")
    (out / "root-key.txt").write_text(ROOT_KEY.public_key.multibase + "\n", encoding="utf-8")
    entries = []
    for case in [*cases(), *log_cases()]:
        (out / "cases" / f"{case.id}{case.suffix}").write_text(case.text, encoding="utf-8")
        result = run_python(case, out)
        if case.verdict is None:
            if not result.get("unreadable"):
                raise SystemExit(f"{case.id}: expected unreadable, Python read it: {result}")
            expected: dict[str, Any] = {"unreadable": True}
        else:
            first, code = first_problem(result.get("checks", []))
            if (result.get("verdict"), first, code) != (case.verdict, case.first, case.code):
                raise SystemExit(
                    f"{case.id}: expected {case.verdict} {case.first} {case.code}, "
                    f"Python says {result}"
                )
            expected = {
                "verdict": case.verdict,
                "firstProblem": first,
                "code": code,
                "checks": result["checks"],
            }
        entries.append(
            {
                "id": case.id,
                "description": case.description,
                "input": f"cases/{case.id}{case.suffix}",
                "card": case.card,
                "now": case.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "bundle": case.bundle,
                "expected": expected,
            }
        )
    bundle_entries = []
    for bundle_case in bundles:
        outcome = run_bundle_case(bundle_case, out)
        if outcome != {"accepted": bundle_case.accepted, "code": bundle_case.code}:
            raise SystemExit(f"bundle {bundle_case.id}: Python says {outcome}")
        bundle_entries.append(
            {
                "id": bundle_case.id,
                "description": bundle_case.description,
                "file": bundle_case.file,
                "highestSequence": bundle_case.highest,
                "expected": outcome,
            }
        )
    manifest = {
        "description": (
            "Verifier conformance corpus: written by scripts/make_conformance_corpus.py; "
            "run by the Python verifier and the offline verifier page, which must agree."
        ),
        "formatVersion": 1,
        "rootKey": ROOT_KEY.public_key.multibase,
        "bundleMaxAgeSeconds": 7 * 86400,
        "cases": entries,
        "bundles": bundle_entries,
    }
    (out / "manifest.json").write_text(pretty(manifest), encoding="utf-8")


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else OUT
    write(out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
