"""Run directories → one tidy DataFrame (a pure function of the results files), and its wide display form.

Runs are only put side by side when every shared task has the same task version and data manifest.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from gazebench.engine.report import percent
from gazebench.engine.rundir import read_json
from gazebench.errors import ConfigError

METRICS = ("auroc", "acc", "f1")
METRIC_TITLES = {"auroc": "AUROC", "acc": "Acc", "f1": "F1"}


@dataclass(frozen=True, eq=False)
class Run:
    """One complete run directory and its results JSON."""

    path: Path
    results: dict[str, Any]

    @property
    def config(self) -> dict[str, Any]:
        return dict(self.results["config"])

    @property
    def label(self) -> str:
        """The row name: the model, marked when only part of each split was evaluated."""
        limit = self.config.get("limit")
        return self.results["model_name"] + (f" [limit {limit}]" if limit else "")


RESULTS_KEYS = ("results", "config", "model_name", "config_hash")


def _run(path: Path) -> Run:
    """One run directory's results.json, checked to be a gazebench results file."""
    results = read_json(path / "results.json")
    missing = [k for k in RESULTS_KEYS if not isinstance(results, dict) or k not in results]
    if missing:
        raise ConfigError(f"{path / 'results.json'}: not a gazebench results file (missing {', '.join(missing)})")
    return Run(path, dict(results))


def load_runs(runs_dir: Path | str) -> list[Run]:
    """Every complete run (a folder with results.json) in `runs_dir`, or `runs_dir` itself if it is one."""
    root = Path(runs_dir)
    if not root.is_dir():
        raise ConfigError(f"{root}: not a folder")
    candidates = [root] if (root / "results.json").is_file() else sorted(p for p in root.iterdir() if p.is_dir())
    runs = [_run(p) for p in candidates if (p / "results.json").is_file()]
    if not runs:
        raise ConfigError(f"{root}: no complete run directories (folders with results.json)")
    return runs


def check_consistent(runs: Iterable[Run]) -> None:
    """One-line error naming two runs whose task version or data manifest differ for a task both used
    (evaluated, or fitted on)."""
    seen: dict[str, tuple[str, str, Run]] = {}
    for run in runs:
        cfg = run.config
        for task, sha in cfg["data_sha256"].items():
            key = (str(cfg["task_versions"][task]), str(sha))
            if task not in seen:
                seen[task] = (*key, run)
                continue
            version, first_sha, first = seen[task]
            if key[0] != version:
                raise ConfigError(f"refusing to compare {task}: {first.path.name} uses task version {version}, "
                                  f"{run.path.name} uses {key[0]}")
            if key[1] != first_sha:
                raise ConfigError(f"refusing to compare {task}: {first.path.name} and {run.path.name} were run on "
                                  f"different data (manifest {first_sha[:12]} vs {key[1][:12]})")


def task_order(runs: Iterable[Run]) -> list[str]:
    """In-domain (train) tasks first, then the rest alphabetically."""
    runs = list(runs)
    tasks = {t for r in runs for t in r.results["results"]}
    in_domain = {r.config.get("train_task") for r in runs}
    return sorted(tasks, key=lambda t: (t not in in_domain, t))


def long_table(runs: list[Run]) -> pd.DataFrame:
    """Tidy rows (row label, model, run, task, metric, value, low, high, n, limited) with values as fractions."""
    check_consistent(runs)
    labels = row_labels(runs)
    rows = []
    for run, label in zip(runs, labels, strict=True):
        cfg = run.config
        for task, r in run.results["results"].items():
            for metric in METRICS:
                lo, hi = r.get(f"{metric}_ci") or (None, None)
                rows.append({"row": label, "model": run.results["model_name"], "run": run.path.name, "task": task,
                             "metric": metric, "value": r.get(metric), "low": lo, "high": hi, "n": r["n"],
                             "limited": cfg.get("limit") is not None, "seed": cfg.get("seed"),
                             "threshold_policy": r["threshold_policy"]["name"]})
    return pd.DataFrame(rows, columns=["row", "model", "run", "task", "metric", "value", "low", "high", "n",
                                       "limited", "seed", "threshold_policy"])


def row_labels(runs: list[Run]) -> list[str]:
    """Model names, made unique with seed and config hash where one model has several runs."""
    base = [r.label for r in runs]
    out = []
    for run, label in zip(runs, base, strict=True):
        if base.count(label) > 1:
            label = f"{label} (seed {run.config.get('seed')}, {run.results['config_hash'][:6]})"
        out.append(label)
    return out


def wide_table(long: pd.DataFrame, tasks: list[str], digits: int = 1) -> pd.DataFrame:
    """Rows = model, columns = (task, metric), cells `87.6 [85.1, 90.0]` in percent; `–` where not run."""
    cols = pd.MultiIndex.from_tuples([(t, METRIC_TITLES[m]) for t in tasks for m in METRICS], names=["task", "metric"])
    rows = list(dict.fromkeys(long["row"]))
    table = pd.DataFrame("–", index=pd.Index(rows, name="model"), columns=cols)
    for rec in long.itertuples(index=False):
        ci = None if pd.isna(rec.low) or pd.isna(rec.high) else (rec.low, rec.high)
        value = None if rec.value is None or pd.isna(rec.value) else rec.value
        table.loc[rec.row, (rec.task, METRIC_TITLES[rec.metric])] = percent(value, ci, digits)
    return table


def leaderboard(runs_dir: Path | str) -> tuple[list[Run], pd.DataFrame]:
    """Load, check and tabulate every complete run under `runs_dir`."""
    runs = load_runs(runs_dir)
    return runs, long_table(runs)
