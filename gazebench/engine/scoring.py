"""Saved predictions → the results JSON. Shared by `gazebench run` (at the end, or to re-score a finished run
under other scoring options) and `gazebench score`; none of it runs a model.

Labels are never stored in a run directory: they are read again from the data, whose fingerprint
must equal the one recorded when the predictions were made.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from gazebench.engine.config import ScoringOptions
from gazebench.engine.distributed import read_launches
from gazebench.engine.kinds import ScoreContext, describe_task, kind_of, task_items
from gazebench.engine.predictions import aligned, read_predictions, score_matrix
from gazebench.engine.references import kind_predictions
from gazebench.engine.rundir import RunDir, atomic_write_json, read_provenance
from gazebench.engine.verify import prediction_digests, prediction_files, seal_results, verify_run
from gazebench.engine.workload import TaskData
from gazebench.errors import ConfigError
from gazebench.metrics.model_based import using_setup
from gazebench.metrics.vocabulary import metrics_for
from gazebench.results import SCHEMA_VERSION, RunResults
from gazebench.task import get_task

if TYPE_CHECKING:
    import pandas as pd

SIMULATED_NOTE = ("Computed on the simulated reader study shipped with gazebench (synthetic phantoms and a "
                  "simulated radiologist), not on patient data: the numbers test the harness, not clinical skill.")


def tuned_thresholds(policy: str, data: TaskData, val_df: pd.DataFrame, where: Path) -> dict[str, Any]:
    """Per-label thresholds {label: t} for a tuned `policy`, tuned on in-domain validate predictions only."""
    from gazebench.metrics import thresholds

    labels = data.task.labels
    samples = data.val_samples
    y_val = data.task.targets(samples)
    p_val = score_matrix(aligned(samples, val_df, where), labels, where)
    tuned = thresholds.tune(y_val, p_val, method=cast("thresholds.TuneMethod", policy))
    values = np.asarray(tuned, dtype=np.float64)
    source = f"{data.task.name} {data.task.val_split} split (n={len(samples)})"
    return {"policy": policy, "source": source, "values": {k: float(v) for k, v in zip(labels, values, strict=True)}}


def run_thresholds(run: RunDir, config: dict[str, Any], data: dict[str, TaskData], policy: str) -> dict[str, Any]:
    """The thresholds of `policy` for a saved run: 0.5 per label, or tuned on the run's saved in-domain
    validate predictions (a one-line error if the run was made without the in-domain data)."""
    train = str(config["train_task"])
    if policy == "fixed":
        return {"policy": policy, "source": "0.5", "values": {k: 0.5 for k in get_task(train).labels}}
    folder = run.validation(train)
    if train not in data or not folder.is_dir():
        raise ConfigError(f"{run.path}: threshold policy {policy!r} is tuned on the in-domain {train} validate "
                          f"predictions, which this run does not have (it was made without {train} data); "
                          "use --threshold-policy fixed")
    return tuned_thresholds(policy, data[train], read_predictions(folder), folder)


def grid_of(config: dict[str, Any]) -> tuple[int, int] | None:
    spec = config["adapter"]["spec"]
    if spec.get("patch_size") is None:
        return None
    side = int(spec["image_size"]) // int(spec["patch_size"])
    return (side, side)


def score_context(config: dict[str, Any], folder: Path, options: ScoringOptions,
                  thresholds: dict[str, Any]) -> ScoreContext:
    """What a kind needs to score the predictions in `folder` of the run made under `config`."""
    return ScoreContext(where=folder, side=int(config["adapter"]["spec"]["image_size"]), options=options,
                        seed=int(config["seed"]), grid=grid_of(config), thresholds=thresholds)


def check_data(config: dict[str, Any], data: dict[str, TaskData], where: Path) -> None:
    """Refuse to score predictions against data other than the data they were made on."""
    for name, td in data.items():
        recorded = config["data_sha256"].get(name)
        if recorded is not None and recorded != td.sha:
            raise ConfigError(f"{where}: data for task {name!r} differs from the run's "
                              f"(manifest sha256 {td.sha[:12]} here, {recorded[:12]} in the run)")


def score_run(run: RunDir, data: dict[str, TaskData], options: ScoringOptions) -> RunResults:
    """The complete, sealed results, under `options`, for a run directory whose predictions are all on disk."""
    import gazebench

    config = run.load_config()
    check_data(config, data, run.path)
    thresholds = run_thresholds(run, config, data, options.threshold_policy)
    setup = options.metric_setup()  # model-based report metrics: weights found and digested before scoring
    options = replace(options, model_metrics=setup.identity)
    results, curves = {}, {}
    for name in config["tasks"]:
        task, folder = data[name].task, run.predictions(name)
        kind, ctx = kind_of(task), score_context(config, folder, options, thresholds)
        items = task_items(task, data[name].eval_samples, ctx.side)
        df = kind_predictions(folder, items, config)  # a privileged model's reference pointers resolved
        with using_setup(setup):
            results[name] = kind.result(task, items, df, ctx)
        curve = kind.curve(task, items, df, ctx)
        if curve is not None:
            curves[name] = curve
    provenance = read_provenance(run)
    record = {
        "versions": {name: data[name].task.version for name in config["tasks"]},
        "n-samples": {name: {"original": len(data[name].dataset.split(data[name].task.eval_split)),
                             "effective": results[name].n} for name in config["tasks"]},
        "higher_is_better": {name: {m.name: m.higher_is_better for m in metrics_for(kind_of(data[name].task).family)}
                             for name in config["tasks"]},
        "evidence": {"config_hash": config["config_hash"],
                     "prediction_digests": prediction_digests(run, list(config["tasks"]), config["train_task"]),
                     "prediction_files": prediction_files(run, list(config["tasks"]), config["train_task"])},
        "git_hash": provenance["git"]["commit"],
        "gazebench_version": gazebench.__version__,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "data": {name: data[name].manifest for name in config["tasks"]},
        "task_definitions": {name: describe_task(data[name].task) for name in config["tasks"]},
        "launches": read_launches(run.path),
    }
    out = RunResults(schema_version=SCHEMA_VERSION, model=config["model"], config_hash=config["config_hash"],
                     config=config, tasks=results, scoring=options.to_dict(), thresholds=thresholds, curves=curves,
                     unsupported=dict(config.get("unsupported_tasks") or {}),
                     data_skips={name: data[name].skips for name in config["tasks"]}, provenance=record,
                     dataset_note=SIMULATED_NOTE if any(data[name].simulated for name in config["tasks"]) else None)
    return RunResults.from_json(seal_results(out.to_json()), run.results)


def primary_scoring(run: RunDir) -> ScoringOptions:
    """The scoring options of a finished run's own results.json."""
    return ScoringOptions.from_dict(dict(run.load_results().scoring), run.results)


