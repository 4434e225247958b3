"""Leaderboards from hand-written run directories in the engine's layout: config.json with its hash in
the folder name, prediction folders, and results.json with the evidence and seal scoring records."""
from __future__ import annotations

import base64
import csv
import io
import json
import re
from pathlib import Path

import pytest

from gazebench.engine.config import config_hash
from gazebench.engine.rundir import RunDir, atomic_write_json
from gazebench.engine.verify import prediction_digests, seal_results
from gazebench.errors import ConfigError
from gazebench.leaderboard import leaderboard, render, task_order, wide_table
from gazebench.leaderboard.table import Run, long_table
from gazebench.results import SCHEMA_VERSION, MetricValue, RunResults, TaskResult


def task_block(auroc: float) -> TaskResult:
    return TaskResult(kind="classification", family="classification", n=100, n_patients=60,
                      metrics={"auroc": MetricValue(auroc, (auroc - 0.05, min(auroc + 0.05, 1.0))),
                               "acc": MetricValue(0.8, (0.75, 0.85)), "f1": MetricValue(0.5, (0.4, 0.6))},
                      details={"per_label": {}, "labels_excluded": [],
                               "threshold_policy": {"name": "fixed", "values": None, "source": "0.5"}})


def write_run(root: Path, model: str, aurocs: dict[str, float], *, seed: int = 0, limit: int | None = None,
              version: str = "1", sha: str = "a" * 64, note: bool = True, track: str | None = None) -> Path:
    tasks = list(aurocs)
    adapter = {"class": "test", "config": {}} | ({"track": track} if track else {})
    config = {"model": model, "seed": seed, "limit": limit, "train_task": "mimic-eye", "tasks": tasks,
              "task_versions": {t: version for t in tasks}, "data_sha256": {t: sha for t in tasks},
              "precision": "fp32", "adapter": adapter}
    config["config_hash"] = config_hash(config)
    path = root / f"{model}__seed{seed}__{limit}__{version}{sha[:3]}__{config['config_hash'][:10]}"
    for t in tasks:
        (path / "predictions" / t).mkdir(parents=True)
        (path / "predictions" / t / "chunk-00000.csv").write_text(f"sample_id,{t}\n")
    data = {t: {"sha256": sha, "version": "simulated-v1"} for t in tasks}
    record = {"versions": {t: version for t in tasks}, "data": data, "git_hash": None, "gazebench_version": "0.1.0",
              "evidence": {"config_hash": config["config_hash"],
                           "prediction_digests": prediction_digests(RunDir(path), tasks, "mimic-eye")},
              "n-samples": {}, "higher_is_better": {}, "date": "2026-01-01", "task_definitions": {}}
    results = RunResults(
        schema_version=SCHEMA_VERSION, model=model, config_hash=config["config_hash"], config=config,
        tasks={t: task_block(a) for t, a in aurocs.items()},
        scoring={"threshold_policy": "fixed", "n_boot": 1000, "ci_level": 0.95, "metrics": ["auroc", "acc", "f1"]},
        thresholds={"policy": "fixed", "source": "0.5", "values": {}},
        curves={t: {"fpr": [0.0, 0.5, 1.0], "tpr": [0.0, a, 1.0]} for t, a in aurocs.items()},
        provenance=record, dataset_note="simulated study" if note else None)
    atomic_write_json(path / "config.json", config)
    atomic_write_json(path / "provenance.json", {"gazebench_version": "0.1.0", "git": {"commit": None, "dirty": None}})
    atomic_write_json(path / "results.json", seal_results(results.to_json()))
    return path


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    write_run(tmp_path, "oracle", {"mimic-eye": 1.0, "rsna": 1.0})
    write_run(tmp_path, "cnn", {"mimic-eye": 0.876, "rsna": 0.7})
    write_run(tmp_path, "cnn", {"rsna": 0.71}, limit=10)
    (tmp_path / "incomplete_run").mkdir()  # no results.json: skipped
    return tmp_path


def test_table_rows_columns_and_percent(runs: Path) -> None:
    board = leaderboard(runs)
    loaded, long = board.runs, board.long
    assert len(loaded) == 3 and not board.warnings
    tasks = task_order(loaded)
    assert tasks == ["mimic-eye", "rsna"]
    wide = wide_table(long, tasks)
    assert wide.loc["cnn", ("mimic-eye", "AUROC")] == "87.6 [82.6, 92.6]"
    assert wide.loc["cnn [limit 10]", ("mimic-eye", "AUROC")] == "–"
    assert wide.loc["oracle", ("rsna", "Acc")] == "80.0 [75.0, 85.0]"


def test_markdown(runs: Path) -> None:
    md = render(runs, "md")
    header = md.splitlines()[0]
    assert header.startswith("| model | mimic-eye AUROC | mimic-eye Acc | mimic-eye F1 | rsna AUROC")
    assert "| cnn | 87.6 [82.6, 92.6] |" in md and "limit N" in md and "simulated study" in md


