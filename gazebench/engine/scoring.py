"""Saved predictions → the results JSON. Shared by `gazebench run` (at the end) and `gazebench score`.

Labels are never stored in a run directory: they are read again from the data, whose fingerprint
must equal the one recorded when the predictions were made.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from gazebench.engine.predict import DIAGNOSTIC_PREFIX, gaze_columns, read_predictions, score_matrix
from gazebench.engine.rundir import RunDir, read_json
from gazebench.engine.verify import prediction_digests
from gazebench.engine.workload import TaskData
from gazebench.errors import ConfigError
from gazebench.records import Sample

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
    """Per-label thresholds {label: t} for `policy`, tuned on in-domain validate predictions only."""
    from gazebench.metrics import thresholds

    labels = data.task.labels
    if policy == "fixed":
        values = np.full(len(labels), 0.5)
        source = "0.5"
    else:
        samples = data.val_samples
        y_val = data.task.targets(samples)
        p_val = score_matrix(aligned(samples, val_df, where), labels, where)
        tuned = thresholds.tune(y_val, p_val, method=cast("thresholds.TuneMethod", policy))
        values = np.asarray(tuned, dtype=np.float64)
        source = f"{data.task.name} {data.task.val_split} split (n={len(samples)})"
    return {"policy": policy, "source": source, "values": {k: float(v) for k, v in zip(labels, values, strict=True)}}


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
                 n_boot: int, seed: int) -> dict[str, Any]:
    """Macro AUROC/Acc/F1 with patient-bootstrap CIs, per-label values and the labels left out."""
    from gazebench.metrics import bootstrap_ci, summary

    out = dict(summary(y, p, thr, labels))
    ci = bootstrap_ci(y, p, thr, clusters, n_boot=n_boot, seed=seed)
    for stat in ("auroc", "acc", "f1"):
        out[f"{stat}_ci"] = _ci(ci[stat])
    out["labels_excluded"] = list(out.get("auroc_labels_excluded", []))
    return out


def task_result(data: TaskData, df: pd.DataFrame, where: Path, thresholds: dict[str, Any], n_boot: int,
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
    result: dict[str, Any] = metric_block(y, p, thr, task.labels, clusters, n_boot, seed)
    for name, subset in task.subsets:
        cols = [task.labels.index(label) for label in subset]
        block = metric_block(y[:, cols], p[:, cols], thr[cols], subset, clusters, n_boot, seed)
        result[name] = {k: block[k] for k in ("auroc", "auroc_ci", "acc", "acc_ci", "f1", "f1_ci", "labels_excluded")}
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


def score_run(run: RunDir, data: dict[str, TaskData], *, threshold_policy: str | None = None,
              n_boot: int | None = None) -> dict[str, Any]:
    """The complete results JSON for a run directory whose predictions are all on disk."""
    import gazebench

    config = run.load_config()
    check_data(config, data, run.path)
    policy = threshold_policy or config["threshold_policy"]
    boots = int(n_boot or config["n_boot"])
    seed = int(config["seed"])
    train = data[config["train_task"]]
    thresholds = tuned_thresholds(policy, train, read_predictions(run.validation(train.task.name)),
                                  run.validation(train.task.name))
    results, curves = {}, {}
    for name in config["tasks"]:
        folder = run.predictions(name)
        results[name], curves[name] = task_result(data[name], read_predictions(folder), folder, thresholds, boots,
                                                  seed, grid_of(config))
    provenance = read_json(run.provenance) if run.provenance.is_file() else {}
    out: dict[str, Any] = {
        "results": results,
        "versions": {name: data[name].task.version for name in config["tasks"]},
        "n-samples": {name: {"original": len(data[name].dataset.split(data[name].task.eval_split)),
                             "effective": results[name]["n"]} for name in config["tasks"]},
        "higher_is_better": {name: {"auroc": True, "acc": True, "f1": True} for name in config["tasks"]},
        "model_name": config["model"],
        "config": config,
        "config_hash": config["config_hash"],
        "thresholds": thresholds,
        "git_hash": (provenance.get("git") or {}).get("commit"),
        "gazebench_version": gazebench.__version__,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "data": {name: data[name].manifest for name in config["tasks"]},
        "task_definitions": {name: data[name].task.describe() for name in config["tasks"]},
        "skipped": {name: data[name].skips for name in config["tasks"]},
        "curves": curves,
        "evidence": prediction_digests(run, list(config["tasks"]), config["train_task"]),
    }
    if threshold_policy is not None or n_boot is not None:
        out["rescored"] = {"threshold_policy": policy, "n_boot": boots}
    if any(data[name].simulated for name in config["tasks"]):
        out["dataset_note"] = SIMULATED_NOTE
    return out


def rescore(run_dir: Path | str, *, data_root: Path | str | None = None, threshold_policy: str | None = None,
            n_boot: int | None = None) -> dict[str, Any]:
    """`gazebench score`: recompute a run's results from its saved predictions, without the model."""
    from gazebench.engine.workload import run_data

    run = RunDir(Path(run_dir))
    return score_run(run, run_data(run.load_config(), data_root), threshold_policy=threshold_policy, n_boot=n_boot)
