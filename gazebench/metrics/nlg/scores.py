"""All report-generation metrics of a corpus in one call, from raw text: tokenise once, check the inputs,
return corpus and per-item scores with the tokenisation they were computed under."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gazebench.metrics.inputs import MetricInputError
from gazebench.metrics.nlg.bleu import bleu_from_stats, bleu_stats
from gazebench.metrics.nlg.cider import cider_d
from gazebench.metrics.nlg.rouge import rouge_l
from gazebench.metrics.nlg.tokenize import Punctuation, coco_tokenize, placeholders


@dataclass(frozen=True, eq=False)
class NLGScores:
    """Corpus scores (fractions; CIDEr-D on its ×10 scale) and the per-item statistics behind them."""

    bleu: tuple[float, float, float, float]
    """Corpus BLEU-1..4."""
    rouge_l: float
    """Mean over items of ROUGE-L (beta 1.2)."""
    cider_d: float
    bleu_stats: np.ndarray
    """(N, 10) per-item BLEU statistics; sum any resample's rows and call bleu_from_stats."""
    rouge_l_items: np.ndarray
    cider_d_items: np.ndarray
    """Per-item CIDEr-D under the full corpus' document frequencies."""
    punctuation: Punctuation
    """Tokenisation mode the scores were computed under."""
    n_placeholders: tuple[int, int]
    """De-identification placeholders (`___`) dropped from the hypotheses and from the references."""


def nlg_scores(
    hypotheses: Sequence[str], references: Sequence[Sequence[str]], punctuation: Punctuation = "drop"
) -> NLGScores:
    """BLEU-1..4, ROUGE-L and CIDEr-D of generated reports against one or more references each."""
    if len(hypotheses) != len(references):
        raise MetricInputError(f"{len(hypotheses)} hypotheses but {len(references)} reference lists")
    if not hypotheses:
        raise MetricInputError("no reports to score")
    empty = [i for i, r in enumerate(references) if len(r) == 0]
    if empty:
        raise MetricInputError(f"item {empty[0]} (0-based) has no reference report ({len(empty)} such items)")
    hyps = [coco_tokenize(h, punctuation) for h in hypotheses]
    refs = [[coco_tokenize(r, punctuation) for r in item] for item in references]
    stats = bleu_stats(hyps, refs)
    b1, b2, b3, b4 = bleu_from_stats(stats.sum(axis=0))
    rouge = np.asarray([rouge_l(h, r) for h, r in zip(hyps, refs, strict=True)])
    cider, cider_items = cider_d(hyps, refs)
    dropped = (sum(map(placeholders, hypotheses)), sum(placeholders(r) for item in references for r in item))
    return NLGScores((b1, b2, b3, b4), float(rouge.mean()), cider, stats, rouge, cider_items, punctuation, dropped)
