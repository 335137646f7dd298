"""Errors raised by `credentials`.

Every error carries a stable machine-readable `code` (callers branch on it, reports print it) and
a human `message`. Messages never contain secrets or personal data: a key, a seed or an ID number
is never echoed back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class CredentialError(Exception):
    """Base class: `code` is stable across releases, `message` is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r})"


class KeyFormatError(CredentialError):
    """A key, Multikey string or did:key identifier that cannot be used."""


class CanonicalizationError(CredentialError):
    """A value that is not JSON (I-JSON) and so has no RFC 8785 canonical form."""


class ProofError(CredentialError):
    """A proof cannot be created (verification reports problems instead of raising)."""


class BindingError(CredentialError):
    """A holder binding cannot be created from the given inputs."""


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    """One JSON Schema violation: `path` is a JSON Pointer (RFC 6901) into the document."""

    path: str
    message: str


class SchemaError(CredentialError):
    """A document does not match its JSON Schema; `problems` lists each violation."""

    def __init__(self, code: str, message: str, problems: Sequence[SchemaProblem] = ()) -> None:
        super().__init__(code, message)
        self.problems = tuple(problems)
