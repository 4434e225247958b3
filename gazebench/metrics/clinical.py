"""Clinical efficacy (CE): precision, recall and F1 of the CheXpert labels a labeler reads off generated
reports against those it reads off the reference reports (Chen et al. 2020, R2Gen; Nicolson et al.).

Codes in: 1 positive, 0 negative, -1 uncertain, NaN blank (not mentioned). Binarisation: blank and 0 are
negative; uncertain follows `uncertain`: "positive" (the CheXbert/"rrg" convention), "negative" (R2Gen's
compute_ce), or "ignore" (a cell uncertain in either report is left out of every count, and counted).
A ratio whose denominator is 0 is 0, as scikit-learn's default zero_division (macro averages are
pulled down by labels with no positives; say so beside them). Example-based: per report
P = |Y∩P|/|P|, R = |Y∩P|/|Y|, F1 = 2|Y∩P|/(|Y|+|P|), each 0 when its denominator is 0, then the mean.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from gazebench.labels import CHEXPERT_LABELS
from gazebench.metrics.inputs import MetricInputError, as_2d

UncertainPolicy = Literal["positive", "negative", "ignore"]
UNCERTAIN_POLICIES: tuple[str, ...] = ("positive", "negative", "ignore")


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1, fractions."""

    precision: float
    recall: float
    f1: float


@dataclass(frozen=True, eq=False)
class ClinicalEfficacy:
    """Micro, macro and example-based P/R/F1 plus per-label values, under one uncertain-label policy."""

    micro: PRF
    macro: PRF
    example: PRF
    per_label: dict[str, PRF]
    support: dict[str, int]
    """Reference positives per label (after binarisation and masking)."""
    labels: tuple[str, ...]
    uncertain: UncertainPolicy
    n_reports: int
    n_ignored_cells: int
    """Cells left out because either report was uncertain there (policy "ignore"; else 0)."""


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def _prf(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return _ratio(tp, tp + fp), _ratio(tp, tp + fn), _ratio(2 * tp, 2 * tp + fp + fn)


def binarize(codes: object, uncertain: UncertainPolicy) -> tuple[np.ndarray, np.ndarray]:
    """(0/1 matrix, mask of cells that count) from raw codes; an unknown code or policy raises."""
    if uncertain not in UNCERTAIN_POLICIES:
        raise MetricInputError(f"uncertain policy must be one of {', '.join(UNCERTAIN_POLICIES)}, got {uncertain!r}")
    arr = as_2d(codes, "label codes")
    bad = ~(np.isnan(arr) | np.isin(arr, (1.0, 0.0, -1.0)))
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise MetricInputError(
            f"label codes must be 1, 0, -1 or NaN; found {arr[r, c]} at row {r}, column {c} (0-based)"
        )
    is_uncertain = arr == -1.0
    positive = (arr == 1.0) | (is_uncertain & (uncertain == "positive"))
    keep = ~is_uncertain if uncertain == "ignore" else np.ones_like(positive)
    return positive.astype(np.int64), keep


@dataclass(frozen=True, eq=False)
class CECounts:
    """Per-report, per-label TP / FP / FN (N, L) of binarised codes, and the cells left out ("ignore")."""

    tp: np.ndarray
    fp: np.ndarray
    fn: np.ndarray
    n_ignored_cells: int


def ce_counts(
    reference: object, generated: object, uncertain: UncertainPolicy, columns: Sequence[int] | None = None
) -> CECounts:
    """TP / FP / FN of generated-report codes against reference-report codes (both (N, L)), on `columns` only
    (e.g. the CheXpert-5 columns of 14-label codes; all when None)."""
    y, keep_y = binarize(reference, uncertain)
    p, keep_p = binarize(generated, uncertain)
    if y.shape != p.shape:
        raise MetricInputError(f"reference codes have shape {y.shape} but generated codes have shape {p.shape}")
    if columns is not None:
        cols = list(columns)
        y, p, keep_y, keep_p = y[:, cols], p[:, cols], keep_y[:, cols], keep_p[:, cols]
    keep = keep_y & keep_p
    return CECounts(y & p & keep, (1 - y) & p & keep, y & (1 - p) & keep, int((~keep).sum()))


def ce_averages(counts: CECounts, weights: np.ndarray | None = None) -> dict[str, PRF]:
    """Micro, macro and example-based P/R/F1 of `counts` with per-report `weights` (a bootstrap replicate's
    multiplicities; all 1 when None): micro pools weighted TP/FP/FN over labels, macro averages per-label
    values, example-based is the weighted mean of per-report values."""
    w = np.ones(counts.tp.shape[0]) if weights is None else np.asarray(weights, dtype=np.float64)
    sums = [w @ c for c in (counts.tp, counts.fp, counts.fn)]
    micro = _prf(*(s.sum() for s in sums))
    macro = _prf(*sums)
    per_report = _prf(counts.tp.sum(1), counts.fp.sum(1), counts.fn.sum(1))
    total = float(w.sum())
    example = [float(w @ v / total) if total > 0 else float("nan") for v in per_report]
    return {"micro": PRF(*(float(v) for v in micro)), "macro": PRF(*(float(v.mean()) for v in macro)),
            "example": PRF(*example)}


def clinical_efficacy(
    reference: object,
    generated: object,
    labels: Sequence[str] = CHEXPERT_LABELS,
    uncertain: UncertainPolicy = "positive",
) -> ClinicalEfficacy:
    """CE scores of generated-report label codes against reference-report codes, both (N, L)."""
    counts = ce_counts(reference, generated, uncertain)
    if len(labels) != counts.tp.shape[1]:
        raise MetricInputError(f"{len(labels)} label names given for {counts.tp.shape[1]} label columns")
    averages = ce_averages(counts)
    per_p, per_r, per_f = _prf(counts.tp.sum(0), counts.fp.sum(0), counts.fn.sum(0))
    return ClinicalEfficacy(
        micro=averages["micro"],
        macro=averages["macro"],
        example=averages["example"],
        per_label={
            n: PRF(float(a), float(b), float(c)) for n, a, b, c in zip(labels, per_p, per_r, per_f, strict=True)
        },
        support={n: int(s) for n, s in zip(labels, (counts.tp + counts.fn).sum(0), strict=True)},
        labels=tuple(labels),
        uncertain=uncertain,
        n_reports=int(counts.tp.shape[0]),
        n_ignored_cells=counts.n_ignored_cells,
    )
