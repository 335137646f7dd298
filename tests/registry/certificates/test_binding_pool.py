"""Holder bindings of a submission run in a bounded pool (issue 14, item 9): a large batch queues
its Argon2id work on half the cores at most, leaving the others to the look-ups."""

from __future__ import annotations

import os
import random
import threading

from credentials import binding
from registry.certificates import submission
from tests.factories import make_id_number


def _binding_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name.startswith("binding"))


async def test_bindings_use_at_most_half_the_cores() -> None:
    cores = os.cpu_count() or 2
    rng = random.Random(9)
    numbers = [make_id_number(rng) for _ in range(4 * cores)]
    made = await submission.commitments(numbers)
    # Every row got its own commitment, and it checks against its own number only.
    assert len(made) == len(numbers)
    assert binding.check(made[0], numbers[0]).ok
    assert not binding.check(made[0], numbers[1]).ok
    # However many rows were queued, the pool never grew past its bound.
    assert _binding_threads() <= submission.BINDING_THREADS == max(1, cores // 2)
