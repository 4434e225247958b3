"""Agreement between a model's predicted gaze regions and a radiologist's, and between a model's reported
findings and REFLACX readers': matched-centroid ICC, distance and order agreement, and finding TP/FN/FP.

ICC forms follow Shrout & Fleiss (1979) and are named with every ICC number: ICC(1,1) one-way random,
ICC(2,1) two-way random with absolute agreement (the default: a constant offset or a scale error, e.g. a
forgotten ×4 from GazeX's quarter frame, counts as disagreement), ICC(3,1) two-way mixed consistency (blind
to a constant offset between raters).
Raw cosine similarity of coordinate vectors is not an agreement measure: every pixel coordinate is
positive, so two unrelated sets of centroids already have cosine near 1 (docs/gazex_track.md);
`cosine_similarity` exists only to set GazeX's published figure beside ICC.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from gazebench.gaze.grid import Grid, check_grid
from gazebench.metrics.inputs import MetricInputError


@dataclass(frozen=True)
class MeanSquares:
    """Two-way ANOVA mean squares of an (n targets × k raters) table, and the ICC forms built from them."""

    msr: float
    """Between targets (rows)."""
    msc: float
    """Between raters (columns)."""
    mse: float
    """Residual."""
    msw: float
    """Within targets (one-way)."""
    n: int
    k: int

    def icc_1_1(self) -> float:
        """One-way random, single rater."""
        return (self.msr - self.msw) / (self.msr + (self.k - 1) * self.msw)

    def icc_2_1(self) -> float:
        """Two-way random, absolute agreement, single rater."""
        return (self.msr - self.mse) / (self.msr + (self.k - 1) * self.mse + self.k * (self.msc - self.mse) / self.n)

    def icc_3_1(self) -> float:
        """Two-way mixed, consistency, single rater (ignores additive rater offsets)."""
        return (self.msr - self.mse) / (self.msr + (self.k - 1) * self.mse)


def mean_squares(table: object) -> MeanSquares:
    """ANOVA mean squares of an (n, k) table of ratings: n >= 2 targets, k >= 2 raters, all finite."""
    x = np.asarray(table, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < 2 or x.shape[1] < 2:
        raise MetricInputError(f"ICC needs an (n targets, k raters) table with n, k >= 2, got shape {x.shape}")
    if not np.isfinite(x).all():
        raise MetricInputError("ICC ratings must be finite")
    n, k = x.shape
    m = x.mean()
    ssr = k * ((x.mean(axis=1) - m) ** 2).sum()
    ssc = n * ((x.mean(axis=0) - m) ** 2).sum()
    sse = ((x - m) ** 2).sum() - ssr - ssc
    return MeanSquares(
        msr=float(ssr / (n - 1)), msc=float(ssc / (k - 1)), mse=float(sse / ((n - 1) * (k - 1))),
        msw=float((ssc + sse) / (n * (k - 1))), n=n, k=k,
    )


IccForm = Literal["1,1", "2,1", "3,1"]
ICC_FORMS: Mapping[str, str] = {
    "1,1": "ICC(1,1): one-way random effects, single rater",
    "2,1": "ICC(2,1): two-way random effects, absolute agreement, single rater",
    "3,1": "ICC(3,1): two-way mixed effects, consistency, single rater",
}
"""Shrout & Fleiss form → how every ICC number computed under it is labelled."""
DEFAULT_ICC_FORM: IccForm = "2,1"


def check_icc_form(form: str) -> IccForm:
    """`form` if it is a known Shrout & Fleiss form, else a MetricInputError naming the known ones."""
    if form not in ICC_FORMS:
        raise MetricInputError(f"unknown ICC form {form!r} (known: {', '.join(ICC_FORMS)})")
    return form  # type: ignore[return-value]


def icc(table: object, form: IccForm = DEFAULT_ICC_FORM) -> float:
    """ICC of an (n targets, k raters) table under the Shrout & Fleiss `form` ("1,1", "2,1" or "3,1")."""
    ms = mean_squares(table)
    return {"1,1": ms.icc_1_1, "2,1": ms.icc_2_1, "3,1": ms.icc_3_1}[check_icc_form(form)]()


def icc_2_1(table: object) -> float:
    """ICC(2,1) of an (n targets, k raters) table."""
    return icc(table, "2,1")


def cosine_similarity(a: object, b: object) -> float:
    """Cosine of two flattened vectors; inflated for all-positive coordinates, reported only beside ICC."""
    u, v = np.ravel(np.asarray(a, dtype=np.float64)), np.ravel(np.asarray(b, dtype=np.float64))
    return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))


def kendall_tau_b(a: object, b: object) -> float:
    """Kendall's tau-b of two equal-length sequences (ties corrected); NaN when either is constant."""
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise MetricInputError(f"Kendall tau needs two 1-D sequences of equal length, got {x.shape} and {y.shape}")
    i, j = np.triu_indices(len(x), k=1)
    sx, sy = np.sign(x[i] - x[j]), np.sign(y[i] - y[j])
    n1, n2 = float((sx != 0).sum()), float((sy != 0).sum())
    if n1 == 0 or n2 == 0:
        return float("nan")
    return float((sx * sy).sum() / np.sqrt(n1 * n2))


