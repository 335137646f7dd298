"""The hand-written acceptance (`credentials._acceptance.accepts`) is the JSON Schema's.

`validate_certificate` skips jsonschema when `accepts` says a document is valid. These
properties mutate genuine certificates (replace any value by a near miss or an arbitrary value,
delete a member, add one) and check: on plain JSON documents (`is_plain_json`) the two accept
exactly the same documents; on any other document the fast check never accepts what jsonschema
refuses (it may send a document the schema accepts, such as a float 19.0 for an integer, to
jsonschema); and genuine certificates are accepted (else the fast path would be useless).
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credentials import _acceptance, _schema, certificate
from credentials._jcs import is_plain_json
from credentials.certificate import Level, build_certificate, validate_certificate
from tests.credentials._support import (
    SAMPLE_STATUS,
    certificate_number,
    json_values,
    paths,
    sample_certificate,
    sample_claims,
)


def _schema_errors(doc: Any) -> list[Any]:
    return list(certificate._validator().iter_errors(doc))


def _agree(doc: Any) -> None:
    """On plain JSON, accepted exactly when the schema accepts; else never more often."""
    schema_accepts = _schema_errors(doc) == []
    if is_plain_json(doc):
        assert accepts(doc) is schema_accepts
    elif accepts(doc):
        assert schema_accepts


accepts = _acceptance.accepts


def _near_misses(value: Any) -> list[Any]:
    """Values that a sloppy check might confuse with `value`."""
    out: list[Any] = [None, True, False, 0, 1, 1.0, 19.0, "", " ", [], {}, "x" * 101]
    if isinstance(value, str):
        out += [
            value + "\n",
            value + " ",
            " " + value,
            value[:-1],
            value + value[-1:],
            value.upper(),
            value.lower(),
            value.replace("Z", "z"),
            value[:-1] + "\x00",
            "x" * 2001,
        ]
    if isinstance(value, bool):
        out.append(not value)
    elif isinstance(value, int):
        out += [value + 1, value - 1, float(value), str(value), value * 1024, -value]
    if isinstance(value, list):
        out += [value[:-1], [*value, value[-1] if value else "x"], list(reversed(value))]
        out += [tuple(value)]
    if isinstance(value, dict):
        out += [{**value, "extra": 1}, {k: v for k, v in list(value.items())[1:]}]
    return out


_GENUINE = [
    sample_certificate(),
    sample_certificate(direction=None),
    sample_certificate(
        level=Level.SENIOR,
        certificate_number=certificate_number(level=3, field="10"),
        field_code="10",
    ),
    build_certificate(
        sample_claims(),
        binding=sample_certificate()["credentialSubject"]["holderBinding"],
        status=SAMPLE_STATUS,
    ),
]


def test_the_fast_path_is_on_for_the_shipped_schema() -> None:
    raw = _schema.read("schemas", "certificate.schema.json").encode("utf-8")
    assert hashlib.sha256(raw).hexdigest() == _acceptance._SCHEMA_SHA256
    assert _acceptance.plan() is not None


def test_genuine_certificates_are_accepted() -> None:
    for doc in _GENUINE:
        assert accepts(doc)
        assert _schema_errors(doc) == []
        assert validate_certificate(doc) == []


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_replaced_value_is_accepted_exactly_when_the_schema_accepts_it(
    data: st.DataObject,
) -> None:
    doc = copy.deepcopy(data.draw(st.sampled_from(_GENUINE)))
    path, old = data.draw(st.sampled_from(paths(doc)))
    new = data.draw(st.sampled_from(_near_misses(old)) | json_values(max_leaves=4))
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = new
    _agree(doc)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_removed_or_added_member_is_accepted_exactly_when_the_schema_accepts_it(
    data: st.DataObject,
) -> None:
    doc = copy.deepcopy(data.draw(st.sampled_from(_GENUINE)))
    objects = [((), doc)] + [(p, v) for p, v in paths(doc) if isinstance(v, dict)]
    _, target = data.draw(st.sampled_from(objects))
    if data.draw(st.booleans()) and target:
        del target[data.draw(st.sampled_from(sorted(target)))]
    else:
        target[data.draw(st.text(max_size=12))] = data.draw(json_values(max_leaves=2))
    _agree(doc)


@settings(deadline=None)
@given(json_values(max_leaves=10))
def test_arbitrary_json_is_not_accepted(value: Any) -> None:
    _agree(value)
