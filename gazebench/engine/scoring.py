"""Saved predictions → the results JSON. Shared by `gazebench run` (at the end, or to re-score a finished run
under other scoring options) and `gazebench score`; none of it runs a model.

Labels are never stored in a run directory: they are read again from the data, whose fingerprint
must equal the one recorded when the predictions were made.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from gazebench.engine.config import METRIC_FAMILY, ScoringOptions
from gazebench.engine.distributed import read_launches
from gazebench.engine.families import family_block
from gazebench.engine.kinds import kind_result, task_items
from gazebench.engine.predict import DIAGNOSTIC_PREFIX, gaze_columns, read_predictions, score_matrix
from gazebench.engine.references import kind_predictions
from gazebench.engine.rundir import RunDir, atomic_write_json, read_json
from gazebench.engine.slices import slice_results
from gazebench.engine.verify import prediction_digests, prediction_files, seal_results, verify_run
from gazebench.engine.workload import TaskData
from gazebench.errors import ConfigError
from gazebench.metrics.vocabulary import metrics_for
from gazebench.records import Sample
from gazebench.task import get_task

ROC_POINTS = 101
SIMULATED_NOTE = ("Computed on the simulated reader study shipped with gazebench (synthetic phantoms and a "
                  "simulated radiologist), not on patient data: the numbers test the harness, not clinical skill.")


def aligned(samples: tuple[Sample, ...], df: pd.DataFrame, where: Path) -> pd.DataFrame:
    """Prediction rows in the order of `samples`; missing or unexpected ids are an error naming the folder."""
    ids = [s.sample_id for s in samples]
    have = set(df["sample_id"])
    missing = [i for i in ids if i not in have]
    if missing:
        raise ConfigError(f"{where}: {len(missing)} of {len(ids)} samples have no predictions "
                          f"(first: {missing[0]!r}); rerun the run to finish it")
    extra = have.difference(ids)
    if extra:
        raise ConfigError(f"{where}: predictions for {len(extra)} samples not in this task's split "
                          f"(first: {sorted(extra)[0]!r}); the data changed since the run")
    return df.set_index("sample_id").loc[ids].reset_index()


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


def macro_roc(y: np.ndarray, p: np.ndarray, points: int = ROC_POINTS) -> dict[str, list[float]]:
    """Mean of per-label ROC curves (TPR interpolated on a common FPR grid) over labels with both classes."""
    from sklearn.metrics import roc_curve

    grid = np.linspace(0.0, 1.0, points)
    tprs = []
    for j in range(y.shape[1]):
        ok = ~np.isnan(y[:, j])
        yj = y[ok, j]
        if yj.size == 0 or yj.min() == yj.max():
            continue
        fpr, tpr, _ = roc_curve(yj, p[ok, j])
        tprs.append(np.interp(grid, fpr, tpr))
    if not tprs:
        return {"fpr": [], "tpr": []}
    tpr = np.mean(tprs, axis=0)
    tpr[0] = 0.0
    return {"fpr": [round(float(v), 4) for v in grid], "tpr": [round(float(v), 4) for v in tpr]}


def _ci(pair: object) -> list[float | None]:
    lo, hi = cast("tuple[float | None, float | None]", pair)
    return [None if lo is None or not np.isfinite(lo) else float(lo),
            None if hi is None or not np.isfinite(hi) else float(hi)]


def metric_block(y: np.ndarray, p: np.ndarray, thr: np.ndarray, labels: tuple[str, ...], clusters: np.ndarray,
                 options: ScoringOptions, seed: int) -> dict[str, Any]:
    """The family's macro metrics with patient-bootstrap CIs, per-label values and the labels left out."""
    from gazebench.metrics import bootstrap_ci, summary

    metrics = metrics_for(METRIC_FAMILY)
    out = dict(summary(y, p, thr, labels))
    ci = bootstrap_ci(y, p, thr, clusters, n_boot=options.n_boot, seed=seed, level=options.ci_level,
                      stats=tuple(m.name for m in metrics))
    for metric in metrics:
        out[metric.ci_key] = _ci(ci[metric.name])
    out["labels_excluded"] = list(out.get("auroc_labels_excluded", []))
    return out


