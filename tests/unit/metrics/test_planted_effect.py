"""Known-answer check of the paired comparison (docs/metrics.md, "Known-answer check"): two simulated models
whose population difference in AUROC, BLEU-4 or mIoU is planted, at several test-set sizes, through the same
paired patient bootstrap `compare` uses (gazebench.metrics.paired_bootstrap for classification, the kinds'
`paired_block` for report and grounding metrics). At a planted difference equal to the minimum detectable
difference (MDD) the harness states at that size, the CI must exclude 0 in about 80 % of seeds (its stated
power); with no planted difference, in about 5 % (its level).

Tolerances: 3 binomial standard deviations of a rate over `SEEDS` seeds, per (metric, size), and over all of
them pooled. Power: at least 0.80 − 0.098 per cell and 0.80 − 0.040 pooled, and at most 0.97 (an MDD so
conservative that it is almost always exceeded would overstate what a size cannot resolve); false positives: at
most 0.05 + 0.053 per cell, 0.05 ± 0.022 pooled. Seeds are fixed, so the test is deterministic.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pytest

from gazebench.engine.kinds.base import ItemScores
from gazebench.engine.kinds.bootstrap import paired_block
from gazebench.engine.kinds.prf import weighted_mean
from gazebench.metrics import paired_bootstrap
from gazebench.metrics.grounding import box_iou
from gazebench.metrics.nlg import bleu_from_stats, bleu_stats

SEEDS = 150
N_BOOT = 400
SIZES = (100, 400)
POWER, LEVEL = 0.80, 0.05
MOST = 0.97
"""Upper bound on the detection rate at the stated MDD."""
Z = NormalDist()


def band(rate: float, n: int) -> float:
    """3 binomial standard deviations of a rate estimated over `n` independent seeds."""
    return 3 * float(np.sqrt(rate * (1 - rate) / n))


@dataclass(frozen=True)
class Outcome:
    diff: float
    lo: float
    hi: float
    mdd: float

    @property
    def detected(self) -> bool:
        return self.lo > 0

    @property
    def excludes_zero(self) -> bool:
        return self.lo > 0 or self.hi < 0


Trial = Callable[[int, float, int], Outcome]
"""(test-set size, planted population difference, seed) → the harness's paired comparison of B against A."""


# AUROC: binormal scores, AUROC = Φ(d/√2) exactly; the two models share a case-difficulty term (paired).
AUC_A = 0.75


def auroc_trial(n: int, delta: float, seed: int) -> Outcome:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(float)
    y[:2] = (0.0, 1.0)  # both classes present
    d_a, d_b = (np.sqrt(2) * Z.inv_cdf(auc) for auc in (AUC_A, AUC_A + delta))
    case = rng.standard_normal(n)
    prob = {k: 1 / (1 + np.exp(-(d * y + np.sqrt(0.5) * case + np.sqrt(0.5) * rng.standard_normal(n))))
            for k, d in (("a", d_a), ("b", d_b))}
    out = paired_bootstrap(y[:, None], prob["a"][:, None], prob["b"][:, None], [0.5], [0.5], np.arange(n),
                           n_boot=N_BOOT, seed=seed, stats=("auroc",))["auroc"]
    return Outcome(out["diff"], out["ci"][0], out["ci"][1], out["mdd"])


# mIoU: predicted boxes = the reference box with Gaussian corner noise; B's noise is smaller. The population
# mIoU of a noise level is computed once on 200,000 boxes (common random numbers), and B's noise level is
# solved for the planted difference.
REF = np.array([100.0, 100.0, 200.0, 180.0])
SIGMA_A = 18.0
_CORNERS = np.random.default_rng(12345).standard_normal((200_000, 4))


def population_miou(sigma: float) -> float:
    return float(box_iou(_boxes(sigma, _CORNERS), REF).mean())


def _boxes(sigma: float, z: np.ndarray) -> np.ndarray:
    """(n, 4) boxes with corners put back in order (x1 <= x2, y1 <= y2)."""
    b = REF + sigma * z
    return np.stack([np.minimum(b[:, 0], b[:, 2]), np.minimum(b[:, 1], b[:, 3]),
                     np.maximum(b[:, 0], b[:, 2]), np.maximum(b[:, 1], b[:, 3])], axis=1)


def solve(f: Callable[[float], float], target: float, lo: float, hi: float) -> float:
    """x in [lo, hi] with f(x) = target for a monotone f (bisection)."""
    increasing = f(hi) > f(lo)
    for _ in range(30):
        mid = (lo + hi) / 2
        if (f(mid) < target) == increasing:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


@functools.cache
def sigma_for(delta: float) -> float:
    """B's corner noise whose population mIoU is A's + `delta`."""
    return SIGMA_A if delta == 0 else solve(population_miou, population_miou(SIGMA_A) + delta, 0.0, SIGMA_A)


