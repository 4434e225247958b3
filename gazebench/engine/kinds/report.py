"""Report generation: one item per test image with a reference report; BLEU-1..4, ROUGE-L, CIDEr-D
(coco-caption definitions, gazebench.metrics.nlg) and clinical efficacy P/R/F1 (micro, macro, example) from
the task's labeler applied to generated and reference reports alike (gazebench.metrics.clinical), under the
task's uncertain policy (`ce_*`) and every published convention (`ce14_*`, `ce5_*`, `*_uncpos`); the
model-based metrics whose local weights are given (CheXbert F1, BERTScore: gazebench.metrics.model_based).

Bootstrap: BLEU from resampled per-item sufficient statistics; ROUGE-L, CIDEr-D and example-based CE as
weighted means of per-item values (CIDEr-D keeps the full test set's document frequencies); micro and macro CE
from resampled per-item TP/FP/FN. Reference text is read from the data directory and never stored.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gazebench.adapter import Adapter, Query
from gazebench.comparison import Randomization, TaskComparison
from gazebench.engine.kinds.base import ItemScores, ItemSet, Kind, ScoreContext, item
from gazebench.engine.kinds.columns import stored_texts, texts
from gazebench.engine.kinds.prf import weighted_mean
from gazebench.labels import CHEXPERT_LABELS, LABEL_INDEX
from gazebench.metrics.clinical import CECounts, ce_averages, ce_counts
from gazebench.metrics.model_based import model_based_scores
from gazebench.metrics.nlg import bleu_from_stats, nlg_scores
from gazebench.metrics.nlg.tokenize import Punctuation
from gazebench.metrics.randomization import N_PERMUTATIONS
from gazebench.metrics.vocabulary import CE_CONVENTIONS, CE_STATS, CEConvention
from gazebench.outputs import Reports
from gazebench.records import Sample
from gazebench.reports.labelers import LABELERS
from gazebench.task import Task

if TYPE_CHECKING:
    import pandas as pd

CEScores = tuple[tuple[CEConvention, CECounts], ...]
PUNCTUATION: Punctuation = "drop"
"""coco-caption tokenisation (punctuation deleted), recorded with the scores."""


def ce_scores(task: Task, generated: Sequence[str], references: Sequence[str]) -> CEScores:
    """CE counts under the task's own `ce_uncertain` (the `ce_*` metrics) and under every declared convention
    (vocabulary.CE_CONVENTIONS), from one labeling of the generated and the reference reports."""
    labeler = LABELERS.create(task.labeler)
    ref, gen = labeler.label(list(references)), labeler.label(list(generated))
    task_policy = CEConvention("ce", CHEXPERT_LABELS, task.ce_uncertain, ("micro", "macro", "example"), "",
                               "the task's ce_uncertain")
    return tuple((c, ce_counts(ref, gen, c.uncertain, [LABEL_INDEX[n] for n in c.labels]))
                 for c in (task_policy, *CE_CONVENTIONS))


def ce_metrics(scores: CEScores, w: np.ndarray) -> dict[str, float]:
    """Every CE metric (`<key>_<average>_<stat><suffix>`) of `scores` under item weights `w`."""
    out: dict[str, float] = {}
    for convention, counts in scores:
        averages = ce_averages(counts, w)
        for average in convention.averages:
            prf_ = averages[average]
            out.update({convention.metric(average, stat): getattr(prf_, stat) for stat, _ in CE_STATS})
    return out


class ReportKind(Kind):
    """`report` tasks: `report(batch) -> Reports`, one radiology report per image."""

    name = "report"
    family = "report"
    method = "report"
    output = Reports
    reads_labels = True

    def describe_task(self, task: Task) -> dict[str, Any]:
        return {"labeler": task.labeler, "ce_uncertain_policy": task.ce_uncertain}

    def items(self, task: Task, samples: Sequence[Sample], side: int) -> ItemSet:
        have = [s for s in samples if s.report and s.report.strip()]
        out = tuple(item(s, None, query=Query(reference=s.report), reference=s.report) for s in have)
        missing = len(samples) - len(have)
        return ItemSet(out, {"image without a reference report": missing} if missing else {})

    def columns(self, out: Reports, ids: Sequence[str], side: int, adapter: Adapter) -> dict[str, Any]:
        return {"report": texts(out.reports, len(ids), "reports", adapter)}

    def scores(self, task: Task, items: ItemSet, df: pd.DataFrame, side: int, where: Path) -> ItemScores:
        hyps = stored_texts(df, "report", where)
        refs = [str(i.reference) for i in items.items]
        nlg = nlg_scores(hyps, [[r] for r in refs], punctuation=PUNCTUATION)
        ce = ce_scores(task, hyps, refs)
        model_based = model_based_scores(hyps, refs)

        def statistic(w: np.ndarray) -> dict[str, float]:
            bleu = bleu_from_stats(w @ nlg.bleu_stats)
            out = {f"bleu{n + 1}": float(b) for n, b in enumerate(bleu)}
            out["rougeL"] = weighted_mean(nlg.rouge_l_items, w)
            out["ciderD"] = weighted_mean(nlg.cider_d_items, w)
            return out | ce_metrics(ce, w) | model_based.statistic(w)

        extra = {"punctuation": PUNCTUATION, "labeler": task.labeler, "ce_uncertain_policy": task.ce_uncertain,
                 "n_empty_reports": sum(not h.strip() for h in hyps),
                 "n_placeholders_dropped": {"generated": nlg.n_placeholders[0], "reference": nlg.n_placeholders[1]},
                 "n_ce_cells_ignored": ce[0][1].n_ignored_cells,
                 "ce_conventions": {f"{c.key}*{c.suffix}": c.source for c, _ in ce[1:]},
                 "model_metrics": model_based.record,
                 "signature": report_signature(task, model_based.signature_parts)}
        return ItemScores(statistic, np.array([i.sample.patient_id for i in items.items], dtype=object), extra)

    def stacked_statistic(self, task: Task, items: ItemSet, dfs: tuple[pd.DataFrame, pd.DataFrame],
                          where: Path) -> Callable[[np.ndarray], dict[str, float]]:
        """Metrics of any item weighting of two runs' outputs stacked (A's N items, then B's N), e.g. a mixed
        system of the approximate-randomization test. CIDEr-D's document frequencies come from the references
        once, as in each run's own score (stacking would count them twice and change the idf of n-grams no
        reference has), so its per-item values are each run's own."""
        import pandas as pd

        stacked = self.scores(task, ItemSet(items.items + items.items), pd.concat(dfs, ignore_index=True), 0, where)
        refs = [[str(i.reference)] for i in items.items]
        cider = np.concatenate([nlg_scores(stored_texts(df, "report", where), refs,
                                           punctuation=PUNCTUATION).cider_d_items for df in dfs])

        def statistic(w: np.ndarray) -> dict[str, float]:
            return stacked.statistic(w) | {"ciderD": weighted_mean(cider, w)}

        return statistic

    def compare(self, task: Task, items: ItemSet, dfs: tuple[pd.DataFrame, pd.DataFrame],
                ctxs: tuple[ScoreContext, ScoreContext], n_boot: int, seed: int,
                n_perm: int = N_PERMUTATIONS) -> TaskComparison:
        """The paired bootstrap of every report metric, and beside it a paired approximate-randomization p-value
        per metric (`ar_p_value`, as RadEval's PairedTest): both runs' outputs scored as one stacked item set, so
        each trial's mixed systems are item weightings (gazebench.metrics.randomization)."""
        from gazebench.engine.predictions import aligned
        from gazebench.metrics.randomization import paired_randomization
        from gazebench.metrics.vocabulary import metric_names

        out = super().compare(task, items, dfs, ctxs, n_boot, seed, n_perm)
        names = metric_names(self.family)
        statistic = self.stacked_statistic(task, items, tuple(aligned(items.samples, df, ctxs[0].where)
                                                              for df in dfs), ctxs[0].where)
        p_values = paired_randomization(statistic, len(items.items), names, n_perm, seed)
        metrics = {k: replace(m, randomized=True, ar_p_value=p_values[k]) for k, m in out.metrics.items()}
        return replace(out, metrics=metrics, randomization=Randomization(
            "paired approximate randomization (RadEval PairedTest)", n_perm, seed))


def report_signature(task: Task, model_based: Sequence[str]) -> str:
    """sacrebleu-style configuration string of a report score: tokenisation, punctuation, CE labeler and its
    uncertain policy, each model-based metric's settings and weights digest, the gazebench version."""
    import gazebench

    parts = ["bleu|rougeL|ciderD", "tok:ptb", f"punct:{PUNCTUATION}", f"ce:{task.labeler}",
             f"unc:{task.ce_uncertain}", *model_based, f"gazebench:{gazebench.__version__}"]
    return "|".join(parts)
