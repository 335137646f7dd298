"""Transition tables: which action moves a record from which states to which, and who may ask.

Every workflow declares its moves as one `TransitionTable`; the store applies them
(`registry.storage.store.apply_transition`) and the policy layer reads the roles from them, so a
move is written down once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from registry.access.auth import Role
from registry.problems import Rejected, id_number_out_of_place, reject

S = TypeVar("S", bound=StrEnum)
A = TypeVar("A", bound=StrEnum)


@dataclass(frozen=True)
class Transition(Generic[A, S]):
    """`action` moves a record in any of `sources` to `target`; `roles` may ask for it."""

    action: A
    sources: frozenset[S]
    target: S
    roles: frozenset[Role]
    summary: str
    reason_required: bool = False


def transition(
    action: A,
    sources: Iterable[S],
    target: S,
    roles: Iterable[Role],
    summary: str,
    *,
    reason: bool = False,
) -> Transition[A, S]:
    return Transition(action, frozenset(sources), target, frozenset(roles), summary, reason)


class TransitionTable(Generic[A, S]):
    """The moves of one workflow, keyed by action. `what` names the record in messages."""

    def __init__(self, what: str, moves: Iterable[Transition[A, S]]) -> None:
        self.what = what
        self._moves: dict[A, Transition[A, S]] = {}
        for move in moves:
            if move.action in self._moves:
                raise ValueError(f"{what}: action {move.action} declared twice")
            self._moves[move.action] = move

    def __getitem__(self, action: A) -> Transition[A, S]:
        return self._moves[action]

    def __iter__(self) -> Iterator[Transition[A, S]]:
        return iter(self._moves.values())

    def __len__(self) -> int:
        return len(self._moves)

    def check(self, action: A, current: S, *, field: str = "status") -> Transition[A, S]:
        """The move for `action` from `current`, or `ILLEGAL_TRANSITION` naming what it needs."""
        move = self._moves[action]
        if current not in move.sources:
            raise illegal(self.what, move, current, field=field)
        return move

    def actions_from(self, current: S) -> list[A]:
        """Every action that may start from `current`, in declaration order."""
        return [m.action for m in self._moves.values() if current in m.sources]


def illegal(what: str, move: Transition[A, S], current: str, *, field: str) -> Rejected:
    needs = " or ".join(sorted(s.value for s in move.sources))
    return reject(
        field,
        "ILLEGAL_TRANSITION",
        f"cannot {move.action}: the {what} is {current} ({move.action} needs {needs})",
    )


MAX_REASON = 2000


def clean_reason(raw: str | None, needs: str) -> str:
    """The reason a move records, stripped; `REASON_REQUIRED` when it is empty or longer than
    `MAX_REASON`, `ID_NUMBER_OUT_OF_PLACE` when it holds what may be an ID number (a reason is
    kept, and a revocation's is public). `needs`: what the message says needs it."""
    text = (raw or "").strip()
    if not text or len(text) > MAX_REASON:
        raise reject(
            "reason", "REASON_REQUIRED", f"{needs} needs a reason (1-{MAX_REASON} characters)"
        )
    if wrong := id_number_out_of_place("reason", text):
        raise Rejected([wrong])
    return text