def task_result(data: TaskData, df: pd.DataFrame, where: Path, thresholds: dict[str, Any], options: ScoringOptions,
                seed: int, grid: tuple[int, int] | None) -> tuple[dict[str, Any], dict[str, list[float]]]:
    """One task's `results.<task>` block and its macro ROC curve."""
    from gazebench.metrics import ThresholdPolicy

    task = data.task
    samples = data.eval_samples
    df = aligned(samples, df, where)
    y = task.targets(samples)
    p = score_matrix(df, task.labels, where)
    thr = np.array([thresholds["values"].get(label, 0.5) for label in task.labels], dtype=np.float64)
    clusters = np.array([s.patient_id for s in samples], dtype=object)
    policy = ThresholdPolicy(name=thresholds["policy"],
                             values=None if thresholds["policy"] == "fixed" else tuple(float(t) for t in thr),
                             source=thresholds["source"])
    result: dict[str, Any] = metric_block(y, p, thr, task.labels, clusters, options, seed)
    keys = [k for m in metrics_for(METRIC_FAMILY) for k in (m.name, m.ci_key)] + ["labels_excluded"]
    for name, subset in task.subsets:
        cols = [task.labels.index(label) for label in subset]
        block = metric_block(y[:, cols], p[:, cols], thr[cols], subset, clusters, options, seed)
        result[name] = {k: block[k] for k in keys}
    for family in task.metric_families:
        result[family] = family_block(family, y, p, task.labels, clusters, options, seed)
    result["slices"] = slice_results(samples, task.slices if options.slices is None else options.slices,
                                     lambda rows: {k: v for k, v in metric_block(
                                         y[rows], p[rows], thr, task.labels, clusters[rows], options, seed).items()
                                         if k in keys})
    result.update({
        "n": len(samples),
        "n_patients": len(set(clusters)),
        "threshold_policy": policy.describe(),
        "uncertain_policy": task.uncertain,
        "blank_policy": task.blank,
    })
    gaze = gaze_result(samples, df, grid)
    if gaze is not None:
        result["gaze"] = gaze
    diagnostics = diagnostics_summary(df, where)
    if diagnostics:
        result["diagnostics"] = diagnostics
    return result, macro_roc(y, p)


def diagnostics_summary(df: pd.DataFrame, where: Path) -> dict[str, dict[str, float | int | None]]:
    """{name: {"mean", "n"}} over the images where each `d_<name>` diagnostic was measured (non-empty)."""
    out: dict[str, dict[str, float | int | None]] = {}
    for col in (c for c in df.columns if c.startswith(DIAGNOSTIC_PREFIX)):
        raw = df[col].replace("", np.nan)
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64)
        if (np.isnan(values) != raw.isna().to_numpy()).any() or np.isinf(values).any():
            raise ConfigError(f"{where}: column {col!r} holds a value that is neither a number nor empty")
        seen = values[~np.isnan(values)]
        out[col[len(DIAGNOSTIC_PREFIX):]] = {"mean": float(seen.mean()) if seen.size else None, "n": int(seen.size)}
    return out


def gaze_result(samples: tuple[Sample, ...], df: pd.DataFrame, grid: tuple[int, int] | None) -> dict[str, Any] | None:
    """Predicted patch sequences (and saliency maps) against every radiologist reading of the same image."""
    gcols, scols = gaze_columns(df, "g"), gaze_columns(df, "s")
    if grid is None or not (gcols or scols):
        return None
    from gazebench.gaze.alignment import scanpath_summary
    from gazebench.gaze.heatmap import fixation_counts, gaze_heatmap
    from gazebench.gaze.saliency import saliency_summary
    from gazebench.gaze.targets import EmptyScanpath, ordered_targets

    preds, refs, sal_rows = [], [], []
    skipped = zero_maps = 0
    for i, sample in enumerate(samples):
        sal = df.loc[i, scols].to_numpy(dtype=np.float64).reshape(grid) if scols else None
        if sal is not None and not sal.any():
            zero_maps += 1  # an all-zero map has no density to compare: its saliency metrics are skipped
            sal = None
        for rec in sample.gaze:
            try:
                ref = ordered_targets(rec.fixations, rec.image_size, grid, k=len(gcols)) if gcols else None
                heat = gaze_heatmap(rec.fixations, rec.image_size, grid) if sal is not None else None
            except EmptyScanpath:
                skipped += 1
                continue
            if gcols:
                preds.append(df.loc[i, gcols].to_numpy(dtype=np.int64))
                refs.append(ref)
            if sal is not None and heat is not None:
                fixated = fixation_counts(rec.fixations, rec.image_size, grid) > 0
                sal_rows.append(saliency_summary(sal, heat, fixated))
    out: dict[str, Any] = {"n_readings": max(len(preds), len(sal_rows)), "n_readings_skipped": skipped,
                           "grid": list(grid), "k": len(gcols)}
    if scols:
        out["n_saliency_maps_zero"] = zero_maps
    if preds:
        out["scanpath"] = {k: float(v) for k, v in scanpath_summary(np.array(preds), np.array(refs), grid).items()}
    if sal_rows:
        out["saliency"] = {k: float(np.nanmean([r[k] for r in sal_rows])) for k in sal_rows[0]}
    return out


