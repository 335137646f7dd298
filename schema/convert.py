"""GraphQL objects from domain models, by one mechanism: `from_model(Type, source, **overrides)`.

Each field of the strawberry type (not those with a resolver) is taken from `source` (an
attribute of a dataclass, or a key of a document: absent reads as None) by its Python name, or by
the path the field declares with `source("institution")` / `source("counts.results")`, unless
`overrides` gives it; a value is converted to what the field declares: a nested strawberry type (from its model, the
same way), a list or an optional of one, an enum (from its value, or from another enum with the
same values), a date (from ISO text). Per type, the plan is made once, at first use, so a call
costs a loop over its fields.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import keyword
from collections.abc import Callable, Hashable
from enum import Enum
from typing import Any, TypeVar, cast

import strawberry
from strawberry.types.base import StrawberryList, StrawberryOptional
from strawberry.types.enum import StrawberryEnumDefinition

T = TypeVar("T")
Convert = Callable[[Any], Any]


SOURCE = "source"  # the metadata key of a field's path in its model


def source(path: str, **field: Any) -> Any:
    """A strawberry field that `from_model` fills from `path` of the model (dotted for a nested
    key), not from its own name; `field` as for `strawberry.field`."""
    return strawberry.field(metadata={SOURCE: tuple(path.split("."))}, **field)


def private_source(path: str) -> Any:
    """The same for a `strawberry.Private` field (never shown, kept for resolvers)."""
    return dataclasses.field(metadata={SOURCE: tuple(path.split("."))})


def converter(target: type[T] | Callable[[Any], T]) -> Callable[[Any], T]:
    """`target` itself if it is a function; for a strawberry type, `from_model` into it."""
    if hasattr(target, "__strawberry_definition__"):
        return functools.partial(from_model, target)  # type: ignore[arg-type]
    return target


def from_model(cls: type[T], model: Any, **overrides: Any) -> T:
    """An instance of the strawberry type `cls` filled from `model` (see the module's doc)."""
    if not overrides:
        build = _BUILDERS.get(cls) or _compile(cls)
        return build(model)  # type: ignore[no-any-return]
    values = overrides
    for name, path, convert in _plan(cast(Hashable, cls)):
        if name not in values:
            value = _read(model, path)
            values[name] = value if convert is None or value is None else convert(value)
    return cls(**values)


_BUILDERS: dict[type, Callable[[Any], Any]] = {}


def _compile(cls: type) -> Callable[[Any], Any]:
    """`from_model` without overrides, compiled once per type (as `dataclasses` compiles
    `__init__`): a certificate look-up converts at the cost of a hand-written constructor call."""
    env: dict[str, Any] = {"cls": cls, "_read": _read}
    by_key, by_attribute = [], []
    for i, (name, path, convert) in enumerate(_plan(cls)):
        key = path[0]
        if len(path) > 1:
            read_key = read_attribute = f"_read(model, {path!r})"
        else:
            read_key = f"get({key!r})"
            plain = key.isidentifier() and not keyword.iskeyword(key)
            read_attribute = f"model.{key}" if plain else f"getattr(model, {key!r})"
        if convert is not None:
            env[f"_c{i}"] = convert
            template = "(_c{i}(_v) if (_v := {read}) is not None else None)"
            if convert is _date:
                template = "(_v if (_v := {read}).__class__ is not str else _c{i}(_v))"
            elif hasattr(convert, "known"):  # an enum: its inputs seen so far, looked up inline
                env[f"_k{i}"] = convert.known
                template = (
                    "(_k{i}[_v] if (_v := {read}) in _k{i} else _v if _v is None else _c{i}(_v))"
                )
            read_key, read_attribute = (
                template.format(read=read, i=i) for read in (read_key, read_attribute)
            )
        by_key.append(f"{name}={read_key}")
        by_attribute.append(f"{name}={read_attribute}")
    source = (
        "def build(model):\n"
        "    if isinstance(model, dict):\n"
        "        get = model.get\n"
        f"        return cls({', '.join(by_key)})\n"
        f"    return cls({', '.join(by_attribute)})\n"
    )
    exec(source, env)  # noqa: S102 - built from field names of our own types, not from input
    build: Callable[[Any], Any] = env["build"]
    _BUILDERS[cls] = build
    return build


def _read(model: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if model is None:
            return None  # a missing part of the path reads as None
        model = model.get(key) if isinstance(model, dict) else getattr(model, key)
    return model


@functools.cache
def _plan(cls: Any) -> tuple[tuple[str, tuple[str, ...], Convert | None], ...]:
    declared = {f.python_name: f.type for f in cls.__strawberry_definition__.fields}
    return tuple(
        (f.name, f.metadata.get(SOURCE, (f.name,)), _converter(declared.get(f.name)))
        for f in dataclasses.fields(cls)
        if f.init
    )


def _converter(declared: Any) -> Convert | None:
    if isinstance(declared, StrawberryOptional):
        return _converter(declared.of_type)
    if isinstance(declared, StrawberryList):
        inner = _converter(declared.of_type)
        return list if inner is None else (lambda values: [inner(v) for v in values])
    if isinstance(declared, StrawberryEnumDefinition):
        return _enum(cast(type[Enum], declared.wrapped_cls))
    if hasattr(declared, "__strawberry_definition__"):
        return lambda value: value if isinstance(value, declared) else from_model(declared, value)
    if declared is dt.date:
        return _date
    return None


def _date(value: Any) -> Any:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _enum(kind: type[Enum]) -> Convert:
    # Remembered per value: calling an enum class (and its `_missing_`) costs microseconds, and
    # an enum's inputs are few (its members, their values, another enum's members).
    known: dict[Any, Any] = {m: m for m in kind}

    def convert(value: Any) -> Any:
        found = known.get(value)
        if found is None:
            found = known[value] = kind(value.value if isinstance(value, Enum) else value)
        return found

    convert.known = known  # type: ignore[attr-defined]  # read inline by compiled builders
    return convert
