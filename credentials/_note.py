"""C2SP signed notes (signed-note v1.0.0) with Ed25519 keys, and their verifier keys (vkeys).

A note is its text (ending in a newline), a blank line, then signature lines
`— <name> base64(key id ‖ signature)`. A key is known by the pair (name, key id); the key id is
SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4], type 0x01 for note signatures and 0x04 for
tlog-cosignature/v1 cosignatures. Base64 is the standard alphabet with padding and nothing
else: a value is accepted only in its one canonical spelling, so that this module and the page
(web/verifier/src/note.js) agree on every input.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from credentials._merkle import TransparencyError
from credentials.errors import KeyFormatError
from credentials.keys import PublicKey, SigningKey

__all__ = [
    "COSIGNATURE_V1",
    "ED25519",
    "MAX_NOTE_BYTES",
    "MAX_SIGNATURES",
    "NoteKey",
    "NoteSigner",
    "Signature",
    "b64decode",
    "parse_vkey",
    "split_note",
    "verify_note",
]

ED25519: Final = 0x01
COSIGNATURE_V1: Final = 0x04
_TYPES: Final = (ED25519, COSIGNATURE_V1)
# The spec asks verifiers to accept at least 16 signatures and to bound them; a checkpoint with
# its log signature and a few cosignatures is a few hundred bytes.
MAX_SIGNATURES: Final = 100
MAX_NOTE_BYTES: Final = 64 * 1024
_DASH: Final = "\u2014 "
# No spaces and no '+' in a key name. The spaces are listed (the union of what Python's and
# JavaScript's `\s` match) so that the page (web/verifier/src/note.js) tests the same set.
_NAME: Final = re.compile(
    "[^\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff+]+"
)
_CONTROL: Final = re.compile(r"[\x00-\x09\x0b-\x1f]")
_B64: Final = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_HEX8: Final = re.compile(r"[0-9a-f]{8}")


def b64decode(text: str, code: str, what: str) -> bytes:
    """Decode standard, padded, canonical base64 (re-encoding gives `text` back) or raise."""
    if not _B64.fullmatch(text):
        raise TransparencyError(code, f"{what} is not standard base64")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise TransparencyError(code, f"{what} is not standard base64") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise TransparencyError(code, f"{what} is not in canonical base64")
    return raw


def _key_id(name: str, signature_type: int, public_key: bytes) -> bytes:
    prefix = name.encode("utf-8") + b"\n" + bytes([signature_type])
    return hashlib.sha256(prefix + public_key).digest()[:4]


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise TransparencyError(
            "NOTE_KEY_NAME_INVALID", "a key name is non-empty, without spaces or '+'"
        )
    return name


@dataclass(frozen=True, slots=True)
class NoteKey:
    """A verifier key: name, Ed25519 public key, signature type (0x01 note, 0x04 cosignature)."""

    name: str
    public_key: PublicKey
    signature_type: int = ED25519

    def __post_init__(self) -> None:
        _check_name(self.name)
        if self.signature_type not in _TYPES:
            raise TransparencyError("VKEY_TYPE_UNSUPPORTED", "only Ed25519 keys (0x01, 0x04)")

    @property
    def key_id(self) -> bytes:
        """The 4-byte key id of signed-note."""
        return _key_id(self.name, self.signature_type, self.public_key.raw)

    @property
    def vkey(self) -> str:
        """The text form `name+hex(key id)+base64(type ‖ public key)`."""
        material = base64.b64encode(bytes([self.signature_type]) + self.public_key.raw)
        return f"{self.name}+{self.key_id.hex()}+{material.decode('ascii')}"


def parse_vkey(text: str) -> NoteKey:
    """The `NoteKey` of a vkey; raises `TransparencyError` (`VKEY_MALFORMED`,
    `VKEY_TYPE_UNSUPPORTED`, `VKEY_ID_MISMATCH`) for anything else."""
    parts = text.split("+", 2) if isinstance(text, str) else []
    if len(parts) != 3:
        raise TransparencyError("VKEY_MALFORMED", "a vkey is name+keyid+base64(key)")
    name, hex_id, material = parts
    _check_name(name)
    if not _HEX8.fullmatch(hex_id):
        raise TransparencyError("VKEY_MALFORMED", "a vkey's key id is 8 lowercase hex digits")
    raw = b64decode(material, "VKEY_MALFORMED", "a vkey's key")
    if len(raw) != 33 or raw[0] not in _TYPES:
        raise TransparencyError("VKEY_TYPE_UNSUPPORTED", "only Ed25519 vkeys (0x01, 0x04)")
    try:
        key = NoteKey(name, PublicKey(raw[1:]), raw[0])
    except KeyFormatError as exc:
        raise TransparencyError("VKEY_MALFORMED", f"a vkey's key: {exc.message}") from None
    if key.key_id.hex() != hex_id:
        raise TransparencyError("VKEY_ID_MISMATCH", "the vkey's key id does not match its key")
    return key


@dataclass(frozen=True, slots=True)
class Signature:
    """One signature line of a note: key name, key id, the signature bytes after the id."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        sig = base64.b64encode(self.key_id + self.signature).decode("ascii")
        return f"{_DASH}{self.name} {sig}\n"