def rescore(run_dir: Path | str, *, data_root: Path | str | None = None, threshold_policy: str | None = None,
            n_boot: int | None = None, ci_level: float | None = None,
            slices: tuple[str, ...] | None = None, metric_args: tuple[tuple[str, Any], ...] = ()) -> RunResults:
    """`gazebench score`: a finished run's results under its own scoring options, or under the ones given,
    from its saved predictions alone (the model is never built); writes nothing."""
    from gazebench.engine.workload import run_data

    run = RunDir(Path(run_dir))
    config = verify_run(run.path).config  # an edited run is refused, as by every command that reads runs
    own = primary_scoring(run)
    options = ScoringOptions(threshold_policy=threshold_policy or own.threshold_policy,
                             n_boot=n_boot if n_boot is not None else own.n_boot,
                             ci_level=ci_level if ci_level is not None else own.ci_level,
                             slices=slices if slices is not None else own.slices, metric_args=metric_args)
    return score_run(run, run_data(config, data_root), options)


def store_scores(run: RunDir, results: RunResults) -> Path | None:
    """Save a re-scoring atomically under `scores/`; None (nothing written) when its options are the run's
    own, whose record is results.json, which is never overwritten."""
    options = ScoringOptions.from_dict(dict(results.scoring), "re-scored results")
    if options == primary_scoring(run):
        return None
    path = run.scores(options.file_name())
    atomic_write_json(path, results.to_json())
    return path
