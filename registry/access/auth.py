"""Who is calling: roles and the principal a bearer token stands for."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    TRAINING_INSTITUTION = "TRAINING_INSTITUTION"
    EVALUATION_INSTITUTION = "EVALUATION_INSTITUTION"
    PROVINCIAL_REVIEWER = "PROVINCIAL_REVIEWER"
    CETTIC_REVIEWER = "CETTIC_REVIEWER"
    OFFICE_ADMIN = "OFFICE_ADMIN"
    # An industry ministry's HR office (行业主管部门人事部门, notice 四(四)): recommends the
    # applications sent through its sector, within the sector's fields.
    MINISTRY_RECOMMENDER = "MINISTRY_RECOMMENDER"


INSTITUTION_ROLES = frozenset({Role.TRAINING_INSTITUTION, Role.EVALUATION_INSTITUTION})


@dataclass(frozen=True)
class Principal:
    """An authenticated caller, or the public (`role is None`).

    `institution` (a unified social credit code) is set exactly for the institution roles,
    `province` (two digits) exactly for PROVINCIAL_REVIEWER, `sector` (a sector code of
    `registry.institutions.sectors`) exactly for MINISTRY_RECOMMENDER.
    """

    role: Role | None
    name: str
    token_id: str | None = None
    institution: str | None = None
    province: str | None = None
    sector: str | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.role is None

    @property
    def actor(self) -> str:
        """How the audit log names this caller: never the token itself."""
        if self.role is None:
            return "public"
        scope = self.institution or self.province or self.sector or ""
        return f"{self.role.value}:{self.token_id}" + (f"@{scope}" if scope else "")


ANONYMOUS = Principal(role=None, name="public")
SYSTEM = Principal(role=Role.OFFICE_ADMIN, name="system", token_id="system")  # noqa: S106
