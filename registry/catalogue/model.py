"""What the office edits in the catalogue: how complete an entry is, the edit actions, and how the
audited store names occupations and standards."""

from __future__ import annotations

from enum import StrEnum

from registry.storage.collections import Collection
from registry.storage.kind import Kind


class Completeness(StrEnum):
    """How much of a value the catalogue holds: stated in the data, never guessed from it."""

    COMPLETE = "COMPLETE"  # everything the official text has is entered
    INCOMPLETE = "INCOMPLETE"  # some of it is entered; the rest is not yet known
    UNKNOWN = "UNKNOWN"  # nothing is entered: not yet published, or not yet read


class CatalogueAction(StrEnum):
    ADD_OCCUPATION = "catalogue.addOccupation"
    EDIT_OCCUPATION = "catalogue.editOccupation"
    ADD_STANDARD = "catalogue.addStandard"
    EDIT_STANDARD = "catalogue.editStandard"


# Audited as "catalogue.occupation.<add|edit>" on "occupation:<primary code>".
OCCUPATION = Kind(
    Collection.OCCUPATIONS, "occupation", "catalogue.occupation", "OCCUPATION_NOT_FOUND", "code"
)
# Audited as "catalogue.standard.<add|edit>" on "standard:<id>".
STANDARD = Kind(Collection.STANDARDS, "standard", "catalogue.standard", "STANDARD_NOT_FOUND", "id")
