"""Report generation: one item per test image with a reference report; BLEU-1..4, ROUGE-L, CIDEr-D
(coco-caption definitions, gazebench.metrics.nlg) and clinical efficacy P/R/F1 (micro, macro, example) from
the task's labeler applied to generated and reference reports alike (gazebench.metrics.clinical); the
model-based metrics whose local weights are given (CheXbert F1, BERTScore: gazebench.metrics.model_based).

Bootstrap: BLEU from resampled per-item sufficient statistics; ROUGE-L, CIDEr-D and example-based CE as
weighted means of per-item values (CIDEr-D keeps the full test set's document frequencies); micro and macro CE
from resampled per-item TP/FP/FN. Reference text is read from the data directory and never stored.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gazebench.adapter import Adapter, Predictions, Query
from gazebench.engine.kinds.base import ItemScores, ItemSet, KindScorer, item
from gazebench.engine.kinds.columns import stored_texts, texts
from gazebench.engine.kinds.prf import prf, weighted_mean
from gazebench.metrics.clinical import binarize
from gazebench.metrics.model_based import model_based_scores
from gazebench.metrics.nlg import bleu_from_stats, nlg_scores
from gazebench.metrics.nlg.tokenize import Punctuation
from gazebench.records import Sample
from gazebench.reports.labelers import LABELERS
from gazebench.task import Task

PUNCTUATION: Punctuation = "drop"
"""coco-caption tokenisation (punctuation deleted), recorded with the scores."""


def ce_counts(task: Task, generated: Sequence[str], references: Sequence[str]) -> tuple[np.ndarray, ...]:
    """(N, 14) TP, FP, FN of the labeler's binarised codes (uncertain per task.ce_uncertain) and the number
    of cells left out by the "ignore" policy."""
    labeler = LABELERS.create(task.labeler)
    y, keep_y = binarize(labeler.label(list(references)), task.ce_uncertain)
    p, keep_p = binarize(labeler.label(list(generated)), task.ce_uncertain)
    keep = keep_y & keep_p
    return y & p & keep, (1 - y) & p & keep, y & (1 - p) & keep, np.asarray((~keep).sum())


def ce_metrics(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray, w: np.ndarray) -> dict[str, float]:
    """ce_{micro,macro,example}_{precision,recall,f1} of (N, L) counts under item weights `w`."""
    out: dict[str, float] = {}
    label_sums = [w @ c for c in (tp, fp, fn)]
    averages = {
        "micro": [float(v) for v in prf(*(s.sum() for s in label_sums))],
        "macro": [float(v.mean()) for v in prf(*label_sums)],
        "example": [weighted_mean(v, w) for v in prf(tp.sum(1), fp.sum(1), fn.sum(1))],
    }
    for avg, values in averages.items():
        out.update({f"ce_{avg}_{k}": v for k, v in zip(("precision", "recall", "f1"), values, strict=True)})
    return out


class ReportKind(KindScorer):
    """`report` tasks: `Predictions.reports`, one per image."""

    name = "report"

    def items(self, task: Task, samples: Sequence[Sample], side: int) -> ItemSet:
        have = [s for s in samples if s.report and s.report.strip()]
        out = tuple(item(s, None, query=Query(reference=s.report), reference=s.report) for s in have)
        missing = len(samples) - len(have)
        return ItemSet(out, {"image without a reference report": missing} if missing else {})

    def columns(self, out: Predictions, n: int, side: int, adapter: Adapter) -> dict[str, Any]:
        return {"report": texts(out.reports, n, "reports", adapter)}

    def scores(self, task: Task, items: ItemSet, df: pd.DataFrame, side: int, where: Path) -> ItemScores:
        hyps = stored_texts(df, "report", where)
        refs = [str(i.reference) for i in items.items]
        nlg = nlg_scores(hyps, [[r] for r in refs], punctuation=PUNCTUATION)
        tp, fp, fn, ignored = ce_counts(task, hyps, refs)
        model_based = model_based_scores(hyps, refs)

        def statistic(w: np.ndarray) -> dict[str, float]:
            bleu = bleu_from_stats(w @ nlg.bleu_stats)
            out = {f"bleu{n + 1}": float(b) for n, b in enumerate(bleu)}
            out["rougeL"] = weighted_mean(nlg.rouge_l_items, w)
            out["ciderD"] = weighted_mean(nlg.cider_d_items, w)
            return out | ce_metrics(tp, fp, fn, w) | model_based.statistic(w)

        extra = {"punctuation": PUNCTUATION, "labeler": task.labeler, "ce_uncertain_policy": task.ce_uncertain,
                 "n_empty_reports": sum(not h.strip() for h in hyps), "n_ce_cells_ignored": int(ignored),
                 "model_metrics": model_based.record,
                 "signature": report_signature(task, model_based.signature_parts)}
        return ItemScores(statistic, np.array([i.sample.patient_id for i in items.items], dtype=object), extra)

    def stacked_statistic(self, task: Task, items: ItemSet, dfs: tuple[pd.DataFrame, pd.DataFrame],
                          where: Path) -> Callable[[np.ndarray], dict[str, float]]:
        """Metrics of any item weighting of two runs' outputs stacked (A's N items, then B's N), e.g. a mixed
        system of the approximate-randomization test. CIDEr-D's document frequencies come from the references
        once, as in each run's own score (stacking would count them twice and change the idf of n-grams no
        reference has), so its per-item values are each run's own."""
        stacked = self.scores(task, ItemSet(items.items + items.items), pd.concat(dfs, ignore_index=True), 0, where)
        refs = [[str(i.reference)] for i in items.items]
        cider = np.concatenate([nlg_scores(stored_texts(df, "report", where), refs,
                                           punctuation=PUNCTUATION).cider_d_items for df in dfs])

        def statistic(w: np.ndarray) -> dict[str, float]:
            return stacked.statistic(w) | {"ciderD": weighted_mean(cider, w)}

        return statistic


def report_signature(task: Task, model_based: Sequence[str]) -> str:
    """sacrebleu-style configuration string of a report score: tokenisation, punctuation, CE labeler and its
    uncertain policy, each model-based metric's settings and weights digest, the gazebench version."""
    import gazebench

    parts = ["bleu|rougeL|ciderD", "tok:coco", f"punct:{PUNCTUATION}", f"ce:{task.labeler}",
             f"unc:{task.ce_uncertain}", *model_based, f"gazebench:{gazebench.__version__}"]
    return "|".join(parts)
