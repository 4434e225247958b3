"""Gaze trajectory: one item per test image with REFLACX readings. Each reading's fixations are clustered
into regions ordered by time (gazebench.gaze.clusters); the model's predicted clusters (mapped from its input
frame to image pixels) are matched to each reading's (gazebench.metrics.agreement): ICC(2,1) of matched
centroids per axis, mean centroid distance in pixels and in cells of the task's grid, Kendall τ-b of the orders.
Findings: the model's report, labelled by the task's labeler, against the strict majority of the image's
REFLACX readers (finding names mapped to CheXpert by the task's `finding_names`), beside each reader against the
same majority."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gazebench.adapter import Adapter, Predictions, Query
from gazebench.engine.kinds.base import (
    Item,
    ItemScores,
    ItemSet,
    KindScorer,
    item,
    original_size,
    to_image_frame,
    to_model_frame,
)
from gazebench.engine.kinds.columns import point_lists, stored_points, stored_texts
from gazebench.engine.kinds.prf import prf, weighted_mean
from gazebench.gaze.clusters import cluster_fixations
from gazebench.labels import CHEXPERT_LABELS
from gazebench.metrics.agreement import examination_agreement, icc_2_1, region_agreement
from gazebench.metrics.clinical import binarize
from gazebench.metrics.inputs import MetricInputError
from gazebench.records import Sample
from gazebench.reports.labelers import LABELERS
from gazebench.task import Task


def reader_findings(task: Task, sample: Sample) -> dict[str, set[str]]:
    """CheXpert labels each REFLACX reading of `sample` located (at or above the task's certainty)."""
    to_chexpert = {name: label for label, names in task.finding_names for name in names}
    readers: dict[str, set[str]] = {r.reading_id: set() for r in sample.gaze if r.source == "reflacx"}
    for f in sample.findings:
        if f.certainty >= (task.min_certainty or 1) and f.name in to_chexpert:
            readers.setdefault(f.reader, set()).add(to_chexpert[f.name])
    return readers


def _icc(pairs: np.ndarray, w: np.ndarray, axis: int) -> float:
    """ICC(2,1) of the (model, radiologist) coordinate pairs, each pair repeated by its item's weight."""
    rows = np.repeat(pairs[:, :, axis], w.astype(np.int64), axis=0)
    try:
        return icc_2_1(rows)
    except MetricInputError:
        return float("nan")


class ScanpathKind(KindScorer):
    """`scanpath` tasks: `Predictions.scanpath` (and `reports`, for the findings), one per image."""

    name = "scanpath"

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

    def columns(self, out: Predictions, n: int, side: int, adapter: Adapter) -> dict[str, Any]:
        cols: dict[str, Any] = dict(point_lists(out.scanpath, n, adapter))
        cols["report"] = [""] * n if out.reports is None else [str(r) for r in out.reports]
        return cols

    def scores(self, task: Task, items: ItemSet, df: pd.DataFrame, side: int, where: Path) -> ItemScores:
        pred = [to_image_frame(p, i.image_size, side) for p, i in zip(stored_points(df, where), items.items,
                                                                      strict=True)]
        pairs, dist_px, dist_cells, taus, counts = [], [], [], [], []
        labels = LABELERS.create(task.labeler).label(stored_texts(df, "report", where))
        positive, _ = binarize(labels, task.ce_uncertain)
        if task.grid is None:  # Task refuses a scanpath task without one
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

        def statistic(w: np.ndarray) -> dict[str, float]:
            pw = np.repeat(w, n_pairs)
            tp, fn, fp, rtp, rfn, rfp = w @ count
            precision, recall, f1 = (float(v) for v in prf(tp, fp, fn))
            return {"icc_x": _icc(all_pairs, pw, 0), "icc_y": _icc(all_pairs, pw, 1),
                    "dist_px": weighted_mean(px, pw), "dist_cells": weighted_mean(cells, pw),
                    "kendall_tau": weighted_mean(tau_mean, w), "finding_precision": precision,
                    "finding_recall": recall, "finding_f1": f1, "reader_finding_f1": float(prf(rtp, rfp, rfn)[2]),
                    "finding_tp": float(tp), "finding_fn": float(fn), "finding_fp": float(fp)}

        extra = {"grid": list(grid), "n_readings": sum(len(i.reference) for i in items.items),
                 "n_matched_regions": int(n_pairs.sum()), "n_predicted_regions": int(sum(len(p) for p in pred)),
                 "n_items_without_prediction": int(sum(len(p) == 0 for p in pred)),
                 "n_fixations_noise": int(n_noise), "n_fixations_off_image": int(n_off),
                 "majority": "strict (> half the image's REFLACX readers); each reader counts towards it",
                 "labeler": task.labeler, "finding_labels": list(finding_labels)}
        return ItemScores(statistic, np.array([i.sample.patient_id for i in items.items], dtype=object), extra)
