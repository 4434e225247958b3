"""Paired approximate randomization (AR) for corpus-level report metrics, as RadEval's `PairedTest` defines it
(Noreen 1989; Riezler & Maxwell 2005): in each trial every item's two outputs are swapped between the systems
with probability 1/2 (`random.Random(seed).random() < 0.5` keeps them, drawn trial by trial, item by item),
the corpus metric is recomputed for both mixed systems, and p is the share of trials whose |B − A| is at least
the observed one (RadEval's count / trials, no +1).

A mixed system needs no re-scoring: the two runs' per-item evidence is stacked (items 0..N−1 system A,
N..2N−1 system B), and a mixed system is an item weighting of the stack (A's item i or B's item i), so any
metric that is a function of item-weighted sums (BLEU's n-gram counts, ROUGE-L and CIDEr-D means, CE counts,
CheXbert counts, BERTScore means) is recomputed exactly. One swap draw serves every metric of a trial; a
single metric's p equals RadEval's on that metric with the same seed.
"""
from __future__ import annotations

import random
from collections.abc import Callable, Sequence

import numpy as np

N_PERMUTATIONS = 10000
"""RadEval's default number of trials."""


def paired_randomization(statistic: Callable[[np.ndarray], dict[str, float]], n: int, names: Sequence[str],
                         n_perm: int = N_PERMUTATIONS, seed: int = 12345) -> dict[str, float | None]:
    """Two-sided AR p-value per metric of B vs A; `statistic` maps (2N,) weights over the stacked items
    (A's N, then B's N) to metric values. None where the observed difference is undefined (a metric not
    computed, or NaN)."""
    rng = random.Random(seed)
    ones, zeros = np.ones(n), np.zeros(n)
    a, b = statistic(np.concatenate([ones, zeros])), statistic(np.concatenate([zeros, ones]))
    nan = float("nan")
    observed = {k: abs(b.get(k, nan) - a.get(k, nan)) for k in names}
    names = [k for k in names if np.isfinite(observed[k])]
    counts: dict[str, int] = dict.fromkeys(names, 0)
    for _ in range(n_perm):
        swap = np.array([rng.random() >= 0.5 for _ in range(n)], dtype=np.float64)
        mixed_a = statistic(np.concatenate([1 - swap, swap]))
        mixed_b = statistic(np.concatenate([swap, 1 - swap]))
        for k in names:
            if abs(mixed_b[k] - mixed_a[k]) >= observed[k]:
                counts[k] += 1
    return {k: (counts[k] / n_perm if k in counts else None) for k in observed}
