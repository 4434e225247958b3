"""Corpus BLEU-1..N exactly as coco-caption's bleu_scorer computes it (Papineni et al. 2002): clipped n-gram
precision summed over the corpus, "closest" reference length (ties to the shorter), brevity penalty over
the corpus, no smoothing (its 1e-15 / 1e-9 epsilons only avoid a division by zero)."""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from gazebench.metrics.nlg.ngrams import Ngram, ngram_counts

_TINY, _SMALL = 1e-15, 1e-9
"""coco-caption's epsilons: numerator and denominator of each precision and of the length ratio."""


def _item_stats(hyp: Sequence[str], refs: Sequence[Sequence[str]], max_n: int) -> list[float]:
    hyp_counts = ngram_counts(hyp, max_n)
    max_ref: Counter[Ngram] = Counter()
    for ref in refs:
        for gram, count in ngram_counts(ref, max_n).items():
            max_ref[gram] = max(max_ref[gram], count)
    correct = [0] * max_n
    for gram, count in hyp_counts.items():
        correct[len(gram) - 1] += min(count, max_ref[gram])
    c = len(hyp)
    guess = [max(0, c - n + 1) for n in range(1, max_n + 1)]
    ref_len = min((abs(len(r) - c), len(r)) for r in refs)[1]
    return [float(c), float(ref_len), *map(float, correct), *map(float, guess)]


def bleu_stats(hyps: Sequence[Sequence[str]], refs: Sequence[Sequence[Sequence[str]]], max_n: int = 4) -> np.ndarray:
    """(N, 2 + 2·max_n) per-item sufficient statistics: [hyp length, closest ref length, correct_1..n, guess_1..n].

    Sum rows (any subset, e.g. a bootstrap resample) and pass the sum to `bleu_from_stats`.
    """
    return np.asarray([_item_stats(h, r, max_n) for h, r in zip(hyps, refs, strict=True)], dtype=np.float64).reshape(
        len(hyps), 2 + 2 * max_n
    )


def bleu_from_stats(stats: np.ndarray) -> tuple[float, ...]:
    """BLEU-1..N from one row of (summed) statistics, coco-caption's formula and epsilons."""
    max_n = (len(stats) - 2) // 2
    c, r = float(stats[0]), float(stats[1])
    correct, guess = stats[2 : 2 + max_n], stats[2 + max_n :]
    ratio = (c + _TINY) / (r + _SMALL)
    penalty = math.exp(1 - 1 / ratio) if ratio < 1 else 1.0
    out, product = [], 1.0
    for n in range(max_n):
        product *= (float(correct[n]) + _TINY) / (float(guess[n]) + _SMALL)
        out.append(product ** (1 / (n + 1)) * penalty)
    return tuple(out)


def corpus_bleu(
    hyps: Sequence[Sequence[str]], refs: Sequence[Sequence[Sequence[str]]], max_n: int = 4
) -> tuple[float, ...]:
    """Corpus BLEU-1..max_n of tokenised hypotheses against their tokenised reference lists."""
    return bleu_from_stats(bleu_stats(hyps, refs, max_n).sum(axis=0))
