"""`registry verify`: verify a certificate offline, from a JSON file, a DTE1 code or a QR image.

    registry verify INPUT --bundle BUNDLE.json [--root-key MULTIBASE ...] [--card ID]
                          [--require-witnesses N] [--json]
    registry verify INPUT --key MULTIBASE [--json]
    registry verify CE-RECORD.json [--root-key MULTIBASE ...] [--card ID] [--json]
    registry verify FILE --signature FILE.sig [--root-key MULTIBASE ...] [--json]

The last two check what the registry itself signs (a continuing-education record, the open
data's detached signature) against the pinned root alone: service/verify_registry.py.

Exit status: 0 valid (with --key: the signature is valid; the issuer was not checked), 1 not
valid (invalid, revocation unknown, or nothing verifiable), 2 the input, the bundle or a key could
not be read (the reason is on stderr). Never a traceback.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, NoReturn

import click

from credentials import (
    BundleError,
    CredentialError,
    FileBundleStore,
    PublicKey,
    Status,
    TrustBundle,
    Verdict,
    VerificationReport,
    is_ce_record,
    load_bundle,
    printable,
    qr,
    verify_credential,
)
from service import verify_registry
from service.verify_words import render_description

ROOT_KEY_ENV: Final = "REGISTRY_ROOT_KEY"
BUNDLE_STATE_ENV: Final = "REGISTRY_BUNDLE_STATE"
"""Where the highest accepted bundle sequence is remembered (rollback protection)."""

EXIT_VALID: Final = 0
EXIT_INVALID: Final = 1
EXIT_UNREADABLE: Final = 2

MAX_INPUT_BYTES: Final = 20 * 1024 * 1024
MAX_BUNDLE_BYTES: Final = 256 * 1024 * 1024

_MARKS: Final = {
    Status.PASS: "[ OK ]",
    Status.FAIL: "[FAIL]",
    Status.UNKNOWN: "[ ?? ]",
    Status.SKIPPED: "[ -- ]",
}
_VERDICT_TEXT: Final = {
    Verdict.VALID: "VALID: genuine, issued by a listed institution in scope, not revoked",
    Verdict.INVALID: "INVALID: do not accept this certificate",
    Verdict.STATUS_UNKNOWN: "STATUS UNKNOWN: genuine, but revocation could not be checked; "
    "get a current trust bundle",
    Verdict.SIGNATURE_VALID_ISSUER_NOT_CHECKED: "SIGNATURE VALID under the given key; "
    "the issuer was NOT checked",
    Verdict.UNVERIFIED: "NOT VERIFIED: nothing could be established",
    Verdict.UNCONFIRMED: "UNCONFIRMED: signed with a key that is now retired or compromised; "
    "cannot be confirmed offline — present the certificate file or look it up in the registry",
}
_ACCEPTED: Final = frozenset({Verdict.VALID, Verdict.SIGNATURE_VALID_ISSUER_NOT_CHECKED})


class Unreadable(Exception):
    """The input, the bundle or a key cannot be read: exit 2 with this message."""


def _fail(message: str) -> NoReturn:
    raise Unreadable(message)


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # A JSON object with a repeated key means different things to different parsers; the
    # signature must not depend on which one wins.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            _fail(f"not valid JSON: the key {key[:40]!r} appears twice in one object")
        result[key] = value
    return result


def _reject_constant(name: str) -> NoReturn:
    _fail(f"not valid JSON: {name} is not a JSON value")


def parse_json(data: bytes, what: str) -> Any:
    """Strict JSON (RFC 8259): UTF-8, no duplicate keys, no NaN/Infinity."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        _fail(f"{what} is not UTF-8 text (byte {exc.start})")
    try:
        return json.loads(
            text, object_pairs_hook=_reject_duplicates, parse_constant=_reject_constant
        )
    except json.JSONDecodeError as exc:
        _fail(f"{what} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
    except (RecursionError, ValueError) as exc:
        _fail(f"{what} is not usable JSON: {str(exc)[:120]}")


def _read_file(path: Path, limit: int, what: str) -> bytes:
    try:
        if path.stat().st_size > limit:
            _fail(f"{what} {path} is larger than {limit // (1024 * 1024)} MiB")
        return path.read_bytes()
    except OSError as exc:
        _fail(f"cannot read {what} {path}: {exc.strerror or exc}")


def read_credential(argument: str) -> Any:
    """The credential in INPUT: a literal DTE1 code, or a file holding JSON, a DTE1 code or an
    image of the QR code (told apart by content, not by file name)."""
    try:
        if argument.startswith(qr.PREFIX):
            return qr.decode_text(argument)
        path = Path(argument)
        if not path.is_file():
            _fail(f"{argument[:200]!r} is neither a file nor a {qr.PREFIX} code")
        data = _read_file(path, MAX_INPUT_BYTES, "input")
        head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
        if head.startswith(qr.PREFIX.encode("ascii")):
            try:
                text = head.decode("ascii")
            except UnicodeDecodeError:
                _fail(f"{path} starts like a {qr.PREFIX} code but is not ASCII text")
            return qr.decode_text(text.rstrip("\r\n"))
        if qr.is_image(head):
            return qr.decode_image(data)
        if head[:1] in (b"{", b"["):
            return parse_json(data, "the input")
        try:
            return qr.decode_image(data)
        except CredentialError:
            # Neither an image nor JSON-looking text: report it as the JSON it most likely was.
            return parse_json(data, "the input")
    except CredentialError as exc:
        _fail(f"cannot read the input: {exc.message} ({exc.code})")


def _root_keys(options: Sequence[str]) -> list[PublicKey]:
    values = list(options)
    if not values:
        values = os.environ.get(ROOT_KEY_ENV, "").replace(",", " ").split()
    if not values:
        _fail(
            f"no root key: give --root-key MULTIBASE or set {ROOT_KEY_ENV}. A trust bundle is "
            "only trusted under a root key you obtained from the registry yourself."
        )
    keys = []
    for value in values:
        try:
            keys.append(PublicKey.from_multibase(value))
        except CredentialError as exc:
            _fail(f"root key {value[:60]!r} is not usable: {exc.message}")
    return keys


def _state_path() -> Path:
    configured = os.environ.get(BUNDLE_STATE_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "dte-registry" / "bundle-sequences.json"


class _CliStore:
    """The file store, except that a failed write warns instead of stopping verification."""

    def __init__(self, path: Path) -> None:
        self._store = FileBundleStore(path)

    def highest_sequence(self, root_key: str) -> int | None:
        return self._store.highest_sequence(root_key)

    def record_sequence(self, root_key: str, sequence: int) -> None:
        try:
            self._store.record_sequence(root_key, sequence)
        except OSError as exc:
            click.echo(
                f"warning: cannot remember the bundle sequence in {self._store.path}: "
                f"{exc.strerror or exc}",
                err=True,
            )


def read_bundle(path: str, root_key_options: Sequence[str]) -> TrustBundle:
    keys = _root_keys(root_key_options)
    document = parse_json(_read_file(Path(path), MAX_BUNDLE_BYTES, "bundle"), "the bundle")
    try:
        return load_bundle(document, keys, store=_CliStore(_state_path()))
    except BundleError as exc:
        _fail(f"trust bundle refused: {exc.message} ({exc.code})")


def render(report: VerificationReport) -> str:
    """The report as text: whose credential it is (as it claims), the checks, the verdict."""
    width = max(len(c.name) for c in report.checks)
    lines = render_description(report.description) if report.description is not None else []
    lines += [
        f"{_MARKS[c.status]} {c.name:<{width}}  {printable(c.message)}" for c in report.checks
    ]
    lines.append(f"Verdict: {_VERDICT_TEXT[report.verdict]}")
    return "\n".join(lines)


@click.command("verify")
@click.argument("input_", metavar="INPUT")
@click.option("--bundle", "bundle_path", metavar="BUNDLE.json", help="Signed trust bundle.")
@click.option(
    "--root-key",
    "root_keys",
    multiple=True,
    metavar="MULTIBASE",
    help=f"Pinned registry root key (z6Mk…); repeatable. Default: ${ROOT_KEY_ENV}.",
)
@click.option(
    "--key", "key_text", metavar="MULTIBASE", help="Check the proof alone under this key."
)
@click.option(
    "--signature",
    "signature_path",
    metavar="FILE.sig",
    help="INPUT is a file the registry published; check this detached signature of it.",
)
@click.option("--card", metavar="ID", help="Holder's ID (social security card) number.")
@click.option(
    "--require-witnesses",
    "witnesses",
    type=click.IntRange(0, 1000),
    default=0,
    metavar="N",
    help="in_log passes only with N valid cosignatures by witnesses the bundle lists.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def verify_command(
    ctx: click.Context,
    input_: str,
    bundle_path: str | None,
    root_keys: tuple[str, ...],
    key_text: str | None,
    signature_path: str | None,
    card: str | None,
    witnesses: int,
    as_json: bool,
) -> None:
    """Verify a certificate offline: INPUT is a JSON file (the credential, or the credential
    file with its inclusion proof), a DTE1: code or a QR image.

    Exit status: 0 valid, 1 not valid, 2 the input, bundle or key could not be read.
    """
    try:
        options = _Options(bundle_path, tuple(root_keys), key_text, card, witnesses, as_json)
        if signature_path is not None:
            code = _verify_signature(input_, signature_path, options)
        else:
            code = _verify(input_, options)
    except Unreadable as exc:
        click.echo(f"error: {printable(str(exc))}", err=True)
        code = EXIT_UNREADABLE
    except Exception as exc:  # the promise is: never a traceback
        message = printable(str(exc)[:200])
        click.echo(f"error: unexpected failure: {type(exc).__name__}: {message}", err=True)
        code = EXIT_UNREADABLE
    ctx.exit(code)


@dataclass(frozen=True)
class _Options:
    bundle_path: str | None
    root_keys: tuple[str, ...]
    key_text: str | None
    card: str | None
    witnesses: int
    as_json: bool


def _verify_signature(input_: str, signature_path: str, options: _Options) -> int:
    """INPUT's bytes against their detached signature, under the pinned root alone."""
    if options.bundle_path or options.key_text or options.card or options.witnesses:
        _fail("--signature takes only --root-key (and --json)")
    body = _read_file(Path(input_), MAX_INPUT_BYTES, "input")
    data = _read_file(Path(signature_path), MAX_INPUT_BYTES, "signature")
    signature = parse_json(data, "the signature")
    keys = _root_keys(options.root_keys)
    return verify_registry.check_detached(body, signature, keys, options.as_json)


def _verify(input_: str, options: _Options) -> int:
    bundle_path, root_keys, key_text = options.bundle_path, options.root_keys, options.key_text
    if options.witnesses and bundle_path is None:
        _fail("--require-witnesses only applies with --bundle")
    if bundle_path is None and key_text is None and root_keys:
        # What the registry signs itself carries its chain: the root alone checks it.
        credential = read_credential(input_)
        if not is_ce_record(credential):
            _fail("a certificate is verified with --bundle BUNDLE.json (and --root-key)")
        keys = _root_keys(root_keys)
        return verify_registry.check_record(credential, keys, options.card, options.as_json)
    if (bundle_path is None) == (key_text is None):
        _fail("give either --bundle BUNDLE.json (full verification) or --key MULTIBASE")
    if root_keys and bundle_path is None:
        _fail("--root-key only applies with --bundle")
    bundle: TrustBundle | None = None
    key: PublicKey | None = None
    if key_text is not None:
        try:
            key = PublicKey.from_multibase(key_text)
        except CredentialError as exc:
            _fail(f"--key is not usable: {exc.message}")
    credential = read_credential(input_)
    if bundle_path is not None:
        bundle = read_bundle(bundle_path, root_keys)
    report = verify_credential(
        credential,
        bundle=bundle,
        key=key,
        card_number=options.card,
        require_witnesses=options.witnesses,
    )
    click.echo(report.to_json() if options.as_json else render(report))
    return EXIT_VALID if report.verdict in _ACCEPTED else EXIT_INVALID