def grid_of(config: dict[str, Any]) -> tuple[int, int] | None:
    spec = config["adapter"]["spec"]
    if spec.get("patch_size") is None:
        return None
    side = int(spec["image_size"]) // int(spec["patch_size"])
    return (side, side)


def check_data(config: dict[str, Any], data: dict[str, TaskData], where: Path) -> None:
    """Refuse to score predictions against data other than the data they were made on."""
    for name, td in data.items():
        recorded = config["data_sha256"].get(name)
        if recorded is not None and recorded != td.sha:
            raise ConfigError(f"{where}: data for task {name!r} differs from the run's "
                              f"(manifest sha256 {td.sha[:12]} here, {recorded[:12]} in the run)")


def score_run(run: RunDir, data: dict[str, TaskData], options: ScoringOptions) -> dict[str, Any]:
    """The complete, sealed results JSON, under `options`, for a run directory whose predictions are all on disk."""
    import gazebench

    config = run.load_config()
    check_data(config, data, run.path)
    seed = int(config["seed"])
    thresholds = run_thresholds(run, config, data, options.threshold_policy)
    results, curves = {}, {}
    for name in config["tasks"]:
        folder = run.predictions(name)
        task = data[name].task
        if task.kind == "classification":
            results[name], curves[name] = task_result(data[name], read_predictions(folder), folder, thresholds,
                                                      options, seed, grid_of(config))
            continue
        side = int(config["adapter"]["spec"]["image_size"])
        items = task_items(task, data[name].eval_samples, side)
        results[name] = kind_result(task, items, kind_predictions(folder, items, config), side, folder,
                                    options.n_boot, seed, options.ci_level)
    provenance = read_json(run.provenance) if run.provenance.is_file() else {}
    out: dict[str, Any] = {
        "results": results,
        "versions": {name: data[name].task.version for name in config["tasks"]},
        "n-samples": {name: {"original": len(data[name].dataset.split(data[name].task.eval_split)),
                             "effective": results[name]["n"]} for name in config["tasks"]},
        "higher_is_better": {name: {m.name: m.higher_is_better for m in metrics_for(data[name].task.family)}
                             for name in config["tasks"]},
        "model_name": config["model"],
        "config": config,
        "config_hash": config["config_hash"],
        "scoring": options.to_dict(),
        "thresholds": thresholds,
        "evidence": {"config_hash": config["config_hash"],
                     "prediction_digests": prediction_digests(run, list(config["tasks"]), config["train_task"]),
                     "prediction_files": prediction_files(run, list(config["tasks"]), config["train_task"])},
        "git_hash": (provenance.get("git") or {}).get("commit"),
        "gazebench_version": gazebench.__version__,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "data": {name: data[name].manifest for name in config["tasks"]},
        "task_definitions": {name: data[name].task.describe() for name in config["tasks"]},
        "skipped": {name: data[name].skips for name in config["tasks"]},
        "curves": curves,
        "unsupported": dict(config.get("unsupported_tasks") or {}),
        "launches": read_launches(run.path),
    }
    if any(data[name].simulated for name in config["tasks"]):
        out["dataset_note"] = SIMULATED_NOTE
    return seal_results(out)


def primary_scoring(run: RunDir) -> ScoringOptions:
    """The scoring options of a finished run's own results.json."""
    return ScoringOptions.from_dict(run.load_results().get("scoring") or {}, run.results)


def rescore(run_dir: Path | str, *, data_root: Path | str | None = None, threshold_policy: str | None = None,
            n_boot: int | None = None, ci_level: float | None = None,
            slices: tuple[str, ...] | None = None) -> dict[str, Any]:
    """`gazebench score`: a finished run's results under its own scoring options, or under the ones given,
    from its saved predictions alone (the model is never built); writes nothing."""
    from gazebench.engine.workload import run_data

    run = RunDir(Path(run_dir))
    config = verify_run(run.path).config  # an edited run is refused, as by every command that reads runs
    own = primary_scoring(run)
    options = ScoringOptions(threshold_policy=threshold_policy or own.threshold_policy,
                             n_boot=n_boot if n_boot is not None else own.n_boot,
                             ci_level=ci_level if ci_level is not None else own.ci_level,
                             slices=slices if slices is not None else own.slices)
    return score_run(run, run_data(config, data_root), options)


def store_scores(run: RunDir, results: dict[str, Any]) -> Path | None:
    """Save a re-scoring atomically under `scores/`; None (nothing written) when its options are the run's
    own, whose record is results.json, which is never overwritten."""
    options = ScoringOptions.from_dict(results["scoring"], "re-scored results")
    if options == primary_scoring(run):
        return None
    path = run.scores(options.file_name())
    atomic_write_json(path, results)
    return path