def match_regions(predicted: object, reference: object) -> tuple[np.ndarray, np.ndarray]:
    """Hungarian matching (min total Euclidean centroid distance) of (P, 2) to (R, 2) centroids: index arrays."""
    p = np.asarray(predicted, dtype=np.float64).reshape(-1, 2)
    r = np.asarray(reference, dtype=np.float64).reshape(-1, 2)
    if len(p) == 0 or len(r) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    cost = np.linalg.norm(p[:, None, :] - r[None, :, :], axis=-1)
    from scipy.optimize import linear_sum_assignment  # here: scipy.optimize takes ~0.5 s to import

    rows, cols = linear_sum_assignment(cost)
    return rows.astype(np.int64), cols.astype(np.int64)


@dataclass(frozen=True, eq=False)
class RegionAgreement:
    """One reading: matched predicted vs radiologist regions (both lists in time order)."""

    predicted: np.ndarray
    """(M, 2) matched predicted centroids, in the radiologist's time order."""
    reference: np.ndarray
    """(M, 2) the radiologist centroids they matched."""
    distance_px: np.ndarray
    """(M,) Euclidean distance, original-image pixels."""
    distance_cells: np.ndarray
    """(M,) the same distance in token-grid cells (x scaled by cols/W, y by rows/H)."""
    kendall_tau: float
    """tau-b between the matched regions' predicted and radiologist time ranks; NaN below 2 matches."""
    n_predicted: int
    n_reference: int


def region_agreement(
    predicted: object, reference: object, image_size: tuple[float, float], grid: Grid
) -> RegionAgreement:
    """Match time-ordered predicted regions to the radiologist's and measure distance and order agreement."""
    p = np.asarray(predicted, dtype=np.float64).reshape(-1, 2)
    r = np.asarray(reference, dtype=np.float64).reshape(-1, 2)
    rows, cols = check_grid(grid)
    pi, ri = match_regions(p, r)
    order = np.argsort(ri, kind="stable")
    pi, ri = pi[order], ri[order]
    delta = p[pi] - r[ri]
    scale = np.asarray([cols / image_size[0], rows / image_size[1]])
    tau = kendall_tau_b(pi, ri) if len(pi) >= 2 else float("nan")
    return RegionAgreement(
        predicted=p[pi], reference=r[ri], distance_px=np.linalg.norm(delta, axis=1),
        distance_cells=np.linalg.norm(delta * scale, axis=1), kendall_tau=tau, n_predicted=len(p), n_reference=len(r),
    )


@dataclass(frozen=True)
class CentroidAgreement:
    """Pooled over readings: ICC per axis (k = 2 raters: model, radiologist), distances, order."""

    icc_x: float
    icc_y: float
    icc_form: IccForm
    mean_distance_px: float
    mean_distance_cells: float
    mean_kendall_tau: float
    """Mean over readings with at least 2 matched regions (NaN if none)."""
    n_matched: int
    n_predicted: int
    n_reference: int
    n_readings_without_tau: int


