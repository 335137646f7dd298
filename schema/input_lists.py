"""The lists in an argument's value, measured against their bounds before anything runs: each list
no longer than the bound of the argument or input field holding it (`schema/list_bounds.py`), and
the rows it gives (items of lists of input objects: a batch's results, a cohort's trainees), at any
depth, literal or in variables alike."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from graphql import (
    GraphQLInputObjectType,
    GraphQLList,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
    get_named_type,
    get_nullable_type,
)

from schema.list_bounds import DEFAULT_MAX_ITEMS


class ListTooLong(Exception):
    """A list longer than its bound: `where` is the schema coordinate of the list."""

    def __init__(self, where: str, limit: int, given: int) -> None:
        super().__init__(f"`{where}` takes at most {limit} items ({given} given)")
        self.where = where
        self.limit = limit
        self.given = given


@lru_cache(maxsize=512)
def holds_lists(value_type: Any, seen: frozenset[str] = frozenset()) -> bool:
    """Whether a value of this input type can hold a list (so that only those arguments are read,
    and a query whose variables fill only other arguments stays cacheable by its text)."""
    if isinstance(get_nullable_type(value_type), GraphQLList):
        return True
    named = get_named_type(value_type)
    if not isinstance(named, GraphQLInputObjectType) or named.name in seen:
        return False
    inner = seen | {named.name}
    return any(holds_lists(f.type, inner) for f in named.fields.values())


def _items(value: Any) -> list[Any] | tuple[Any, ...] | None:
    """The items of a list value (AST or JSON); a single value is coerced to a list of one."""
    if value is None or isinstance(value, NullValueNode):
        return None
    if isinstance(value, ListValueNode):
        return value.values
    return value if isinstance(value, list | tuple) else [value]


def _fields(value: Any) -> Mapping[str, Any]:
    if isinstance(value, ObjectValueNode):
        return {f.name.value: f.value for f in value.fields}
    return value if isinstance(value, dict) else {}


def rows(
    value: Any, value_type: Any, where: str, bounds: Mapping[str, int], read: Callable[[Any], Any]
) -> int:
    """The rows in `value` (of `value_type`, at the argument or input field `where`), after
    checking every list in it against its bound; raises `ListTooLong` at the first too long.
    `read` gives a variable's value, and is called only where a list may be."""
    value = read(value)
    nullable = get_nullable_type(value_type)
    if isinstance(nullable, GraphQLList):
        items = _items(value)
        if items is None:
            return 0
        limit = bounds.get(where, DEFAULT_MAX_ITEMS)
        if len(items) > limit:
            raise ListTooLong(where, limit, len(items))
        item_type = nullable.of_type
        own = len(items) if isinstance(get_nullable_type(item_type), GraphQLInputObjectType) else 0
        if not holds_lists(item_type):
            return own  # nothing inside to check: the length is all (95,000 enums cost no walk)
        return own + sum(rows(item, item_type, where, bounds, read) for item in items)
    if not isinstance(nullable, GraphQLInputObjectType):
        return 0
    given = _fields(value)
    return sum(
        rows(given[name], field.type, f"{nullable.name}.{name}", bounds, read)
        for name, field in nullable.fields.items()
        if name in given and holds_lists(field.type)
    )
