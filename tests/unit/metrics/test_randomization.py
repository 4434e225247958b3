"""The paired approximate-randomization test of report tasks against RadEval's definition restated on text:
each trial swaps the two systems' reports item by item (`random.Random(seed).random() < 0.5` keeps them) and
recomputes each corpus metric from the mixed systems' text; p = share of trials with |B − A| at least the
observed one. gazebench computes the mixed systems as item weightings of the two runs' stacked evidence."""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gazebench.engine.kinds.report import ReportKind
from gazebench.labels import CHEXPERT_LABELS
from gazebench.metrics.randomization import paired_randomization
from gazebench.records import Sample
from gazebench.task import Task

REFS = ["Mild cardiomegaly. Small left pleural effusion.", "The lungs are clear. No pneumothorax.",
        "Right lower lobe consolidation.", "Heart size is normal. No edema.", "Left pneumothorax, small.",
        "Moderate pulmonary edema and cardiomegaly.", "No acute process.", "Bibasilar atelectasis."]
SYSTEM_A = ["Cardiomegaly.", "The lungs are clear.", "Consolidation in the right lower lobe.", "Heart size normal.",
            "No pneumothorax.", "Pulmonary edema.", "No acute process.", "Atelectasis at the bases."]
SYSTEM_B = ["Mild cardiomegaly. Left pleural effusion.", "Lungs clear. No pneumothorax.", "Right consolidation.",
            "Normal heart size. No edema.", "Small left pneumothorax.", "Cardiomegaly and edema.", "",
            "Bibasilar atelectasis."]
NAMES = ("bleu1", "bleu4", "rougeL", "ciderD", "ce_micro_f1", "ce_macro_f1", "ce_example_f1")
N_PERM = 200


def report_task() -> Task:
    return Task(name="t-ar", version="1", description="t", reader="mimic-eye", subdir="mimic-eye",
                labels=CHEXPERT_LABELS, in_domain=False, eval_split="test", kind="report")


def items(task: Task):  # type: ignore[no-untyped-def]
    samples = [Sample(sample_id=f"s{i}", patient_id=f"p{i // 2}", study_id=f"st{i}", image_path=Path(f"{i}.jpg"),
                      labels=(0.0,) * 14, report=r) for i, r in enumerate(REFS)]
    return ReportKind().items(task, samples, 448)


def corpus(task: Task, hyps: list[str]) -> dict[str, float]:
    """The report family's metrics of one system's text, as a run's own score computes them."""
    its = items(task)
    df = pd.DataFrame({"report": hyps})
    return ReportKind().scores(task, its, df, 448, Path(".")).statistic(np.ones(len(hyps)))


def radeval_p(task: Task, seed: int) -> dict[str, float]:
    """RadEval's PairedTest._approximate_randomization_test of each metric on text, each from a fresh
    random.Random(seed) (so every metric sees the same swaps, and one loop serves all)."""
    rng = random.Random(seed)
    a, b = corpus(task, SYSTEM_A), corpus(task, SYSTEM_B)
    obs = {k: abs(b[k] - a[k]) for k in NAMES}
    count = dict.fromkeys(NAMES, 0)
    for _ in range(N_PERM):
        mixed_a, mixed_b = [], []
        for x, y in zip(SYSTEM_A, SYSTEM_B, strict=True):
            keep = rng.random() < 0.5
            mixed_a.append(x if keep else y)
            mixed_b.append(y if keep else x)
        ma, mb = corpus(task, mixed_a), corpus(task, mixed_b)
        for k in NAMES:
            count[k] += abs(mb[k] - ma[k]) >= obs[k]
    return {k: count[k] / N_PERM for k in NAMES}


def test_approximate_randomization_equals_radeval_on_text() -> None:
    task = report_task()
    its = items(task)
    dfs = (pd.DataFrame({"report": SYSTEM_A}), pd.DataFrame({"report": SYSTEM_B}))
    statistic = ReportKind().stacked_statistic(task, its, dfs, Path("."))
    ones, zeros = np.ones(len(REFS)), np.zeros(len(REFS))
    for name in NAMES:  # the stacked weighting reproduces each run's own score
        assert statistic(np.concatenate([ones, zeros]))[name] == pytest.approx(corpus(task, SYSTEM_A)[name], abs=1e-12)
        assert statistic(np.concatenate([zeros, ones]))[name] == pytest.approx(corpus(task, SYSTEM_B)[name], abs=1e-12)
    got = paired_randomization(statistic, len(REFS), NAMES, n_perm=N_PERM, seed=7)
    assert got == radeval_p(task, seed=7)
    assert 0.0 < min(v for v in got.values() if v is not None) < 1.0  # not a degenerate all-0 or all-1 test


def test_identical_systems_and_uncomputed_metrics() -> None:
    task = report_task()
    dfs = (pd.DataFrame({"report": SYSTEM_A}), pd.DataFrame({"report": SYSTEM_A}))
    statistic = ReportKind().stacked_statistic(task, items(task), dfs, Path("."))
    got = paired_randomization(statistic, len(REFS), (*NAMES, "bertscore_f1"), n_perm=50, seed=0)
    assert all(got[k] == 1.0 for k in NAMES) and got["bertscore_f1"] is None