def centroid_agreement(readings: Sequence[RegionAgreement], form: IccForm = DEFAULT_ICC_FORM) -> CentroidAgreement:
    """Pool the matched centroids of many readings into per-axis ICCs (of `form`) and mean distances."""
    pred = np.concatenate([a.predicted for a in readings] or [np.zeros((0, 2))])
    ref = np.concatenate([a.reference for a in readings] or [np.zeros((0, 2))])
    if len(pred) < 2:
        raise MetricInputError(f"centroid agreement needs at least 2 matched regions, got {len(pred)}")
    taus = np.asarray([a.kendall_tau for a in readings], dtype=np.float64)
    finite = taus[np.isfinite(taus)]
    return CentroidAgreement(
        icc_x=icc(np.column_stack([pred[:, 0], ref[:, 0]]), form),
        icc_y=icc(np.column_stack([pred[:, 1], ref[:, 1]]), form),
        icc_form=check_icc_form(form),
        mean_distance_px=float(np.concatenate([a.distance_px for a in readings]).mean()),
        mean_distance_cells=float(np.concatenate([a.distance_cells for a in readings]).mean()),
        mean_kendall_tau=float(finite.mean()) if len(finite) else float("nan"),
        n_matched=len(pred),
        n_predicted=sum(a.n_predicted for a in readings),
        n_reference=sum(a.n_reference for a in readings),
        n_readings_without_tau=int((~np.isfinite(taus)).sum()),
    )


@dataclass(frozen=True)
class FindingCounts:
    """Set-based TP/FN/FP of reported findings against a reference set, with P/R/F1 from them."""

    tp: int
    fn: int
    fp: int

    def __add__(self, other: FindingCounts) -> FindingCounts:
        return FindingCounts(self.tp + other.tp, self.fn + other.fn, self.fp + other.fp)

    @property
    def precision(self) -> float:
        """TP / (TP + FP); 0 when nothing was reported."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """TP / (TP + FN); 0 when the reference is empty."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """2TP / (2TP + FP + FN); 0 when all three are 0."""
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp + self.fp + self.fn else 0.0


def finding_counts(reported: Iterable[str], reference: Iterable[str]) -> FindingCounts:
    """TP = |ref ∩ S|, FN = |ref \\ S|, FP = |S \\ ref| on de-duplicated finding names."""
    s, ref = set(reported), set(reference)
    return FindingCounts(len(ref & s), len(ref - s), len(s - ref))


def reader_majority(readers: Iterable[Iterable[str]], min_votes: int | None = None) -> frozenset[str]:
    """Findings named by at least `min_votes` readers (default: a strict majority; GazeX uses 2)."""
    sets = [set(r) for r in readers]
    if not sets:
        raise MetricInputError("reader majority needs at least one reader")
    need = len(sets) // 2 + 1 if min_votes is None else min_votes
    if need < 1:
        raise MetricInputError(f"min_votes must be at least 1, got {need}")
    votes: dict[str, int] = {}
    for s in sets:
        for name in s:
            votes[name] = votes.get(name, 0) + 1
    return frozenset(name for name, v in votes.items() if v >= need)


def examination_agreement(
    model: Iterable[str], readers: Mapping[str, Iterable[str]], min_votes: int | None = None
) -> dict[str, FindingCounts]:
    """TP/FN/FP of the model and of each reader against the readers' majority of one image.

    Keys: "model" and each reader id. Each reader's own findings count towards the majority, as in
    GazeX's comparison script (a reader is thereby favoured over the model; state it beside the table).
    """
    reference = reader_majority(readers.values(), min_votes)
    out = {"model": finding_counts(model, reference)}
    if "model" in readers:
        raise MetricInputError("a reader may not be named 'model'")
    out |= {rid: finding_counts(found, reference) for rid, found in readers.items()}
    return out
