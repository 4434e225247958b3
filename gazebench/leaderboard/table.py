"""Run directories → verified runs → one tidy DataFrame (a pure function of the results files), and its
wide display form.

Every run is verified first (gazebench.engine.verify); runs are only put side by side when every shared
task has the same task version and data manifest.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from gazebench.engine.rundir import RunDir
from gazebench.engine.verify import VerifiedRuns, verify_runs
from gazebench.errors import ConfigError
from gazebench.leaderboard.tracks import marked
from gazebench.metrics.power import ZERO_WIDTH_MARK, zero_width
from gazebench.metrics.vocabulary import formatted, metric, metrics_for
from gazebench.results import MetricValue, RunResults


@dataclass(frozen=True, eq=False)
class Run:
    """One verified run directory and its results JSON."""

    path: Path
    results: RunResults

    @property
    def config(self) -> dict[str, Any]:
        return dict(self.results.config)

    @property
    def track(self) -> str:
        return self.results.track

    @property
    def label(self) -> str:
        """The row name: the model, marked when only part of each split was evaluated and, for a shortcut probe
        run (`gazebench probe`), with the input transform its test images went through."""
        limit, probe = self.config.get("limit"), self.config.get("input_transform")
        return (self.results.model + (f" [probe: {probe}]" if probe else "")
                + (f" [limit {limit}]" if limit else ""))


def run_paths(runs_dir: Path | str) -> list[Path]:
    """Every complete run (a folder with results.json) in `runs_dir`, or `runs_dir` itself if it is one."""
    root = Path(runs_dir)
    if not root.is_dir():
        raise ConfigError(f"{root}: not a folder")
    candidates = [root] if RunDir(root).complete else sorted(p for p in root.iterdir() if p.is_dir())
    paths = [p for p in candidates if RunDir(p).complete]  # verification refuses a results.json not a plain file
    if not paths:
        raise ConfigError(f"{root}: no complete run directories (folders with results.json)")
    return paths


def load_runs(runs_dir: Path | str, *, strict: bool = False) -> VerifiedRuns:
    """Verify every complete run under `runs_dir`: refusals and duplicates are kept for reporting; with
    `strict` any refusal is an error, and it is always one when every run was refused."""
    paths = run_paths(runs_dir)
    checked = verify_runs(paths)
    if checked.refused and (strict or not checked.runs):
        reason = checked.refused[0][1]
        more = f"{len(checked.refused)} runs refused in all" if len(checked.refused) > 1 else "1 run refused"
        raise ConfigError(f"{reason} ({'--strict' if checked.runs else 'no run left to show'}; {more})")
    return checked


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
    tasks = {t for r in runs for t in r.results.tasks}
    in_domain = {r.config.get("train_task") for r in runs}
    return sorted(tasks, key=lambda t: (t not in in_domain, t))


@dataclass(frozen=True)
class Entry:
    """One column group of the leaderboard: a task (or a task's subgroup) with its metrics and size."""

    family: str
    metrics: Mapping[str, MetricValue]
    n: int
    threshold_policy: str | None


def entries(run: Run) -> dict[str, Entry]:
    """{task: its entry} of a run."""
    return {task: Entry(r.family, r.metrics, r.n, (r.details.get("threshold_policy") or {}).get("name"))
            for task, r in run.results.tasks.items()}


def sliced(run: Run, attribute: str) -> dict[str, Entry]:
    """{"<task> <attribute>=<value>": entry} of a run (a one-line error if it was scored without the slice)."""
    out = {}
    for task, r in run.results.tasks.items():
        block = r.slices.get(attribute)
        if block is None:
            raise ConfigError(f"{run.path}: no {attribute!r} slices for {task} (rescore it: gazebench score "
                              f"{run.path} --slices {attribute})")
        policy = (r.details.get("threshold_policy") or {}).get("name")
        out.update({f"{task} {attribute}={value}": Entry(r.family, g.metrics, g.n, policy)
                    for value, g in block.groups.items()})
    return out


def long_table(runs: list[Run], slice_attribute: str | None = None) -> pd.DataFrame:
    """Tidy rows (row label, model, track, run, task, metric, value, low, high, n, limited) with values as
    fractions; with `slice_attribute`, one "task" per task and subgroup of that attribute."""
    check_consistent(runs)
    labels = row_labels(runs)
    rows = []
    for run, label in zip(runs, labels, strict=True):
        cfg = run.config
        blocks = entries(run) if slice_attribute is None else sliced(run, slice_attribute)
        for task, e in blocks.items():
            for declared in metrics_for(e.family):
                value = e.metrics.get(declared.name, MetricValue(None))
                rows.append({"row": label, "model": run.results.model, "track": run.track,
                             "run": run.path.name, "task": task, "metric": declared.name, "value": value.value,
                             "low": value.ci[0], "high": value.ci[1], "n": e.n,
                             "limited": cfg.get("limit") is not None, "seed": cfg.get("seed"),
                             "threshold_policy": e.threshold_policy})
    return pd.DataFrame(rows, columns=["row", "model", "track", "run", "task", "metric", "value", "low", "high", "n",
                                       "limited", "seed", "threshold_policy"])


def row_labels(runs: list[Run]) -> list[str]:
    """Model names, made unique with seed and config hash where one model has several runs, then marked
    with their track (see `tracks`)."""
    base = [r.label for r in runs]
    out = []
    for run, label in zip(runs, base, strict=True):
        if base.count(label) > 1:
            label = f"{label} (seed {run.config.get('seed')}, {run.results.config_hash[:6]})"
        out.append(marked(label, run.track))
    return out


def wide_table(long: pd.DataFrame, tasks: list[str], digits: int = 1) -> pd.DataFrame:
    """Rows = model, columns = (task, metric) with each task's family's metrics, cells `87.6 [85.1, 90.0]` on the
    metric's display scale (percent for fractions); `–` where not run; a zero-width CI carries the warning mark."""
    names = {t: list(dict.fromkeys(long.loc[long["task"] == t, "metric"])) for t in tasks}
    cols = pd.MultiIndex.from_tuples([(t, _display(m)) for t in tasks for m in names[t]],
                                     names=["task", "metric"])
    rows = list(dict.fromkeys(long["row"]))
    table = pd.DataFrame("–", index=pd.Index(rows, name="model"), columns=cols)
    for rec in long.itertuples(index=False):
        ci = None if pd.isna(rec.low) or pd.isna(rec.high) else (rec.low, rec.high)
        value = None if rec.value is None or pd.isna(rec.value) else rec.value
        mark = f" {ZERO_WIDTH_MARK}" if value is not None and ci is not None and zero_width(ci) else ""
        table.loc[rec.row, (rec.task, _display(rec.metric))] = formatted(rec.metric, value, ci, digits) + mark
    return table


def _display(name: str) -> str:
    """The column title of the metric stored as `name` (its declared display name)."""
    declared = metric(name)
    return declared.display if declared is not None else name


@dataclass(frozen=True, eq=False)
class Leaderboard:
    """The verified runs, their tidy table, and what was left out (refused runs, duplicates)."""

    runs: list[Run]
    long: pd.DataFrame
    refused: tuple[tuple[Path, str], ...] = ()
    duplicates: tuple[str, ...] = ()

    @property
    def warnings(self) -> list[str]:
        """One line per refused run (its reason names the file) and per duplicate left out."""
        return [f"refused {path}: {reason}" for path, reason in self.refused] + list(self.duplicates)


def leaderboard(runs_dir: Path | str, *, strict: bool = False) -> Leaderboard:
    """Load, verify, check and tabulate every complete run under `runs_dir`."""
    checked = load_runs(runs_dir, strict=strict)
    runs = [Run(v.path, v.results) for v in checked.runs]
    return Leaderboard(runs, long_table(runs), checked.refused, checked.duplicates)
