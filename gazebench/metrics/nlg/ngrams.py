"""n-gram counting shared by BLEU and CIDEr-D."""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

Ngram = tuple[str, ...]


def ngram_counts(tokens: Sequence[str], max_n: int) -> Counter[Ngram]:
    """Counts of every 1..max_n-gram of `tokens` (one Counter, keyed by the n-gram tuple)."""
    counts: Counter[Ngram] = Counter()
    for n in range(1, max_n + 1):
        for i in range(len(tokens) - n + 1):
            counts[tuple(tokens[i : i + n])] += 1
    return counts
