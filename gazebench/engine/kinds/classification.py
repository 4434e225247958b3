"""Classification: one item per image; the model's `classify` returns label probabilities (and optionally
predicted gaze cells and saliency maps), stored as one column per label (`g<k>`, and `s<k>` in a binary
sidecar). Scored with macro AUROC, accuracy and F1 at the run's thresholds, patient-bootstrap CIs, named label
subsets, the task's extra metric families (calibration), slices, predicted gaze against the readers' and the
macro ROC curve; compared by paired bootstrap and DeLong tests of per-label AUROC (Holm-adjusted)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from gazebench.adapter import Adapter
from gazebench.comparison import PairedMetric, PairedTest, TaskComparison
from gazebench.engine.config import ScoringOptions
from gazebench.engine.families import family_block
from gazebench.engine.kinds.base import ItemScores, ItemSet, Kind, ScoreContext, item
from gazebench.engine.predictions import aligned, diagnostics_summary, gaze_columns, score_matrix
from gazebench.engine.slices import slice_results
from gazebench.errors import ConfigError, GazebenchError
from gazebench.metrics.randomization import N_PERMUTATIONS
from gazebench.metrics.vocabulary import AUROC, metrics_for
from gazebench.outputs import Probabilities
from gazebench.records import Sample
from gazebench.results import MetricBlock, MetricValue, TaskResult
from gazebench.task import Task

if TYPE_CHECKING:
    import pandas as pd

ROC_POINTS = 101


def thresholds_of(task: Task, thresholds: Mapping[str, Any]) -> np.ndarray:
    """The run's decision threshold of each of the task's labels (0.5 where none is recorded)."""
    values = thresholds.get("values") or {}
    return np.array([values.get(label, 0.5) for label in task.labels], dtype=np.float64)


class ClassificationKind(Kind):
    """`classification` tasks: `classify(batch) -> Probabilities`, one row per image."""

    name = "classification"
    family = "classification"
    method = "classify"
    output = Probabilities
    reads_labels = True
    label_views = True
    model_text = False

    def check_model(self, task: Task, adapter: Adapter, model: str) -> None:
        missing = [label for label in task.labels if label not in adapter.spec.labels]
        if missing:
            raise ConfigError(f"model {model!r} does not predict {', '.join(missing)}, "
                              f"which task {task.name!r} scores (or tunes thresholds on)")

    def items(self, task: Task, samples: Sequence[Sample], side: int) -> ItemSet:
        return ItemSet(tuple(item(s, None) for s in samples))

    def columns(self, out: Probabilities, ids: Sequence[str], side: int, adapter: Adapter) -> dict[str, Any]:
        n, labels = len(ids), adapter.spec.labels
        probs = _array(out.probs, (n, len(labels)), "probs", adapter)
        cols: dict[str, Any] = {label: probs[:, j] for j, label in enumerate(labels)}
        if out.gaze is not None:
            gaze = np.asarray(out.gaze)
            if gaze.ndim != 2 or gaze.shape[0] != n:
                raise GazebenchError(f"model {type(adapter).__name__} returned gaze of shape {gaze.shape}, "
                                     f"expected ({n}, K)")
            cols.update({f"g{k}": gaze[:, k].astype(np.int64) for k in range(gaze.shape[1])})
        return cols

    def maps(self, out: Probabilities, ids: Sequence[str], adapter: Adapter) -> np.ndarray | None:
        if out.saliency is None or adapter.spec.grid is None:
            return None
        rows, ncols = adapter.spec.grid
        sal = _array(out.saliency, (len(ids), rows, ncols), "saliency", adapter).reshape(len(ids), -1)
        _check_saliency(sal, ids, adapter)
        return sal

    def scores(self, task: Task, items: ItemSet, df: pd.DataFrame, side: int, where: Path) -> ItemScores:
        raise NotImplementedError("classification is scored by label (ClassificationKind.result)")

    def result(self, task: Task, items: ItemSet, df: pd.DataFrame, ctx: ScoreContext) -> TaskResult:
        return task_result(task, items.samples, df, ctx)

    def table_note(self, result: TaskResult) -> str:
        total = len(result.details.get("per_label") or {})
        used = total - len(result.details.get("labels_excluded") or [])
        policy = (result.details.get("threshold_policy") or {}).get("name", "")
        return f"AUROC labels {used}/{total} used; thresholds {policy}"

    table_caption = (
        "thresholds: this table uses the run's policy (see each row's notes; `fixed` = 0.5); `gazebench paper-table` "
        "scores Acc/F1 with max-f1 thresholds tuned per label on the in-domain validate split (rescore this run with "
        "`--threshold-policy max-f1`).")

    def caption_lines(self, name: str, result: TaskResult) -> list[str]:
        """A line when some label with positives in the test split was never predicted positive (no score reached
        its threshold): its F1 is 0 because every prediction is No, not because the model ranks badly (AUROC does
        not use the threshold). Results written before the count existed say nothing."""
        per = result.details.get("per_label") or {}
        never = [label for label, v in per.items() if v.get("n_pred_pos") == 0 and (v.get("n_pos") or 0) > 0]
        if not never:
            return []
        policy = (result.details.get("threshold_policy") or {}).get("name", "?")
        shown = ", ".join(never[:4]) + (f" and {len(never) - 4} more" if len(never) > 4 else "")
        return [f"{name}: no score crossed the {policy} threshold on {len(never)}/{len(per)} labels ({shown}): every "
                "prediction is No there, so F1 is 0 by construction; see AUROC, or rescore with --threshold-policy "
                "max-f1"]

    def check_result(self, result: TaskResult, where: str) -> None:
        """Each macro value is the mean of its per-label values, in the task's own metrics and in every block that
        records per-label values (calibration)."""
        groups = [(where, result.family, result.metrics, result.details.get("per_label"))]
        groups += [(f"{where}/{key}", block.family, block.metrics, block.details.get("per_label"))
                   for key, block in result.blocks.items()]
        for name, family, metrics, per_label in groups:
            for metric in metrics_for(family):
                value = metrics[metric.name].value if metric.name in metrics else None
                found = [v.get(metric.name) for v in per_label.values()] if isinstance(per_label, dict) else []
                labels = [float(v) for v in found if isinstance(v, (int, float)) and np.isfinite(v)]
                if value is not None and labels and not np.isclose(value, sum(labels) / len(labels), rtol=1e-9,
                                                                     atol=1e-12):
                    raise ConfigError(f"{name} {metric.name} {value:.4f} is not the mean of its per-label values "
                                      f"({sum(labels) / len(labels):.4f})")

    def curve(self, task: Task, items: ItemSet, df: pd.DataFrame, ctx: ScoreContext) -> dict[str, list[float]]:
        samples = items.samples
        return macro_roc(task.targets(samples), score_matrix(aligned(samples, df, ctx.where), task.labels, ctx.where))

    def compare(self, task: Task, items: ItemSet, dfs: tuple[pd.DataFrame, pd.DataFrame],
                ctxs: tuple[ScoreContext, ScoreContext], n_boot: int, seed: int,
                n_perm: int = N_PERMUTATIONS) -> TaskComparison:
        from gazebench.metrics import delong_macro, paired_bootstrap, summary
        from gazebench.metrics.bootstrap import MACRO_STATS

        samples = items.samples
        y = task.targets(samples)
        p = [score_matrix(aligned(samples, df, c.where), task.labels, c.where) for df, c in zip(dfs, ctxs, strict=True)]
        t = [thresholds_of(task, c.thresholds) for c in ctxs]
        clusters = np.array([s.patient_id for s in samples], dtype=object)
        point = [summary(y, p[k], t[k], task.labels) for k in (0, 1)]
        paired = paired_bootstrap(y, p[0], p[1], t[0], t[1], clusters, n_boot=n_boot, seed=seed, stats=MACRO_STATS)
        metrics = {stat: PairedMetric.of(point[0][stat], point[1][stat], paired[stat]["diff"], paired[stat]["ci"],
                                         paired[stat]["p_value"], paired[stat]["sd"], paired[stat]["mdd"])
                   for stat in MACRO_STATS}
        delong = delong_macro(y, p[0], p[1], labels=task.labels)
        holm = [v["p_holm"] for v in delong["per_label"].values() if v["p_holm"] is not None]
        test = PairedTest("DeLong, per label, Holm-adjusted", min(holm) if holm else None,
                          tuple(delong.pop("holm_significant")), delong)
        return TaskComparison(len(samples), metrics, {AUROC.name: test})


def _array(value: object, shape: tuple[int, ...], what: str, adapter: Adapter) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.shape != shape:
        raise GazebenchError(f"model {type(adapter).__name__} returned {what} of shape {arr.shape}, expected {shape}")
    return arr


def _check_saliency(sal: np.ndarray, ids: Sequence[str], adapter: Adapter) -> None:
    """Saliency maps must be finite and non-negative (an all-zero map is allowed: scoring skips and counts it)."""
    bad = ~np.isfinite(sal).all(axis=1) | (np.nan_to_num(sal) < 0).any(axis=1)
    if bad.any():
        i = int(np.argmax(bad))
        raise GazebenchError(f"model {type(adapter).__name__} returned a negative or non-finite saliency map "
                             f"for sample {ids[i]!r} (maps must be finite and >= 0)")


def macro_roc(y: np.ndarray, p: np.ndarray, points: int = ROC_POINTS) -> dict[str, list[float]]:
    """Mean of per-label ROC curves (TPR interpolated on a common FPR grid) over labels with both classes."""
    from gazebench.metrics.classification import roc_points

    grid = np.linspace(0.0, 1.0, points)
    tprs = []
    for j in range(y.shape[1]):
        ok = ~np.isnan(y[:, j])
        yj = y[ok, j]
        if yj.size == 0 or yj.min() == yj.max():
            continue
        fpr, tpr = roc_points(yj, p[ok, j])
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
                 options: ScoringOptions, seed: int) -> tuple[dict[str, MetricValue], dict[str, Any]]:
    """The family's macro metrics with patient-bootstrap CIs, and the details: per-label values and the labels
    left out of the AUROC (one class only)."""
    from gazebench.metrics import bootstrap_ci, summary

    metrics = metrics_for(ClassificationKind.family)
    raw = summary(y, p, thr, labels)
    ci = bootstrap_ci(y, p, thr, clusters, n_boot=options.n_boot, seed=seed, level=options.ci_level,
                      stats=tuple(m.name for m in metrics))
    values = {m.name: MetricValue.of(raw[m.name], _ci(ci[m.name])) for m in metrics}
    details = {k: v for k, v in raw.items() if k not in values}
    details["labels_excluded"] = list(details.pop("auroc_labels_excluded", []))
    return values, details


def task_result(task: Task, samples: tuple[Sample, ...], df: pd.DataFrame, ctx: ScoreContext) -> TaskResult:
    """One classification task's result."""
    from gazebench.metrics import ThresholdPolicy

    options, seed, thresholds, where = ctx.options, ctx.seed, ctx.thresholds, ctx.where
    df = aligned(samples, df, where)
    y = task.targets(samples)
    p = score_matrix(df, task.labels, where)
    thr = thresholds_of(task, thresholds)
    clusters = np.array([s.patient_id for s in samples], dtype=object)
    policy = ThresholdPolicy(name=thresholds["policy"],
                             values=None if thresholds["policy"] == "fixed" else tuple(float(t) for t in thr),
                             source=thresholds["source"])
    metrics, details = metric_block(y, p, thr, task.labels, clusters, options, seed)
    blocks: dict[str, MetricBlock] = {}
    for name, subset in task.subsets:
        cols = [task.labels.index(label) for label in subset]
        sub, sub_details = metric_block(y[:, cols], p[:, cols], thr[cols], subset, clusters, options, seed)
        blocks[name] = MetricBlock(ClassificationKind.family, sub, {"labels_excluded": sub_details["labels_excluded"]})
    for family in task.metric_families:
        blocks[family] = family_block(family, y, p, task.labels, clusters, options, seed)
    slices = slice_results(samples, task.slices if options.slices is None else options.slices,
                           lambda rows: metric_block(y[rows], p[rows], thr, task.labels, clusters[rows], options,
                                                     seed)[0])
    details |= {"threshold_policy": policy.describe(), "uncertain_policy": task.uncertain, "blank_policy": task.blank}
    gaze = gaze_result(samples, df, ctx.grid)
    if gaze is not None:
        details["gaze"] = gaze
    return TaskResult(kind=task.kind, family=ClassificationKind.family, n=len(samples), n_patients=len(set(clusters)),
                      metrics=metrics, blocks=blocks, slices=slices, diagnostics=diagnostics_summary(df, where),
                      details=details)


