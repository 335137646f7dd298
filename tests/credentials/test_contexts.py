"""Every term of every credential the registry signs is defined by the contexts it names.

Each credential type is expanded by PyLD, a JSON-LD 1.1 processor, in safe mode: a property
the contexts do not define (and that expansion would silently drop) fails the expansion, and
so does a `type` that expands to no absolute IRI. The document loader is offline and knows only
the contexts the repository ships: the registry's (`credentials/contexts/`) and the W3C
credentials v2 context (`tests/vectors/w3c-credentials-v2/`, byte for byte the one the VC 2.0
Recommendation pins by its SHA-256). The trust bundle is plain JSON, not JSON-LD (it has no
`@context`), so it is not expanded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pytest
from pyld import jsonld

from credentials import (
    CeEntryClaims,
    CeRecordClaims,
    Level,
    StatusList,
    binding,
    issue_ce_record,
    status_list_credential,
)
from credentials.certificate import CONTEXT_URL, VC_CONTEXT, load_context

from ._support import FAST_PARAMS, FIXED_SALT, HOLDER_ID, issuer_key, sample_certificate

W3C_V2 = Path(__file__).resolve().parents[1] / "vectors" / "w3c-credentials-v2" / "v2.jsonld"
# The digest the VC Data Model 2.0 Recommendation (2025-05-15, section B.1) gives for the context.
W3C_V2_SHA256 = "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734"
WHEN = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)


class Dropped(Exception):
    """Safe mode: expansion would have dropped a term."""


# No base IRI: an undefined type stays a relative reference, which `expand_safely` refuses (with
# PyLD's default base it would silently become http://example.org/base/<type>).
OPTIONS: Final[dict[str, Any]] = {"documentLoader": None, "base": None}


def _contexts() -> dict[str, Any]:
    return {VC_CONTEXT: json.loads(W3C_V2.read_text("utf-8")), CONTEXT_URL: load_context()}


def _offline_loader(url: str, options: dict[str, Any]) -> dict[str, Any]:
    known = _contexts()
    if url not in known:
        raise Dropped(f"the offline loader has no document {url}")
    return {"contextUrl": None, "documentUrl": url, "document": known[url]}


OPTIONS["documentLoader"] = _offline_loader


def _refuse(term: str | None) -> None:
    raise Dropped(f"the term {term!r} is not defined by the credential's contexts")


def _types(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        found = node.get("@type", [])
        # A node's types are a list; a value object's datatype is one string.
        yield from [found] if isinstance(found, str) else found
        for value in node.values():
            yield from _types(value)
    elif isinstance(node, list):
        for item in node:
            yield from _types(item)


def expand_safely(document: dict[str, Any]) -> list[Any]:
    """The expanded form of `document`; `Dropped` when a term or a type is undefined."""
    expanded: list[Any] = jsonld.expand(document, OPTIONS, on_property_dropped=_refuse)
    for type_iri in _types(expanded):
        if type_iri != "@json" and ":" not in type_iri:
            raise Dropped(f"the type {type_iri!r} expands to no absolute IRI")
    return expanded


def ce_record() -> dict[str, Any]:
    entry = CeEntryClaims(
        training_certificate="P440012262030000421",
        institution_uscc="91350100M000100Y43",
        institution_name="示例数字技术培训学校",
        occupation_code="2-02-10-09",
        occupation_name="人工智能工程技术人员",
        level=Level.INTERMEDIATE,
        hours=48,
        completed_on=dt.date(2026, 6, 30),
        direction="计算机视觉产品实现",
    )
    claims = CeRecordClaims(
        record_id="0" * 32,
        holder_name="张三",
        year=2026,
        entries=(entry,),
        issuer_name="数字技术工程师培育项目登记系统",
        valid_from=WHEN,
    )
    commitment = binding.commit(HOLDER_ID, salt=FIXED_SALT, params=FAST_PARAMS)
    return issue_ce_record(claims, issuer_key(), binding=commitment, created=WHEN)


def status_list() -> dict[str, Any]:
    bits = StatusList()
    bits.set(7)
    url = "https://dte-registry.cn/status/1"
    return status_list_credential(
        url, bits, "https://dte-registry.cn/", issuer_key(), valid_from=WHEN
    )


SIGNED = {
    "certificate": sample_certificate,
    "certificate-without-direction": lambda: sample_certificate(direction=None),
    "continuing-education-record": ce_record,
    "status-list": status_list,
}


def test_the_shipped_w3c_context_is_the_recommendations() -> None:
    assert hashlib.sha256(W3C_V2.read_bytes()).hexdigest() == W3C_V2_SHA256


@pytest.mark.parametrize("kind", sorted(SIGNED))
def test_every_term_expands(kind: str) -> None:
    document = SIGNED[kind]()
    expanded = expand_safely(document)
    # Nothing was lost or changed on the way: compacted back with the same contexts, the
    # expanded form is the document the issuer signed (the proof's copy of @context aside).
    compacted = jsonld.compact(expanded, {"@context": document["@context"]}, OPTIONS)
    assert _without_contexts(compacted) == _without_contexts(document)


def _without_contexts(value: Any) -> Any:
    """`value` without any `@context` member, one-element lists as their element (as JSON-LD
    compaction writes them)."""
    if isinstance(value, dict):
        return {k: _without_contexts(v) for k, v in value.items() if k != "@context"}
    if isinstance(value, list):
        items = [_without_contexts(v) for v in value]
        return items[0] if len(items) == 1 else items
    return value


def test_safe_mode_refuses_an_undefined_term() -> None:
    """The check itself bites: a certificate with a term, or a type, that no context defines."""
    document = sample_certificate()
    document["credentialSubject"]["remark"] = "x"
    with pytest.raises(Dropped, match="remark"):
        expand_safely(document)
    document = sample_certificate()
    document["type"] = ["VerifiableCredential", "SomethingElse"]
    with pytest.raises(Dropped, match="SomethingElse"):
        expand_safely(document)


def test_the_loader_is_offline() -> None:
    with pytest.raises(Dropped, match="no document"):
        _offline_loader("https://example.org/context.jsonld", {})
