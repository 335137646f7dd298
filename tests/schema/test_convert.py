"""`from_model`: GraphQL objects filled by field name or declared path, with nested types, enums
and dates converted, from dataclasses and documents alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

import strawberry

from schema.catalogue import Level
from schema.certificates import CertificateStatus
from schema.convert import from_model, source


@strawberry.enum
class Colour(Enum):
    RED = "RED"


@strawberry.type
class Inner:
    code: str = source("raw_code")


@strawberry.type
class Outer:
    name: str
    level: Level
    status: CertificateStatus = source("revoked")
    colour: Colour | None
    on: dt.date
    count: int = source("counts.total")
    inner: list[Inner]
    missing: str | None = source("nothing.here")


@dataclass
class RawInner:
    raw_code: str


@dataclass
class Model:
    name: str
    level: int
    revoked: bool
    colour: str | None
    on: dt.date
    counts: dict[str, int]
    inner: tuple[RawInner, ...]
    nothing: None = None


def test_a_dataclass_and_a_document_give_the_same_object() -> None:
    model = Model("a", 2, True, "RED", dt.date(2024, 5, 1), {"total": 3}, (RawInner("x"),))
    document = {
        "name": "a",
        "level": 2,
        "revoked": True,
        "colour": "RED",
        "on": "2024-05-01",
        "counts": {"total": 3},
        "inner": [{"raw_code": "x"}],
    }
    for source_ in (model, document):
        got = from_model(Outer, source_)
        assert got.level is Level.INTERMEDIATE and got.status is CertificateStatus.REVOKED
        assert got.colour is Colour.RED and got.on == dt.date(2024, 5, 1) and got.count == 3
        assert [i.code for i in got.inner] == ["x"] and got.missing is None
    assert from_model(Outer, document) == from_model(Outer, model)


def test_overrides_win_and_none_stays_none() -> None:
    model = Model("a", 1, False, None, dt.date(2024, 5, 1), {"total": 0}, ())
    got = from_model(Outer, model, name="b")
    assert got.name == "b" and got.colour is None and got.status is CertificateStatus.VALID
    assert got.level is Level.JUNIOR and got.inner == []
