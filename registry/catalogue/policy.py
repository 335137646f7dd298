"""Who may change the catalogue: the one access rule of its edits.

Only the programme office edits the reference data. Reading needs no decision: the catalogue
is public, and so is every version of it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from registry.access.auth import Principal, Role
from registry.access.policy import Decision, Rule, rule
from registry.catalogue.model import CatalogueAction

OFFICE = frozenset({Role.OFFICE_ADMIN})

RULES: dict[CatalogueAction, Rule] = {
    CatalogueAction.ADD_OCCUPATION: rule(OFFICE),
    CatalogueAction.EDIT_OCCUPATION: rule(OFFICE),
    CatalogueAction.ADD_STANDARD: rule(OFFICE),
    CatalogueAction.EDIT_STANDARD: rule(OFFICE),
}


def decide(
    principal: Principal, action: CatalogueAction, resource: Mapping[str, Any] | None = None
) -> Decision:
    """Whether `principal` may do `action` to the catalogue (on `resource` when given)."""
    return RULES[action](principal, action, resource)
