"""Opaque global ids: `node(id:)` takes them, every Node type returns them."""

from __future__ import annotations

import base64
import binascii

from resolvers.errors import ArgumentError

_PREFIX = "v1:"
KINDS = frozenset({"Occupation", "Institution", "AssessmentBatch"})


def to_global_id(kind: str, key: str) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{kind}:{key}".encode()).decode().rstrip("=")


def from_global_id(value: str) -> tuple[str, str]:
    try:
        text = base64.urlsafe_b64decode((value + "=" * (-len(value) % 4)).encode("ascii")).decode()
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    kind, _, key = text.removeprefix(_PREFIX).partition(":")
    if not text.startswith(_PREFIX) or kind not in KINDS or not key:
        raise ArgumentError("not a global id of this API", "INVALID_ID", argument="id")
    return kind, key


def batch_key(value: str) -> str:
    """A batch is named by its global id or, as before, by its raw id (`bat_…`)."""
    if value.startswith("bat_"):
        return value
    kind, key = from_global_id(value)
    if kind != "AssessmentBatch":
        raise ArgumentError("this id is not an assessment batch", "INVALID_ID", argument="batchId")
    return key