def miou_trial(n: int, delta: float, seed: int) -> Outcome:
    sigma_b = sigma_for(delta)
    rng = np.random.default_rng(seed)
    z_a = rng.standard_normal((n, 4))
    z_b = 0.5 * z_a + np.sqrt(0.75) * rng.standard_normal((n, 4))  # paired: errors correlate across models
    ious = [box_iou(_boxes(s, z), REF) for s, z in ((SIGMA_A, z_a), (sigma_b, z_b))]
    scores = [ItemScores(lambda w, iou=iou: {"miou": weighted_mean(iou, w)}, np.arange(n)) for iou in ious]
    out = paired_block(scores[0], scores[1], ("miou",), N_BOOT, seed, 0.95)["miou"]
    return Outcome(out.diff, out.ci[0], out.ci[1], out.mdd)


# BLEU-4: a pool of 1,500 reports of 8-16 words from a 40-word vocabulary is the population. A hypothesis replaces
# each reference word with a random one with probability q: A at q = 0.3; B, per report, its own draw at q = 0.3
# or, with probability m, a better one at q = 0.1. B's population corpus BLEU-4 is a function of m on the pool
# (sums of per-report statistics), solved for the planted difference; a test set draws reports from the pool
# with replacement, so the pool is exactly the population sampled.
VOCAB = [f"w{i}" for i in range(40)]


def _pool_stats(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-report BLEU statistics of A, of B's own q = 0.3 draw and of the q = 0.1 draw, and B's uniforms."""
    rng = np.random.default_rng(seed)
    refs = [[VOCAB[i] for i in rng.integers(0, len(VOCAB), size=k)] for k in rng.integers(8, 17, size=n)]

    def hyps(q: float) -> list[list[str]]:
        return [[VOCAB[int(rng.integers(len(VOCAB)))] if rng.random() < q else w for w in ref] for ref in refs]

    stats = [bleu_stats(hyps(q), [[r] for r in refs]) for q in (0.3, 0.3, 0.1)]
    return stats[0], stats[1], stats[2], rng.random(n)


POOL = _pool_stats(1500, 54321)


def _b_stats(m: float) -> np.ndarray:
    _, own, better, v = POOL
    return np.where((v < m)[:, None], better, own)


def population_bleu4(m: float) -> float:
    return float(bleu_from_stats(_b_stats(m).sum(0))[3])


@functools.cache
def mix_for(delta: float) -> float:
    """B's share of better reports whose population BLEU-4 is A's + `delta`."""
    base = float(bleu_from_stats(POOL[0].sum(0))[3])
    return 0.0 if delta == 0 else solve(population_bleu4, base + delta, 0.0, 1.0)


def bleu_trial(n: int, delta: float, seed: int) -> Outcome:
    rows = np.random.default_rng(seed).integers(0, len(POOL[0]), size=n)
    stats = [POOL[0][rows], _b_stats(mix_for(delta))[rows]]
    scores = [ItemScores(lambda w, s=s: {"bleu4": float(bleu_from_stats(w @ s)[3])}, np.arange(n)) for s in stats]
    out = paired_block(scores[0], scores[1], ("bleu4",), N_BOOT, seed, 0.95)["bleu4"]
    return Outcome(out.diff, out.ci[0], out.ci[1], out.mdd)


TRIALS: dict[str, Trial] = {"auroc": auroc_trial, "miou": miou_trial, "bleu4": bleu_trial}


def rates(trial: Trial, n: int) -> tuple[float, float, float]:
    """(stated MDD at size n, false-positive rate with nothing planted, detection rate with the MDD planted)."""
    null = [trial(n, 0.0, seed) for seed in range(SEEDS)]
    mdd = float(np.mean([o.mdd for o in null]))
    planted = [trial(n, mdd, 10_000 + seed) for seed in range(SEEDS)]
    return mdd, float(np.mean([o.excludes_zero for o in null])), float(np.mean([o.detected for o in planted]))


@pytest.fixture(scope="module")
def measured() -> dict[tuple[str, int], tuple[float, float, float]]:
    return {(name, n): rates(trial, n) for name, trial in TRIALS.items() for n in SIZES}


def test_each_metric_and_size_detects_the_planted_mdd_at_its_stated_power(measured: dict) -> None:
    for (name, n), (mdd, fpr, power) in measured.items():
        assert POWER - band(POWER, SEEDS) <= power <= MOST, (name, n, mdd, power)
        assert fpr <= LEVEL + band(LEVEL, SEEDS), (name, n, mdd, fpr)


def test_pooled_power_and_false_positive_rate(measured: dict) -> None:
    total = SEEDS * len(measured)
    power = float(np.mean([v[2] for v in measured.values()]))
    fpr = float(np.mean([v[1] for v in measured.values()]))
    assert POWER - band(POWER, total) <= power <= MOST, power
    assert abs(fpr - LEVEL) <= band(LEVEL, total), fpr


def test_the_mdd_shrinks_like_one_over_root_n(measured: dict) -> None:
    for name in TRIALS:
        small, large = (measured[(name, n)][0] for n in SIZES)
        assert 0.35 < large / small < 0.7, (name, small, large)  # √(100/400) = 0.5