def gaze_result(samples: tuple[Sample, ...], df: pd.DataFrame, grid: tuple[int, int] | None) -> dict[str, Any] | None:
    """Predicted patch sequences (and saliency maps) against every radiologist reading of the same image."""
    gcols, scols = gaze_columns(df, "g"), gaze_columns(df, "s")
    if grid is None or not (gcols or scols):
        return None
    from gazebench.gaze.alignment import scanpath_summary
    from gazebench.gaze.heatmap import fixation_counts, gaze_heatmap
    from gazebench.gaze.targets import EmptyScanpath, ordered_targets
    from gazebench.metrics.saliency import saliency_summary, undefined_counts

    maps = df[scols].to_numpy(dtype=np.float64) if scols else None  # whole columns: a .loc per row costs ~1 ms
    cells = df[gcols].to_numpy(dtype=np.int64) if gcols else None
    preds, refs, sal_rows = [], [], []
    skipped = zero_maps = 0
    for i, sample in enumerate(samples):
        sal = maps[i].reshape(grid) if maps is not None else None
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
            if cells is not None:
                preds.append(cells[i])
                refs.append(ref)
            if sal is not None and heat is not None:
                # NSS on the fixation counts at the fixated cells, a cell fixated twice counting twice (pysaliency's
                # NSS, docs/metrics.md "Saliency maps"); the MIT convention and AUC-Judd binarise them themselves
                counts = fixation_counts(rec.fixations, rec.image_size, grid)
                sal_rows.append(saliency_summary(sal, heat, counts))
    out: dict[str, Any] = {"n_readings": max(len(preds), len(sal_rows)), "n_readings_skipped": skipped,
                           "grid": list(grid), "k": len(gcols)}
    if scols:
        out["n_saliency_maps_zero"] = zero_maps
    if preds:
        out["scanpath"] = {k: float(v) for k, v in scanpath_summary(np.array(preds), np.array(refs), grid).items()}
    if sal_rows:
        table = {k: np.array([r[k] for r in sal_rows]) for k in sal_rows[0]}
        out["saliency"] = {k: float(v[np.isfinite(v)].mean()) if np.isfinite(v).any() else float("nan")
                           for k, v in table.items()}  # undefined readings left out, and counted:
        out["n_saliency_undefined"] = undefined_counts(sal_rows)
    return out
