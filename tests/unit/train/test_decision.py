"""The early-stopping / best-checkpoint rule and the per-rank batch plan, as pure functions."""
from __future__ import annotations

import math

import numpy as np
import pytest

from gazebench.train.decision import Decision, decide
from gazebench.train.driver import rank_batches


def test_max_mode_improves_only_beyond_min_delta_and_stops_after_patience() -> None:
    assert decide(0.6, None, 0, patience=2) == Decision(True, 0, False)  # the first score is the best so far
    assert decide(0.7, 0.6, 1, patience=2) == Decision(True, 0, False)
    assert decide(0.6, 0.6, 0, patience=2) == Decision(False, 1, False)  # a tie is not better
    assert decide(0.65, 0.6, 1, min_delta=0.1, patience=2) == Decision(False, 2, True)


def test_min_mode_is_for_losses() -> None:
    assert decide(0.5, 0.6, 3, mode="min", min_delta=1e-4, patience=5) == Decision(True, 0, False)
    assert decide(0.59995, 0.6, 0, mode="min", min_delta=1e-4, patience=1) == Decision(False, 1, True)
    assert decide(0.7, 0.6, 0, mode="min").improved is False


def test_nan_never_improves_no_validation_always_does() -> None:
    assert decide(math.nan, None, 0, patience=1) == Decision(False, 1, True)
    assert decide(None, 0.9, 4, patience=1) == Decision(True, 0, False)  # keep the last epoch
    assert decide(0.1, 0.9, 10).stop is False  # no patience: never stop early
    with pytest.raises(ValueError, match="mode"):
        decide(0.1, 0.2, 0, mode="best")


@pytest.mark.parametrize(("n", "batch", "world"), [(32, 16, 2), (10, 4, 2), (11, 6, 3), (7, 4, 4)])
def test_ranks_together_see_each_global_batch(n: int, batch: int, world: int) -> None:
    order = np.random.default_rng(n).permutation(n)
    plans = [rank_batches(order, batch, world, r) for r in range(world)]
    assert len({len(p) for p in plans}) == 1  # every rank runs as many steps
    padded = np.resize(order, -(-n // world) * world)  # wrapped to a multiple of world
    for k, shares in enumerate(zip(*plans, strict=True)):
        assert len({len(s) for s in shares}) == 1
        assert sorted(np.concatenate(shares)) == sorted(padded[k * batch:(k + 1) * batch])
    if n % world == 0:  # nothing wrapped: exactly the one-process batches
        assert [list(b) for b in rank_batches(order, batch, 1, 0)] == [
            list(order[k:k + batch]) for k in range(0, n, batch)]


def test_small_trailing_batches_are_dropped_on_every_rank() -> None:
    order = np.arange(10)
    assert [len(b) for b in rank_batches(order, 4, 1, 0, min_batch=2)] == [4, 4, 2]
    assert [len(b) for b in rank_batches(order, 4, 2, 1, min_batch=2)] == [2, 2]  # last share of 1 dropped
    assert [len(b) for b in rank_batches(np.arange(9), 4, 1, 0, min_batch=2)] == [4, 4]
