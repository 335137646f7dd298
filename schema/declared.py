"""What a schema directive declares on a field, argument or input field, read from the built
schema: strawberry keeps the Python definition (and its directives) on each element."""

from __future__ import annotations

from typing import Any, TypeVar

Declaration = TypeVar("Declaration")


def declared(element: Any, kind: type[Declaration]) -> Declaration | None:
    """The directive of class `kind` on a GraphQL field, argument or input field, or None."""
    definition = (element.extensions or {}).get("strawberry-definition")
    for directive in getattr(definition, "directives", None) or ():
        if isinstance(directive, kind):
            return directive
    return None