class NoteSigner:
    """A key name and an Ed25519 private key that sign note texts (type 0x01)."""

    __slots__ = ("_key", "_signing")

    def __init__(self, name: str, signing_key: SigningKey, signature_type: int = ED25519) -> None:
        self._signing = signing_key
        self._key = NoteKey(name, signing_key.public_key, signature_type)

    @property
    def key(self) -> NoteKey:
        return self._key

    def signature(self, message: bytes) -> Signature:
        """The signature line's parts for `message` (the bytes this key type signs)."""
        return Signature(self._key.name, self._key.key_id, self._signing.sign(message))

    def sign(self, text: str) -> str:
        """The signed note of `text` (which must be a valid note text) with this one signature."""
        if self._key.signature_type != ED25519:
            raise TransparencyError("NOTE_SIGNER_TYPE", "a cosigner key does not sign notes")
        _check_text(text)
        return text + "\n" + self.signature(text.encode("utf-8")).line()


def _check_text(text: str) -> None:
    if not text.endswith("\n") or _CONTROL.search(text):
        raise TransparencyError(
            "NOTE_MALFORMED", "a note text ends in a newline and has no control characters"
        )
    if len(text.encode("utf-8", "surrogatepass")) > MAX_NOTE_BYTES:
        raise TransparencyError("NOTE_MALFORMED", f"a note is at most {MAX_NOTE_BYTES} bytes")


def split_note(note: str | bytes) -> tuple[str, list[Signature]]:
    """The text and the signature lines of a note (text, or its UTF-8 bytes), checked for form
    only (nothing verified)."""
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError:
            raise TransparencyError("NOTE_MALFORMED", "a note is valid UTF-8") from None
    if not isinstance(note, str):
        raise TransparencyError("NOTE_MALFORMED", "a note is text")
    _check_text(note)
    try:
        note.encode("utf-8")
    except UnicodeEncodeError:
        raise TransparencyError("NOTE_MALFORMED", "a note is valid UTF-8") from None
    cut = note.rfind("\n\n")
    if cut < 0:
        raise TransparencyError("NOTE_MALFORMED", "a note has a blank line before its signatures")
    text, lines = note[: cut + 1], note[cut + 2 :].split("\n")[:-1]
    if not lines:
        raise TransparencyError("NOTE_MALFORMED", "a note has at least one signature")
    if len(lines) > MAX_SIGNATURES:
        raise TransparencyError("NOTE_MALFORMED", f"a note has at most {MAX_SIGNATURES} signatures")
    return text, [_signature_line(line) for line in lines]


def _signature_line(line: str) -> Signature:
    if not line.startswith(_DASH):
        raise TransparencyError("NOTE_MALFORMED", "a signature line starts with '— '")
    name, sep, sig = line[len(_DASH) :].rpartition(" ")
    if not sep:
        raise TransparencyError("NOTE_MALFORMED", "a signature line is '— name signature'")
    _check_name(name)
    raw = b64decode(sig, "NOTE_MALFORMED", "a note signature")
    if len(raw) < 5:
        raise TransparencyError("NOTE_MALFORMED", "a note signature is a key id and a signature")
    return Signature(name, raw[:4], raw[4:])


def verify_note(note: str | bytes, keys: Iterable[NoteKey]) -> tuple[str, list[NoteKey]]:
    """The text of `note` and the keys of `keys` (type 0x01) whose signatures on it verify.

    Signatures by keys not in `keys` (another name or another key id: a cosigner, a rotated log
    key) are ignored, as signed-note requires. Raises `TransparencyError`: `NOTE_MALFORMED` for
    a note that is not one, `NOTE_SIGNATURE_INVALID` when a signature of a known key fails (the
    whole note is refused), `NOTE_UNTRUSTED` when no known key signed it.
    """
    text, signatures = split_note(note)
    known = {(k.name, k.key_id): k for k in keys if k.signature_type == ED25519}
    signers: list[NoteKey] = []
    message = text.encode("utf-8")
    for sig in signatures:
        key = known.get((sig.name, sig.key_id))
        if key is None or key in signers:
            continue
        if not key.public_key.verify(message, sig.signature):
            raise TransparencyError(
                "NOTE_SIGNATURE_INVALID", f"the signature of {key.name} does not verify"
            )
        signers.append(key)
    if not signers:
        raise TransparencyError("NOTE_UNTRUSTED", "no signature by a trusted key")
    return text, signers