def test_csv_is_numeric_percent(runs: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(render(runs, "csv"))))
    cnn = next(r for r in rows if r["model"] == "cnn")
    assert float(cnn["mimic-eye/auroc"]) == pytest.approx(87.6)
    assert float(cnn["mimic-eye/auroc_low"]) == pytest.approx(82.6)
    assert next(r for r in rows if r["model"] == "cnn [limit 10]")["limited"] == "True"


def test_latex(runs: Path) -> None:
    tex = render(runs, "latex")
    assert tex.startswith(r"\begin{tabular}{lrrrrrr}")
    assert r"\multicolumn{3}{c}{mimic-eye}" in tex and "87.6 [82.6, 92.6]" in tex and r"\bottomrule" in tex
    assert "–" not in tex.replace("% ", "")  # en dash escaped


def test_html_is_self_contained_with_roc_pngs(runs: Path) -> None:
    page = render(runs, "html")
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", page)
    images = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", page)
    assert len(images) == 2
    assert all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)
    assert "87.6<br><span class=ci>[82.6, 92.6]</span>" in page


def _runs(*paths: Path) -> list[Run]:
    """In-memory runs (as verified ones are) for the consistency checks, which look at results only."""
    return [Run(p, RunDir(p).load_results()) for p in paths]


def test_refuses_different_task_versions(tmp_path: Path) -> None:
    runs = _runs(write_run(tmp_path, "a", {"rsna": 0.6}), write_run(tmp_path, "b", {"rsna": 0.7}, version="2"))
    with pytest.raises(ConfigError, match=r"refusing to compare rsna: .*a__.* uses task version 1, .*b__.* uses 2"):
        long_table(runs)
    with pytest.raises(ConfigError, match="task version"):
        render(tmp_path, "md")


def test_refuses_different_data(tmp_path: Path) -> None:
    write_run(tmp_path, "a", {"rsna": 0.6})
    write_run(tmp_path, "b", {"rsna": 0.7}, sha="b" * 64)
    with pytest.raises(ConfigError, match="different data"):
        render(tmp_path, "csv")


def test_duplicate_models_get_distinct_rows(tmp_path: Path) -> None:
    write_run(tmp_path, "cnn", {"rsna": 0.6}, seed=0)
    write_run(tmp_path, "cnn", {"rsna": 0.7}, seed=1)
    long = leaderboard(tmp_path).long
    assert len(set(long["row"])) == 2 and all("seed" in r for r in long["row"])


def test_single_run_dir_and_errors(tmp_path: Path) -> None:
    one = write_run(tmp_path, "oracle", {"rsna": 1.0})
    assert "oracle" in render(one, "md")
    with pytest.raises(ConfigError, match="no complete run"):
        render(_empty(tmp_path), "md")
    with pytest.raises(ConfigError, match="--format"):
        render(tmp_path, "pdf")


def _empty(tmp_path: Path) -> Path:
    (tmp_path / "empty").mkdir()
    return tmp_path / "empty"


def test_markdown_escapes_model_names(tmp_path: Path) -> None:
    write_run(tmp_path, "a|b*c_d`e<script>~[x]", {"rsna": 0.6})
    md = render(tmp_path, "md")
    assert r"| a\|b\*c\_d\`e\<script\>\~\[x\] |" in md and "<script>" not in md
    page = render(tmp_path, "html")
    assert "&lt;script&gt;" in page and "<script>" not in page


def test_track_markers_and_legend_on_every_format(tmp_path: Path) -> None:
    write_run(tmp_path, "oracle", {"rsna": 1.0}, track="privileged")
    write_run(tmp_path, "gazegnn", {"rsna": 0.8}, track="gaze-at-inference")
    write_run(tmp_path, "cnn", {"rsna": 0.7})
    md = render(tmp_path, "md")
    assert "| oracle † |" in md and "| gazegnn ‡ |" in md and "| cnn |" in md
    assert "† privileged reference" in md and "‡ gaze at inference" in md
    rows = {r["model"]: r for r in csv.DictReader(io.StringIO(render(tmp_path, "csv")))}
    assert rows["oracle †"]["track"] == "privileged" and rows["cnn"]["track"] == "standard"
    tex = render(tmp_path, "latex")
    assert r"oracle \dag{} &" in tex and r"gazegnn \ddag{} &" in tex and "% † privileged" in tex
    page = render(tmp_path, "html")
    assert "<td>oracle †</td>" in page and "‡ gaze at inference" in page
    plain = tmp_path / "plain"
    plain.mkdir()
    write_run(plain, "cnn", {"rsna": 0.7})
    assert "privileged" not in render(plain, "md")


def test_zero_width_ci_is_marked(tmp_path: Path) -> None:
    run = write_run(tmp_path, "oracle", {"rsna": 1.0})
    md = render(run, "md")
    assert "100.0 [95.0, 100.0] |" in md and "⚠" not in md
    flat = tmp_path / "flat"
    flat.mkdir()
    one = write_run(flat, "one-patient", {"rsna": 0.5})
    results = json.loads((one / "results.json").read_text())
    results["results"]["rsna"]["metrics"]["auroc"]["ci"] = [0.5, 0.5]
    atomic_write_json(one / "results.json", seal_results(results))
    md = render(flat, "md")
    assert "50.0 [50.0, 50.0] ⚠" in md and "zero-width CI" in md
