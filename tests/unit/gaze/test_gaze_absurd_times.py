"""One absurd timestamp (1e15 s) must not stretch the temporal windows until every fixation falls into the
first: it is dropped and counted, and the targets are those of the scanpath without it."""
from __future__ import annotations

import numpy as np
import pytest

from gazebench.gaze.targets import TARGET_METHODS, ordered_targets, ordered_targets_batch
from gazebench.records import Fixations

T0 = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
X = np.array([10.0, 90.0, 10.0, 90.0, 50.0])
Y = np.array([10.0, 10.0, 90.0, 90.0, 50.0])


@pytest.mark.parametrize("method", TARGET_METHODS)
@pytest.mark.parametrize("where", ["end", "start", "negative start"])
def test_one_absurd_time_does_not_collapse_the_targets(method: str, where: str) -> None:
    t0, t1 = T0.copy(), T0 + 0.9
    if where == "end":
        t1[4] = 1e15
    elif where == "start":
        t0[4] = 1e15
    else:
        t0[4] = -1e15
    got = ordered_targets(Fixations(t0, t1, X, Y), (100, 100), (4, 4), method=method)
    clean = ordered_targets(Fixations(T0[:4], T0[:4] + 0.9, X[:4], Y[:4]), (100, 100), (4, 4), method=method)
    assert got.tolist() == clean.tolist() == [0, 3, 12, 15]


def test_absurd_times_are_counted_per_scanpath_and_clock_offsets_are_fine() -> None:
    t0 = np.concatenate([T0, T0 + 1.7e9])  # the second scanpath on an epoch clock: nothing absurd about it
    t1 = t0 + 0.9
    t1[2] = 1e15
    batch = ordered_targets_batch(t0, t1, np.tile(X, 2), np.tile(Y, 2), [0, 5, 10], (100, 100), (4, 4))
    assert batch.n_nan_time.tolist() == [1, 0]
    assert len(set(batch.targets[1].tolist())) == 4
