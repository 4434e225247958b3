"""RadGraph F1 end to end on mimic-eye-report: without weights the run completes and RadGraph F1 says in one line
what to put where; with a tiny local RadGraph checkpoint `gazebench run --metric-arg radgraph=DIR` (re-scoring the
finished run) and `gazebench score` (weights from GAZEBENCH_RADGRAPH) give the numbers radgraph's F1RadGraph
gives on the same reports, printed in the report table and paired in `gazebench compare`."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from gazebench.cli.main import cli
from gazebench.results import RunResults

EXTRA = "needs the report-metrics extra: pip install -e '.[report-metrics]'"
pytest.importorskip("radgraph", reason=EXTRA)

from fixtures.radgraph_weights import library_scorer, radgraph_folder  # noqa: E402

TASK = "mimic-eye-report"
FAST = ("--n-boot", "20", "--threads", "1")
LEVELS = ("simple", "partial", "complete")


def invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return radgraph_folder(tmp_path_factory.mktemp("weights") / "radgraph")


@pytest.fixture(scope="module")
def plain(small_root: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("runs")
    results = json.loads(invoke("run", "--model", "random", "--tasks", TASK, "--data-root", str(small_root),
                                "--output-dir", str(out), *FAST, "--json"))
    (run,) = out.iterdir()
    return run, results


def test_without_weights_the_run_completes_and_radgraph_says_what_is_missing(
        plain: tuple[Path, dict[str, Any]]) -> None:
    run, results = plain
    r = RunResults.from_json(results, "stdout").tasks[TASK]
    assert r.metrics["bleu4"].value is not None and r.metrics["ce_micro_f1"].value is not None
    assert all(r.metrics[f"radgraph_{level}_f1"].value is None for level in LEVELS)
    record = r.details["model_metrics"]["radgraph"]
    assert record["computed"] is False and "\n" not in record["reason"]
    assert "|radgraph:none|" in r.details["signature"]
    lines = invoke("score", str(run)).splitlines()
    assert sum(f"{TASK}: RadGraph F1 not computed: no weights; give --metric-arg radgraph=DIR" in line
               for line in lines) == 1


def library_rewards(weights: Path, tmp_path: Path, hyps: list[str], refs: list[str]) -> np.ndarray:
    """(N, 3) simple / partial / complete F1 of radgraph's F1RadGraph called directly on the same reports."""
    _, rewards, _, _ = library_scorer(weights, tmp_path / "lib")(refs=refs, hyps=hyps)
    return np.array(rewards).T


def test_tiny_radgraph_scores_through_run_and_score_as_the_library_does(
        plain: tuple[Path, dict[str, Any]], small_root: Path, weights: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from gazebench.data.digest import directory_digest
    from gazebench.engine.kinds import task_items
    from gazebench.engine.kinds.columns import stored_texts
    from gazebench.engine.predictions import aligned, read_predictions
    from gazebench.engine.rundir import RunDir
    from gazebench.engine.workload import run_data

    run, _ = plain
    rerun = json.loads(invoke("run", "--model", "random", "--tasks", TASK, "--data-root", str(small_root),
                              "--output-dir", str(run.parent), *FAST, "--metric-arg", f"radgraph={weights}", "--json"))
    assert list(run.parent.glob("random__*")) == [run]  # a scoring option: the same run, re-scored
    r = RunResults.from_json(rerun, "stdout").tasks[TASK]
    record = r.details["model_metrics"]["radgraph"]
    assert record["computed"] and record["weights_sha256"] == directory_digest(weights)
    assert f"radgraph:radgraph,w:{record['weights_sha256'][:12]}" in r.details["signature"]

    config = RunDir(run).load_config()
    data = run_data(config, small_root)[TASK]
    items = task_items(data.task, data.eval_samples, int(config["adapter"]["spec"]["image_size"]))
    folder = run / "predictions" / TASK
    hyps = stored_texts(aligned(items.samples, read_predictions(folder), folder), "report", folder)
    refs = [str(i.reference) for i in items.items]
    expected = library_rewards(weights, tmp_path, hyps, refs)
    assert 0 < expected.mean() < 1
    for i, level in enumerate(LEVELS):
        metric = r.metrics[f"radgraph_{level}_f1"]
        assert metric.value == pytest.approx(expected[:, i].mean(), abs=1e-12)
        assert metric.ci is not None and metric.ci[0] <= metric.value <= metric.ci[1]

    monkeypatch.setenv("GAZEBENCH_RADGRAPH", str(weights))
    again = json.loads(invoke("score", str(run), "--json"))
    assert RunResults.from_json(again, "stdout").tasks[TASK] == r
    table = invoke("score", str(run))
    assert all(f"RadGraph {level} ({field})" in table
               for level, field in zip(LEVELS, ("RG_E", "RG_ER", "RG_ER-bar"), strict=True))
    assert "RadGraph F1 not computed" not in table


def test_compare_pairs_radgraph_f1(plain: tuple[Path, dict[str, Any]], small_root: Path, weights: Path) -> None:
    run, _ = plain
    invoke("run", "--model", "oracle", "--tasks", TASK, "--data-root", str(small_root), "--output-dir",
           str(run.parent), *FAST)
    (oracle,) = run.parent.glob("oracle__*")
    out = json.loads(invoke("compare", str(run), str(oracle), "--n-boot", "20", "--n-perm", "50",
                            "--metric-arg", f"radgraph={weights}", "--json"))
    m = out["tasks"][TASK]["metrics"]["radgraph_partial_f1"]
    assert m["b"] == pytest.approx(1.0) and m["a"] < 1.0  # the oracle writes the reference reports
    assert 0.0 <= m["ar_p_value"] <= 1.0
