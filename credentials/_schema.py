"""The one JSON Schema helper for the schemas shipped in `credentials/schemas/` (Draft 2020-12).

Every schema the package applies (certificate, continuing-education record, trust bundle) is
loaded, checked and run here, so the rules that make jsonschema agree with the page's verifier
live in one place: patterns are ECMA-262 (`$` is the end of the string, not "before a final
newline"), formats are checked only by the functions a schema's caller names, and problems are
reported as `SchemaProblem`s with JSON Pointer paths, sorted by path, each message bounded.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Final

import jsonschema
import jsonschema.validators

from credentials.errors import SchemaProblem

__all__ = [
    "compile_pattern",
    "is_date_time",
    "is_uri",
    "load",
    "pointer",
    "problems",
    "read",
    "shorten",
    "validator",
]

MAX_MESSAGE: Final = 300


def read(folder: str, name: str) -> str:
    """The text of a file shipped with the package (`schemas/…`, `contexts/…`)."""
    return resources.files("credentials").joinpath(folder, name).read_text("utf-8")


def load(name: str) -> dict[str, Any]:
    """The shipped schema `schemas/<name>`, parsed."""
    loaded: dict[str, Any] = json.loads(read("schemas", name))
    return loaded


@cache
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """`pattern` compiled with ECMA-262's meaning of a final `$` (`\\Z`): Python's `$` also
    matches before a final newline, which would let "…X\\n" through."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


def _ecma_pattern(
    validator: Any, pattern: str, instance: Any, schema: Mapping[str, Any]
) -> Iterator[jsonschema.ValidationError]:
    if isinstance(instance, str) and not compile_pattern(pattern).search(instance):
        yield jsonschema.ValidationError(f"{shorten(repr(instance))} does not match {pattern!r}")


def validator(name: str, formats: Mapping[str, Callable[[object], bool]]) -> Any:
    """A validator of the shipped schema `name` (checked against its metaschema), with ECMA
    patterns and exactly the given format checks. Build it once per schema (callers cache)."""
    schema = load(name)
    base = jsonschema.validators.validator_for(schema)
    base.check_schema(schema)
    checker = jsonschema.FormatChecker(formats=())
    for format_name, check in formats.items():
        checker.checks(format_name)(check)
    cls = jsonschema.validators.extend(base, {"pattern": _ecma_pattern})
    return cls(schema, format_checker=checker)


def problems(schema_validator: Any, document: Any) -> list[SchemaProblem]:
    """Every violation of `document`, sorted by path; empty when it is valid."""
    return [
        SchemaProblem(pointer(error.absolute_path), shorten(error.message))
        for error in sorted(
            schema_validator.iter_errors(document), key=lambda e: list(map(str, e.path))
        )
    ]


def pointer(path: Any) -> str:
    """The JSON Pointer (RFC 6901) of a jsonschema path; "" is the whole document."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def shorten(text: str) -> str:
    """`text` cut to `MAX_MESSAGE` characters, marked with "..." when cut."""
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 3] + "..."


def is_date_time(value: object) -> bool:
    """The `date-time` format: an RFC 3339 date-time with an offset (the shape is the schemas'
    pattern, the values are checked here). A non-string passes: the schema's `type` refuses it."""
    if type(value) is str:
        return _is_date_time_str(value)
    if not isinstance(value, str):
        return True
    return _is_date_time_str.__wrapped__(value)


@lru_cache(maxsize=4096)
def _is_date_time_str(value: str) -> bool:
    # Remembered per exact string: a batch of credentials repeats the same few instants.
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return parsed.tzinfo is not None


def is_uri(value: object) -> bool:
    """The `uri` format: a scheme and a host. A non-string passes (the schema's `type` decides)."""
    if type(value) is str:
        return _is_uri_str(value)
    if not isinstance(value, str):
        return True
    return _is_uri_str.__wrapped__(value)


@lru_cache(maxsize=1024)
def _is_uri_str(value: str) -> bool:
    try:
        parts = urllib.parse.urlsplit(value)
    except ValueError:
        return False
    return bool(parts.scheme and parts.netloc)
