"""CIDEr-D as coco-caption implements it (Vedantam et al. 2015): TF-IDF n-gram vectors (n = 1..4) with
document frequencies from the evaluated corpus' reference sets, clipped cosine similarity, a Gaussian
length penalty (sigma = 6, length = bigram count as in coco-caption), mean over n and references, ×10.

Scores depend on the corpus (its document frequencies): compare CIDEr-D only on the same test set.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from gazebench.metrics.nlg.ngrams import Ngram, ngram_counts

MAX_N, SIGMA = 4, 6.0

_Vector = tuple[list[dict[Ngram, float]], list[float], int]


def _vector(counts: Counter[Ngram], df: Counter[Ngram], log_n: float) -> _Vector:
    """Per-n TF-IDF weights, per-n norms and the bigram count ("length" in coco-caption)."""
    vec: list[dict[Ngram, float]] = [{} for _ in range(MAX_N)]
    norm = [0.0] * MAX_N
    length = 0
    for gram, tf in counts.items():
        n = len(gram) - 1
        weight = tf * (log_n - math.log(max(1.0, df[gram])))
        vec[n][gram] = weight
        norm[n] += weight**2
        if n == 1:
            length += tf
    return vec, [math.sqrt(x) for x in norm], length


def _similarity(hyp: _Vector, ref: _Vector, sigma: float) -> np.ndarray:
    (vh, nh, lh), (vr, nr, lr) = hyp, ref
    penalty = math.exp(-((lh - lr) ** 2) / (2 * sigma**2))
    out = np.zeros(MAX_N)
    for n in range(MAX_N):
        val = sum(min(w, vr[n].get(g, 0.0)) * vr[n].get(g, 0.0) for g, w in vh[n].items())
        if nh[n] != 0 and nr[n] != 0:
            val /= nh[n] * nr[n]
        out[n] = val * penalty
    return out


def cider_d(
    hyps: Sequence[Sequence[str]], refs: Sequence[Sequence[Sequence[str]]], sigma: float = SIGMA
) -> tuple[float, np.ndarray]:
    """(corpus CIDEr-D, (N,) per-item scores) of tokenised hypotheses against their reference lists."""
    ref_counts = [[ngram_counts(r, MAX_N) for r in item] for item in refs]
    df: Counter[Ngram] = Counter()
    for item in ref_counts:
        df.update({g for counts in item for g in counts})
    log_n = math.log(float(len(ref_counts))) if ref_counts else 0.0
    scores = np.zeros(len(hyps))
    for i, (hyp, item) in enumerate(zip(hyps, ref_counts, strict=True)):
        vh = _vector(ngram_counts(hyp, MAX_N), df, log_n)
        total = sum((_similarity(vh, _vector(c, df, log_n), sigma) for c in item), np.zeros(MAX_N))
        scores[i] = 10.0 * float(np.mean(total)) / len(item)
    return (float(scores.mean()) if len(scores) else float("nan")), scores
