"""CBOR tags are refused before any decoder sees the DTE1 payload.

A tag asks the decoder to build something JSON has no word for, or to rebuild the document from
parts: bignums (2, 3), shared values (28, 29), string references (25, 256), the self-describe
tag (55799), dates, URIs. cbor2 honours these before any hook could refuse them, so a code that
the page refuses (cbor.js reads no tag) was read by Python. This walk goes over the items' heads
only, decodes nothing, and refuses the first tag it meets; whatever else is wrong with the bytes
is left to the decoder that runs after it.
"""

from __future__ import annotations

from typing import Final

from credentials.errors import CredentialError

_ARGUMENT_BYTES: Final = {24: 1, 25: 2, 26: 4, 27: 8}
_INDEFINITE: Final = -1


def _cbor_error(message: str) -> CredentialError:
    return CredentialError("QR_CBOR", f"the code does not hold valid CBOR: {message}")


def refuse_tags(payload: bytes) -> None:
    """Raise `CredentialError` (QR_CBOR) if any item of the CBOR bytes is a tag."""
    pos = 0
    pending = [1]  # items still to come in each open container; -1: until a break
    while pending:
        if pending[-1] == 0:
            pending.pop()
            continue
        if pos >= len(payload):
            raise _cbor_error("truncated CBOR")
        head = payload[pos]
        pos += 1
        if pending[-1] == _INDEFINITE and head == 0xFF:
            pending.pop()
            continue
        if pending[-1] > 0:
            pending[-1] -= 1
        pos = _skip_item(payload, pos, head, pending)


def _skip_item(payload: bytes, pos: int, head: int, pending: list[int]) -> int:
    """Past the head of one item (and a string's bytes); a container's items join `pending`."""
    major, info = head >> 5, head & 0x1F
    if major == 6:
        raise _cbor_error("a CBOR tag is not JSON (DTE1 codes carry none)")
    if major == 7:
        return pos + _ARGUMENT_BYTES.get(info, 0)
    if info == 31:
        if major in (0, 1):
            raise _cbor_error("an integer has no indefinite length")
        pending.append(_INDEFINITE)
        return pos
    if info in _ARGUMENT_BYTES:
        size = _ARGUMENT_BYTES[info]
        if pos + size > len(payload):
            raise _cbor_error("truncated CBOR")
        value = int.from_bytes(payload[pos : pos + size], "big")
        pos += size
    elif info < 24:
        value = info
    else:
        raise _cbor_error("a reserved length")
    if major in (2, 3):
        return pos + value
    if major in (4, 5):
        pending.append(value * (2 if major == 5 else 1))
    return pos
