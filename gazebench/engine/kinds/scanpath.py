"""Gaze trajectory: one item per test image with REFLACX readings. Each reading's fixations are clustered
into regions ordered by time (gazebench.gaze.clusters); the model's predicted clusters (mapped from its input
frame to image pixels) are matched to each reading's (gazebench.metrics.agreement): ICC of matched centroids per
axis (the task's ICC form, default ICC(2,1)), mean centroid distance in pixels and in cells of the task's grid,
Kendall τ-b of the orders. Scanpath similarity of the predicted region sequence to each reading's
(gazebench.gaze.scanpath_similarity: MultiMatch, ScanMatch, DTW, GazeSearch's SED) and saliency of the predicted
regions as a map against each reading's fixations (gazebench.gaze.saliency: NSS and SIM under both conventions,
shuffled AUC with other images' fixations as negatives, AUC-Borji with uniform negatives; readings where one is
undefined are counted in `gaze.n_saliency_undefined`). Findings: the model's report, labelled by the task's
labeler, against the strict majority of the image's REFLACX readers (finding names mapped to CheXpert by the
task's `finding_names`), beside each reader against the same majority."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gazebench.adapter import Adapter, Query
from gazebench.engine.kinds.base import (
    Item,
    ItemScores,
    ItemSet,
    Kind,
    item,
    original_size,
    to_image_frame,
    to_model_frame,
)
from gazebench.engine.kinds.columns import point_lists, stored_points, stored_texts, texts
from gazebench.engine.kinds.prf import prf, weighted_mean
from gazebench.gaze.clusters import GazeRegions, cluster_fixations
from gazebench.gaze.heatmap import fixation_counts, gaze_heatmap, points_heatmap
from gazebench.gaze.scanpath import EmptyScanpath
from gazebench.gaze.scanpath_similarity import (
    MULTIMATCH_MIN_FIXATIONS,
    SED_GRID,
    SIMILARITY_METRICS,
    ScanMatchSettings,
    saccade_threshold,
    similarity,
)
from gazebench.labels import CHEXPERT_LABELS
from gazebench.metrics.agreement import ICC_FORMS, IccForm, examination_agreement, icc, region_agreement
from gazebench.metrics.clinical import binarize
from gazebench.metrics.inputs import MetricInputError
from gazebench.metrics.saliency import saliency_summary, undefined_counts
from gazebench.metrics.vocabulary import SALIENCY_METRICS
from gazebench.outputs import Scanpaths
from gazebench.records import Sample
from gazebench.reports.labelers import LABELERS
from gazebench.task import Task

if TYPE_CHECKING:
    import pandas as pd


def reader_findings(task: Task, sample: Sample) -> dict[str, set[str]]:
    """CheXpert labels each REFLACX reading of `sample` located (at or above the task's certainty)."""
    to_chexpert = {name: label for label, names in task.finding_names for name in names}
    readers: dict[str, set[str]] = {r.reading_id: set() for r in sample.gaze if r.source == "reflacx"}
    for f in sample.findings:
        if f.certainty >= (task.min_certainty or 1) and f.name in to_chexpert:
            readers.setdefault(f.reader, set()).add(to_chexpert[f.name])
    return readers


ICC_PAIRING = ("each radiologist region paired with its Hungarian-matched predicted region (min total centroid "
               "distance), pairs of all readings pooled, k = 2 raters (model, radiologist), one ICC per axis")


def _icc(pairs: np.ndarray, w: np.ndarray, axis: int, form: IccForm) -> float:
    """ICC of the (model, radiologist) coordinate pairs, each pair repeated by its item's weight."""
    rows = np.repeat(pairs[:, :, axis], w.astype(np.int64), axis=0)
    try:
        return icc(rows, form)
    except MetricInputError:
        return float("nan")


def _scanpath_settings(items: Sequence[Item], grid: tuple[int, int]) -> tuple[ScanMatchSettings, str]:
    """ScanMatch on the task's grid with Cristino et al.'s advised threshold, 2·sd of the radiologists' saccade
    amplitudes between regions (in bins), over this task's readings; the default threshold when there are too few."""
    refs = [g.centroids for i in items for _, g in i.reference]
    sizes = [i.image_size for i in items for _ in i.reference]
    threshold = saccade_threshold(refs, sizes, grid)
    if np.isfinite(threshold) and threshold > 0:
        return ScanMatchSettings(bins=grid, threshold=threshold), "2 sd of the readings' region-to-region saccades"
    return ScanMatchSettings(bins=grid), "default (fewer than 2 region-to-region saccades among the readings)"


def _on_image(points: np.ndarray, size: tuple[float, float]) -> tuple[np.ndarray, int]:
    """Points clipped into the image (string metrics bin them), and how many needed it."""
    hi = np.nextafter(np.asarray(size, dtype=np.float64), 0)
    clipped = np.clip(points, 0.0, hi)
    return clipped, int(np.any(clipped != points, axis=1).sum())


def _fixated(item: Item, grid: tuple[int, int]) -> dict[str, np.ndarray]:
    """Each reading's fixation counts on `grid`, by reading id."""
    by_id = {r.reading_id: r for r in item.sample.gaze}
    return {rid: fixation_counts(by_id[rid].fixations, item.image_size, grid) for rid, _ in item.reference}


def _gaze_scores(pred: list[np.ndarray], items: Sequence[Item],
                 grid: tuple[int, int]) -> tuple[np.ndarray, dict[str, Any]]:
    """(N, metrics) per-item means over readings of SIMILARITY_METRICS then SALIENCY_METRICS, and the counts and
    settings behind them."""
    settings, source = _scanpath_settings(items, grid)
    fixated = [_fixated(i, grid) for i in items]
    union = [np.sum([m > 0 for m in f.values()], axis=0) > 0 for f in fixated]
    total = np.sum(union, axis=0)
    rng = np.random.default_rng(0)
    rows, n_clipped, n_short, n_no_map = [], 0, 0, 0
    sal_rows: list[dict[str, float]] = []
    for p, it, fix, own in zip(pred, items, fixated, union, strict=True):
        points, clipped = _on_image(p, it.image_size)
        n_clipped += clipped
        by_id = {r.reading_id: r for r in it.sample.gaze}
        others = (total - own) > 0
        per_reading = []
        for rid, regions in it.reference:
            ref = _regions(regions)
            n_short += int(min(len(points), len(ref)) < MULTIMATCH_MIN_FIXATIONS)
            try:
                sim = similarity(points, ref, it.image_size, settings) if len(points) else {}
            except ValueError as exc:  # e.g. a region off the image: refused, naming the sample
                raise MetricInputError(f"sample {it.sample.sample_id}, reading {rid}: {exc}") from None
            try:
                sal = points_heatmap(points, it.image_size, grid, by_id[rid].fixations.pixels_per_degree)
                heat = gaze_heatmap(by_id[rid].fixations, it.image_size, grid)
                sal_scores = saliency_summary(sal, heat, fix[rid], rng, others)
                sal_rows.append(sal_scores)
            except EmptyScanpath:
                n_no_map += 1
                sal_scores = {}
            per_reading.append([sim.get(k, np.nan) for k in SIMILARITY_METRICS]
                               + [sal_scores.get(k, np.nan) for k in SALIENCY_METRICS])
        table = np.asarray(per_reading, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            finite = np.isfinite(table)
            rows.append(np.where(finite.any(axis=0), np.nansum(table, axis=0) / np.maximum(finite.sum(axis=0), 1),
                                 np.nan))
    extra = {"scanmatch_settings": {"bins": list(settings.bins), "threshold_bins": settings.threshold,
                           "threshold_source": source, "gap": settings.gap, "temporal_bin_s": settings.temporal_bin_s},
             "sed_grid": [SED_GRID, SED_GRID], "n_predicted_points_clipped_into_image": n_clipped,
             "n_readings_too_short_for_multimatch": n_short, "n_readings_without_predicted_map": n_no_map,
             "mm_duration_note": "null: predicted scanpaths carry no durations (the other four do not use them)",
             "saliency_map": "the predicted regions as equal-weight fixations, 1-degree Gaussians, on the grid",
             "sauc_negatives": "fixated grid cells of every other image's readings (MIT AUC_shuffled, 100 splits)",
             "auc_borji_negatives": "grid cells drawn uniformly with replacement (MIT AUC_Borji, 100 splits, seed 0)",
             "gaze": {"n_saliency_undefined": undefined_counts(sal_rows)}}
    return np.asarray(rows, dtype=np.float64).reshape(len(items), -1), extra


def _regions(regions: GazeRegions) -> np.ndarray:
    """A reading's regions as a scanpath (x, y, dwell seconds) in time order."""
    return np.asarray([(r.x, r.y, r.dwell_s) for r in regions.regions], dtype=np.float64).reshape(-1, 3)


class ScanpathKind(Kind):
    """`scanpath` tasks: `trace(batch) -> Scanpaths` (gaze regions and the findings reported), one per image."""

    name = "scanpath"
    family = "scanpath"
    method = "trace"
    output = Scanpaths

    def check_task(self, task: Task) -> None:
        super().check_task(task)
        if not task.finding_names or task.grid is None:
            raise ValueError(f"task {task.name!r}: scanpath tasks declare their finding_names and grid")

    def describe_task(self, task: Task) -> dict[str, Any]:
        return {"labeler": task.labeler, "ce_uncertain_policy": task.ce_uncertain, "icc_form": task.icc_form,
                "finding_names": {k: list(v) for k, v in task.finding_names}, "grid": list(task.grid or ())}

    def items(self, task: Task, samples: Sequence[Sample], side: int) -> ItemSet:
        out: list[Item] = []
        without = 0
        for s in samples:
            readings = [(r.reading_id, cluster_fixations(r.fixations, r.image_size)) for r in s.gaze
                        if r.source == "reflacx"]
            readings = [(rid, g) for rid, g in readings if g.regions]
            if not readings:
                without += 1
                continue
            size = original_size(s)
            first = to_model_frame(readings[0][1].centroids, size, side)
            out.append(item(s, None, query=Query(reference=first), image_size=size, reference=readings))
        return ItemSet(tuple(out), {"image without a REFLACX reading with a gaze region": without} if without else {})

    def columns(self, out: Scanpaths, ids: Sequence[str], side: int, adapter: Adapter) -> dict[str, Any]:
        cols: dict[str, Any] = dict(point_lists(out.scanpaths, len(ids), adapter))
        cols["report"] = [""] * len(ids) if out.reports is None else texts(out.reports, len(ids), "reports", adapter)
        return cols

    def scores(self, task: Task, items: ItemSet, df: pd.DataFrame, side: int, where: Path) -> ItemScores:
        pred = [to_image_frame(p, i.image_size, side) for p, i in zip(stored_points(df, where), items.items,
                                                                      strict=True)]
        pairs, dist_px, dist_cells, taus, counts = [], [], [], [], []
        labels = LABELERS.create(task.labeler).label(stored_texts(df, "report", where))
        positive, _ = binarize(labels, task.ce_uncertain)
        if task.grid is None:  # check_task refuses a scanpath task without one
            raise ValueError(f"task {task.name!r} declares no grid")
        grid, finding_labels = task.grid, tuple(label for label, _ in task.finding_names)
        columns = [CHEXPERT_LABELS.index(name) for name in finding_labels]
        n_off, n_noise = 0, 0
        for p, it, row in zip(pred, items.items, positive, strict=True):
            agreements = [region_agreement(p, g.centroids, it.image_size, grid) for _, g in it.reference]
            n_noise += sum(g.n_noise for _, g in it.reference)
            n_off += sum(g.n_off_image for _, g in it.reference)
            pairs.append(np.concatenate([np.stack([a.predicted, a.reference], axis=1) for a in agreements]))
            dist_px.append(np.concatenate([a.distance_px for a in agreements]))
            dist_cells.append(np.concatenate([a.distance_cells for a in agreements]))
            taus.append([a.kendall_tau for a in agreements])
            reported = {finding_labels[j] for j, c in enumerate(columns) if row[c]}
            agreement = examination_agreement(reported, reader_findings(task, it.sample))
            readers = [c for k, c in agreement.items() if k != "model"]
            model = agreement["model"]
            counts.append([model.tp, model.fn, model.fp, sum(c.tp for c in readers), sum(c.fn for c in readers),
                           sum(c.fp for c in readers)])
        count = np.asarray(counts, dtype=np.float64).reshape(-1, 6)
        n_pairs = np.array([len(x) for x in pairs])
        all_pairs = np.concatenate(pairs).reshape(-1, 2, 2)
        px, cells = np.concatenate(dist_px), np.concatenate(dist_cells)
        tau_mean = np.array([np.nanmean(t) if np.isfinite(t).any() else np.nan for t in map(np.array, taus)])
        gaze, gaze_extra = _gaze_scores(pred, items.items, grid)
        form = task.icc_form

        def statistic(w: np.ndarray) -> dict[str, float]:
            pw = np.repeat(w, n_pairs)
            tp, fn, fp, rtp, rfn, rfp = w @ count
            precision, recall, f1 = (float(v) for v in prf(tp, fp, fn))
            means = {k: weighted_mean(gaze[:, j], w) for j, k in enumerate(SIMILARITY_METRICS + SALIENCY_METRICS)}
            return means | {"icc_x": _icc(all_pairs, pw, 0, form), "icc_y": _icc(all_pairs, pw, 1, form),
                    "dist_px": weighted_mean(px, pw), "dist_cells": weighted_mean(cells, pw),
                    "kendall_tau": weighted_mean(tau_mean, w), "finding_precision": precision,
                    "finding_recall": recall, "finding_f1": f1, "reader_finding_f1": float(prf(rtp, rfp, rfn)[2]),
                    "finding_tp": float(tp), "finding_fn": float(fn), "finding_fp": float(fp)}

        extra = {"grid": list(grid), "n_readings": sum(len(i.reference) for i in items.items),
                 "n_matched_regions": int(n_pairs.sum()), "n_predicted_regions": int(sum(len(p) for p in pred)),
                 "n_items_without_prediction": int(sum(len(p) == 0 for p in pred)),
                 "n_fixations_noise": int(n_noise), "n_fixations_off_image": int(n_off),
                 "majority": "strict (> half the image's REFLACX readers); each reader counts towards it",
                 "labeler": task.labeler, "finding_labels": list(finding_labels),
                 "icc_form": ICC_FORMS[form], "icc_pairing": ICC_PAIRING} | gaze_extra
        return ItemScores(statistic, np.array([i.sample.patient_id for i in items.items], dtype=object), extra)
