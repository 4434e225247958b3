"""Clinical efficacy under every declared convention through `gazebench run` on mimic-eye-report: the oracle
prints CE F1 for 14 and 5 labels, micro and macro, uncertain as negative and as positive; the random model's
numbers equal scikit-learn's f1_score / precision_score / recall_score on the same binarised label matrices."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.metrics import f1_score, precision_score, recall_score

from gazebench.cli.main import cli
from gazebench.engine.run_table import placeholder_lines
from gazebench.engine.rundir import RunDir
from gazebench.engine.workload import load_task_data
from gazebench.labels import LABEL_INDEX
from gazebench.metrics.clinical import binarize
from gazebench.metrics.vocabulary import CE_CONVENTIONS, METRICS
from gazebench.reports import LABELERS
from gazebench.results import RunResults, TaskResult

TASK = "mimic-eye-report"
SKLEARN = {"f1": f1_score, "precision": precision_score, "recall": recall_score}
AVERAGE = {"micro": "micro", "macro": "macro", "example": "samples"}


def _run(model: str, root: Path, out: Path) -> tuple[str, Path]:
    result = CliRunner().invoke(cli, ["run", "--model", model, "--tasks", TASK, "--data-root", str(root),
                                      "--output-dir", str(out), "--n-boot", "20", "--threads", "1"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output, next(out.glob(f"{model}__*"))


def test_oracle_prints_every_convention(small_root: Path, tmp_path: Path) -> None:
    printed, run = _run("oracle", small_root, tmp_path)
    block = RunDir(run).load_results().tasks[TASK]
    assert block.details["labeler"] == "rules" and set(block.details["ce_conventions"]) == {
        "ce14*", "ce5*", "ce14*_uncpos", "ce5*_uncpos"}
    for name in ("ce14_micro_f1", "ce14_macro_f1", "ce5_micro_f1", "ce5_macro_f1", "ce14_micro_f1_uncpos",
                 "ce14_macro_f1_uncpos", "ce5_micro_f1_uncpos", "ce5_macro_f1_uncpos"):
        assert f"{METRICS[name].display} " in printed, name
        assert block.metrics[name].value is not None and len(block.metrics[name].ci) == 2
    assert block.metrics["ce5_micro_f1_uncpos"].value == 1.0  # the oracle copies the reference
    assert block.metrics["ce14_micro_f1"].value == 1.0
    assert block.details["n_placeholders_dropped"] == {"generated": 0, "reference": 0}  # FINDINGS hold no ___


def test_dropped_placeholders_are_said_under_the_table() -> None:
    def task(**details: object) -> TaskResult:
        return TaskResult(kind="report", family="report", n=1, n_patients=1, metrics={}, details=details)

    results = RunResults(schema_version=0, model="m", config_hash="h", config={}, scoring={}, thresholds={},
                         tasks={TASK: task(n_placeholders_dropped={"generated": 2, "reference": 5}),
                                "other": task(n_placeholders_dropped={"generated": 0, "reference": 0}),
                                "mimic-eye": task()})
    assert placeholder_lines(results) == [f"{TASK}: dropped de-identification placeholders (___) before "
                                          "BLEU/ROUGE-L/CIDEr-D: 2 in generated, 5 in reference reports"]


def test_random_equals_sklearn_on_the_same_label_matrices(small_root: Path, tmp_path: Path) -> None:
    _, run = _run("random", small_root, tmp_path)
    block = RunDir(run).load_results().tasks[TASK]
    generated = pd.read_csv(run / "predictions" / TASK / "chunk-00000.csv", dtype=str, keep_default_na=False)
    reference = {s.sample_id: s.report for s in load_task_data([TASK], small_root, None)[TASK].dataset.samples}
    labeler = LABELERS.create("rules")
    ref_codes = labeler.label([str(reference[i]) for i in generated["sample_id"]])
    gen_codes = labeler.label(list(generated["report"]))
    assert len(generated) == block.n >= 5
    checked = 0
    for c in CE_CONVENTIONS:
        cols = [LABEL_INDEX[n] for n in c.labels]
        y, p = binarize(ref_codes, c.uncertain)[0][:, cols], binarize(gen_codes, c.uncertain)[0][:, cols]
        for average in c.averages:
            for stat, fn in SKLEARN.items():
                expected = fn(y, p, average=AVERAGE[average], zero_division=0)
                name = c.metric(average, stat)
                assert block.metrics[name].value == pytest.approx(expected, abs=1e-12), name
                checked += 1
    assert checked == 30
    assert 0 < block.metrics["ce14_micro_f1_uncpos"].value < 1  # a random report: neither all right nor all wrong
    assert not np.array_equal(binarize(ref_codes, "positive")[0], binarize(ref_codes, "negative")[0])
