"""ROUGE-L as coco-caption computes it (Lin 2004): LCS precision and recall, each maximised over the
references independently, combined by the F-measure with beta = 1.2; 0 when either is 0.

An empty text is one empty token, as coco-caption's `text.split(" ")` makes it: an empty hypothesis scores 1.0
against a reference list holding an empty reference and 0 against non-empty ones (rouge-score gives 0 to
empty/empty; docs/metrics.md)."""
from __future__ import annotations

from collections.abc import Sequence

BETA = 1.2
"""coco-caption's beta (recall weighted more than precision); rouge-score uses beta = 1."""


EMPTY = [""]
"""What coco-caption's `"".split(" ")` makes of an empty text: one empty token."""


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence of two token lists (O(|a|·|b|) dynamic programme)."""
    if len(a) < len(b):
        a, b = b, a
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def rouge_l(hyp: Sequence[str], refs: Sequence[Sequence[str]], beta: float = BETA) -> float:
    """ROUGE-L F of one hypothesis against its references (an empty token list read as coco-caption's `[""]`)."""
    hyp = list(hyp) or EMPTY
    refs = [list(r) or EMPTY for r in refs]
    lcs = [lcs_length(hyp, r) for r in refs]
    precision = max(n / len(hyp) for n in lcs)
    recall = max(n / len(r) for n, r in zip(lcs, refs, strict=True))
    if precision == 0 or recall == 0:
        return 0.0
    return (1 + beta**2) * precision * recall / (recall + beta**2 * precision)
