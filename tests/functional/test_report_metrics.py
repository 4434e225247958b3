"""Model-based report metrics end to end on mimic-eye-report: without weights the run completes and each
metric says in one line what is missing; with tiny local checkpoints `gazebench run` (re-scoring the finished
run, no model forward) and `gazebench score` give CheXbert F1 and BERTScore equal to f1chexbert's labeler and
bert-score's scorer called directly on the same reports, with the weights' digests recorded."""
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
pytest.importorskip("f1chexbert", reason=EXTRA)
pytest.importorskip("bert_score", reason=EXTRA)

from fixtures.report_metrics import (  # noqa: E402
    bertscore_folder,
    chexbert_folder,
    library_chexbert,
    library_reports,
)

TASK = "mimic-eye-report"
FAST = ("--n-boot", "20", "--threads", "1")


def invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def weights(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("weights")
    return {"chexbert": chexbert_folder(root / "chexbert"), "bertscore": bertscore_folder(root / "encoder")}


def metric_args(weights: dict[str, Path]) -> list[str]:
    pairs = [f"chexbert={weights['chexbert']}", f"bertscore={weights['bertscore']}",
             "bertscore_model=bert-base-uncased", "bertscore_layers=2"]
    return [a for pair in pairs for a in ("--metric-arg", pair)]


@pytest.fixture(scope="module")
def plain(small_root: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("runs")
    results = json.loads(invoke("run", "--model", "random", "--tasks", TASK, "--data-root", str(small_root),
                                "--output-dir", str(out), *FAST, "--json"))
    (run,) = out.iterdir()
    return run, results


def test_without_weights_the_run_completes_and_says_what_is_missing(plain: tuple[Path, dict[str, Any]]) -> None:
    run, results = plain
    r = RunResults.from_json(results, "stdout").tasks[TASK]
    assert r.metrics["bleu4"].value is not None  # the other metrics ran
    assert r.metrics["ce_micro_f1"].value is not None
    assert r.metrics["chexbert14_micro_f1"].value is None and r.metrics["bertscore_f1"].value is None
    for name, flag in (("chexbert", "--metric-arg chexbert=DIR"), ("bertscore", "--metric-arg bertscore=DIR")):
        record = r.details["model_metrics"][name]
        assert record["computed"] is False and flag in record["reason"] and "\n" not in record["reason"]
    assert r.details["signature"].startswith("bleu|rougeL|ciderD|tok:ptb|punct:drop|ce:rules|unc:positive|")
    assert "bertscore:none|chexbert:none" in r.details["signature"] and "model_metrics" not in results["scoring"]
    table = invoke("score", str(run))
    lines = table.splitlines()
    assert any("CheXbert F1 not computed: no weights; give --metric-arg chexbert=DIR" in line for line in lines)
    assert any(f"{TASK} signature:" in line for line in lines)
    board = invoke("leaderboard", str(run.parent))
    assert f"Report signature (random, {TASK}): bleu|rougeL|ciderD|tok:ptb" in board.replace("\\|", "|")


def test_tiny_weights_score_through_run_and_score_as_the_libraries_do(
        plain: tuple[Path, dict[str, Any]], small_root: Path, weights: dict[str, Path],
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from bert_score import BERTScorer

    from gazebench.data.digest import directory_digest
    from gazebench.engine.kinds import task_items
    from gazebench.engine.kinds.columns import stored_texts
    from gazebench.engine.predictions import aligned, read_predictions
    from gazebench.engine.rundir import RunDir
    from gazebench.engine.workload import run_data
    from gazebench.metrics.model_based.bertscore import baseline_file
    from gazebench.metrics.model_based.setup import MetricOptions

    run, _ = plain
    rerun = json.loads(invoke("run", "--model", "random", "--tasks", TASK, "--data-root", str(small_root),
                              "--output-dir", str(run.parent), *FAST, *metric_args(weights), "--json"))
    assert list(run.parent.glob("random__*")) == [run]  # scoring options: the same run, not a new one
    assert list((run / "scores").glob("*__mm*.json"))  # stored beside results.json, which stays as it was
    r = RunResults.from_json(rerun, "stdout").tasks[TASK]
    for name in ("chexbert", "bertscore"):
        record = r.details["model_metrics"][name]
        assert record["computed"] and record["weights_sha256"] == directory_digest(weights[name])
        assert f"w:{record['weights_sha256'][:12]}" in r.details["signature"]
    assert rerun["scoring"]["model_metrics"]

    # the same reports through the libraries themselves
    config = RunDir(run).load_config()
    data = run_data(config, small_root)[TASK]
    items = task_items(data.task, data.eval_samples, int(config["adapter"]["spec"]["image_size"]))
    folder = run / "predictions" / TASK
    hyps = stored_texts(aligned(items.samples, read_predictions(folder), folder), "report", folder)
    refs = [str(i.reference) for i in items.items]
    cr, cr5 = library_reports(library_chexbert(weights["chexbert"], monkeypatch, tmp_path), hyps, refs)
    for n, report in ((14, cr), (5, cr5)):
        for avg in ("micro", "macro"):
            expected = report[f"{avg} avg"]["f1-score"]
            assert r.metrics[f"chexbert{n}_{avg}_f1"].value == pytest.approx(expected, abs=1e-12)
    assert all(h.strip() for h in hyps)  # the random model's reports are never empty: bert-score scores all
    options = MetricOptions(bertscore_model="bert-base-uncased", bertscore_layers=2)
    scorer = BERTScorer(model_type=str(weights["bertscore"]), num_layers=2, lang="en", rescale_with_baseline=True,
                        baseline_path=str(baseline_file(options)))
    expected = float(np.mean(scorer.score(hyps, refs)[2].numpy()))
    assert r.metrics["bertscore_f1"].value == pytest.approx(expected, abs=1e-6)
    lo, hi = r.metrics["bertscore_f1"].ci
    assert lo <= r.metrics["bertscore_f1"].value <= hi

    again = json.loads(invoke("score", str(run), *metric_args(weights), "--json"))
    assert RunResults.from_json(again, "stdout").tasks[TASK] == r
    plain_again = RunResults.from_json(json.loads(invoke("score", str(run), "--json")), "stdout").tasks[TASK]
    assert plain_again.metrics["chexbert14_micro_f1"].value is None


def test_a_bad_metric_arg_is_one_line_before_any_work(small_root: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["run", "--model", "random", "--tasks", TASK, "--data-root", str(small_root),
                                      "--output-dir", str(tmp_path), "--metric-arg", "bertscore=/no/such/dir"])
    assert result.exit_code == 2 and not list(tmp_path.iterdir())
    assert result.output.strip() == ("error: --metric-arg bertscore=/no/such/dir: not a directory (expected a "
                                     "transformers encoder checkpoint (config.json, tokenizer, model.safetensors))")


def test_compare_gives_the_approximate_randomization_test_beside_the_bootstrap(
        plain: tuple[Path, dict[str, Any]], small_root: Path, weights: dict[str, Path]) -> None:
    run, _ = plain
    invoke("run", "--model", "oracle", "--tasks", TASK, "--data-root", str(small_root), "--output-dir",
           str(run.parent), *FAST)
    (oracle,) = run.parent.glob("oracle__*")
    out = json.loads(invoke("compare", str(run), str(oracle), "--n-boot", "20", "--n-perm", "200",
                            *metric_args(weights), "--json"))
    block = out["tasks"][TASK]
    assert block["randomization"]["signature"] == "ar:200|seed:0"
    m = block["metrics"]
    assert m["bleu4"]["ar_p_value"] == 0.0 and m["bleu4"]["p_value"] < 0.05  # the ceiling differs, both tests agree
    assert m["chexbert14_micro_f1"]["a"] is not None and m["chexbert14_micro_f1"]["ar_p_value"] is not None
    assert 0.0 <= m["bertscore_f1"]["ar_p_value"] <= 1.0
    table = invoke("compare", str(run), str(oracle), "--n-boot", "20", "--n-perm", "50")
    assert "AR p" in table and "paired approximate randomization (ar:50|seed:0)" in table
    assert json.loads(invoke("compare", str(run), str(oracle), "--n-boot", "20", "--n-perm", "50", "--json"))[
        "tasks"][TASK]["metrics"]["chexbert14_micro_f1"]["ar_p_value"] is None  # no weights: not computed
