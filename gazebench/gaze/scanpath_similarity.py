"""Scanpath similarity as the eye-tracking field defines it, each under a named convention (docs/metrics.md):
MultiMatch through the multimatch-gaze package (Jarodzka et al. 2010; Dewhurst et al. 2012), ScanMatch
(Cristino et al. 2010), dynamic time warping and the string-edit distance on an n×n grid as GazeSearch
(Pham et al., WACV 2025) computes it.

A scanpath is an (n, 2) array of (x, y) or an (n, 3) array of (x, y, duration in seconds), in time order, in
original-image pixels of a (W, H) image. Pure functions: no state, no I/O.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from gazebench.gaze.grid import cell_index

MULTIMATCH_DIMENSIONS = ("vector", "direction", "length", "position", "duration")
"""MultiMatch's five similarities, in multimatch-gaze's order (1 = identical)."""
MULTIMATCH_MIN_FIXATIONS = 3
"""multimatch-gaze compares scanpaths of at least 3 fixations (2 saccades); shorter ones give NaN."""
SED_GRID = 5
"""GazeSearch's string-edit distance grid: n×n regions, n = 5 (its `string_edit_distance` default)."""


def _scanpath(a: ArrayLike, name: str) -> np.ndarray:
    """(n, 3) float array (x, y, duration; duration NaN when not given) of a finite scanpath."""
    arr = np.asarray(a, dtype=np.float64)
    arr = arr.reshape(0, 2) if arr.size == 0 else arr
    if arr.ndim != 2 or arr.shape[1] not in (2, 3):
        raise ValueError(f"{name} must be an (n, 2) or (n, 3) array of x, y[, duration], got shape {arr.shape}")
    if not np.isfinite(arr[:, :2]).all():
        raise ValueError(f"{name} has a non-finite coordinate")
    if arr.shape[1] == 2:
        arr = np.column_stack([arr, np.full(len(arr), np.nan)])
    if np.any(arr[:, 2] < 0):
        raise ValueError(f"{name} has a negative duration")
    return arr


def multimatch(a: ArrayLike, b: ArrayLike, image_size: tuple[float, float]) -> dict[str, float]:
    """MultiMatch's five similarities of two scanpaths, computed by multimatch-gaze's `docomparison` with the
    image as the screen (screensize = (W, H)) and no simplification (grouping off), as the package defaults.

    All five are NaN when either scanpath has fewer than 3 fixations; `duration` is NaN when either scanpath
    has no durations (an (n, 2) array): the other four do not depend on durations without grouping.
    """
    from multimatch_gaze import docomparison

    pa, pb = _scanpath(a, "scanpath a"), _scanpath(b, "scanpath b")
    if min(len(pa), len(pb)) < MULTIMATCH_MIN_FIXATIONS:
        return dict.fromkeys(MULTIMATCH_DIMENSIONS, float("nan"))

    def record(p: np.ndarray) -> np.recarray:
        """The (start_x, start_y, duration) record array docomparison reads."""
        dtype = np.dtype([("start_x", np.float64), ("start_y", np.float64), ("duration", np.float64)])
        return np.rec.array(np.ascontiguousarray(p).view(dtype).reshape(-1))

    with np.errstate(invalid="ignore"):
        values = docomparison(record(pa), record(pb), screensize=[float(image_size[0]), float(image_size[1])])
    return {k: float(v) for k, v in zip(MULTIMATCH_DIMENSIONS, values, strict=True)}


@dataclass(frozen=True)
class ScanMatchSettings:
    """ScanMatch's parameters (Cristino et al. 2010): the spatial grid, the temporal bin, the threshold of the
    substitution matrix and the gap value."""

    bins: tuple[int, int] = (14, 14)
    """(rows, cols) of equal-size bins over the image (gazebench: the 14×14 grid of the scanpath task)."""
    temporal_bin_s: float = 0.0
    """Each fixation is repeated round(duration / temporal_bin_s) times (0 = no temporal binning)."""
    threshold: float = 4.0
    """Distance in bins at which a substitution scores 0; ScanMatch's advice: 2·sd(saccade amplitude) / bin size."""
    gap: float = 0.0
    """Score of a gap (ScanMatch's default 0)."""


def scanmatch_sequence(a: ArrayLike, image_size: tuple[float, float], settings: ScanMatchSettings) -> np.ndarray:
    """The bin of each fixation (row·cols + col, raster order), each repeated by its temporal bins.

    With temporal binning, a fixation shorter than half a temporal bin (round to 0) drops out, as in ScanMatch;
    a scanpath without durations cannot be temporally binned (ValueError).
    """
    p = _scanpath(a, "scanpath")
    bins = cell_index(p[:, 0], p[:, 1], image_size, settings.bins)
    if np.any(bins < 0):
        raise ValueError("ScanMatch: a fixation lies off the image")
    if settings.temporal_bin_s <= 0:
        return bins
    if np.isnan(p[:, 2]).any():
        raise ValueError("ScanMatch temporal binning needs a duration for every fixation")
    repeats = np.floor(p[:, 2] / settings.temporal_bin_s + 0.5).astype(np.int64)  # MATLAB round, halves up
    return np.repeat(bins, repeats)


def substitution_matrix(bins: tuple[int, int], threshold: float) -> np.ndarray:
    """ScanMatch's substitution matrix: threshold − Euclidean distance between bin centres, in bins
    (ScanMatch_CreateSubMatrix: |d − max d| − (max d − threshold), which equals threshold − d)."""
    rows, cols = bins
    r, c = np.divmod(np.arange(rows * cols), cols)
    d = np.hypot(r[:, None] - r[None, :], c[:, None] - c[None, :])
    return np.abs(d - d.max()) - (d.max() - threshold)


def needleman_wunsch(a: np.ndarray, b: np.ndarray, substitution: np.ndarray, gap: float) -> float:
    """Best global alignment score of two symbol sequences (Needleman & Wunsch 1970): F[i, j] =
    max(F[i−1, j−1] + S[a_i, b_j], F[i−1, j] + gap, F[i, j−1] + gap), F[i, 0] = i·gap, F[0, j] = j·gap."""
    f = np.zeros((len(a) + 1, len(b) + 1))
    f[:, 0] = gap * np.arange(len(a) + 1)
    f[0, :] = gap * np.arange(len(b) + 1)
    for i in range(1, len(a) + 1):
        s = substitution[a[i - 1], b]
        for j in range(1, len(b) + 1):
            f[i, j] = max(f[i - 1, j - 1] + s[j - 1], f[i - 1, j] + gap, f[i, j - 1] + gap)
    return float(f[-1, -1])


def scanmatch(a: ArrayLike, b: ArrayLike, image_size: tuple[float, float],
              settings: ScanMatchSettings = ScanMatchSettings()) -> float:
    """ScanMatch similarity: the Needleman–Wunsch score of the two binned sequences divided by
    max(substitution) · max(len a, len b), as ScanMatch.m normalises it (1 = identical). NaN if either
    sequence is empty."""
    sa, sb = scanmatch_sequence(a, image_size, settings), scanmatch_sequence(b, image_size, settings)
    if len(sa) == 0 or len(sb) == 0:
        return float("nan")
    sub = substitution_matrix(settings.bins, settings.threshold)
    return needleman_wunsch(sa, sb, sub, settings.gap) / (sub.max() * max(len(sa), len(sb)))


def saccade_threshold(scanpaths: list[np.ndarray], image_size: list[tuple[float, float]],
                      bins: tuple[int, int]) -> float:
    """ScanMatch's advised threshold: 2 × sd of the saccade amplitudes (consecutive fixations) in bin units
    (x scaled by cols/W, y by rows/H), over all given scanpaths; NaN with fewer than 2 saccades."""
    rows, cols = bins
    amps = [np.hypot(np.diff(p[:, 0]) * cols / w, np.diff(p[:, 1]) * rows / h)
            for p, (w, h) in zip((_scanpath(s, "scanpath") for s in scanpaths), image_size, strict=True)]
    flat = np.concatenate(amps or [np.zeros(0)])
    return float(2 * flat.std(ddof=1)) if flat.size >= 2 else float("nan")


def dtw(a: ArrayLike, b: ArrayLike) -> float:
    """Dynamic time warping distance: the least sum of Euclidean fixation distances (pixels) along a monotone
    alignment path from first to last fixations (Berndt & Clifford 1994); NaN if either is empty."""
    pa, pb = _scanpath(a, "scanpath a")[:, :2], _scanpath(b, "scanpath b")[:, :2]
    if len(pa) == 0 or len(pb) == 0:
        return float("nan")
    cost = np.linalg.norm(pa[:, None, :] - pb[None, :, :], axis=-1)
    d = np.full((len(pa) + 1, len(pb) + 1), np.inf)
    d[0, 0] = 0.0
    for i in range(1, len(pa) + 1):
        for j in range(1, len(pb) + 1):
            d[i, j] = cost[i - 1, j - 1] + min(d[i - 1, j], d[i, j - 1], d[i - 1, j - 1])
    return float(d[-1, -1])


def sed_string(a: ArrayLike, image_size: tuple[float, float], n: int = SED_GRID) -> np.ndarray:
    """GazeSearch's region of each fixation: (x // (W // n)) + (y // (H // n))·n on integer pixel coordinates.

    GazeSearch's code lets the last few pixel columns/rows (when W or H is not a multiple of n) spill into an
    (n+1)-th column/row; here they are clipped into the last one, the only deviation. A fixation off the image
    (x < 0, y < 0, x ≥ W or y ≥ H) has no region and is refused (ValueError naming it), never mapped into one.
    """
    p = _scanpath(a, "scanpath")
    if n < 1 or min(image_size) < n:
        raise ValueError(f"string-edit grid n must be between 1 and the image size, got {n}")
    off = (p[:, 0] < 0) | (p[:, 1] < 0) | (p[:, 0] >= image_size[0]) | (p[:, 1] >= image_size[1])
    if off.any():
        i = int(np.flatnonzero(off)[0])
        raise ValueError(f"string-edit distance: fixation {i} (0-based) at ({p[i, 0]:g}, {p[i, 1]:g}) lies off the "
                         f"{image_size[0]:g} x {image_size[1]:g} image ({int(off.sum())} such)")
    step_x, step_y = int(image_size[0]) // n, int(image_size[1]) // n
    xy = np.floor(p[:, :2]).astype(np.int64)
    col = np.minimum(xy[:, 0] // step_x, n - 1)
    row = np.minimum(xy[:, 1] // step_y, n - 1)
    return row * n + col


def levenshtein(a: np.ndarray, b: np.ndarray) -> int:
    """Edit distance with unit insertion, deletion and substitution costs (Jurafsky & Martin, ch. 3)."""
    prev = np.arange(len(b) + 1)
    for i in range(1, len(a) + 1):
        cur = np.empty_like(prev)
        cur[0] = i
        for j in range(1, len(b) + 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]))
        prev = cur
    return int(prev[-1])


def string_edit_distance(a: ArrayLike, b: ArrayLike, image_size: tuple[float, float], n: int = SED_GRID) -> float:
    """GazeSearch's string-edit distance: Levenshtein distance of the two scanpaths' region strings on an n×n
    grid, unnormalised (a count of edits; 0 = identical strings)."""
    return float(levenshtein(sed_string(a, image_size, n), sed_string(b, image_size, n)))


SIMILARITY_METRICS = (*(f"mm_{d}" for d in MULTIMATCH_DIMENSIONS), "scanmatch", "dtw", "sed")
"""The per-pair scores `similarity` returns (results-JSON keys of the scanpath family)."""


def similarity(predicted: ArrayLike, reference: ArrayLike, image_size: tuple[float, float],
               settings: ScanMatchSettings, sed_n: int = SED_GRID) -> dict[str, float]:
    """Every scanpath similarity of a predicted scanpath against a reference one (MultiMatch's five as
    `mm_<dimension>`, ScanMatch, DTW in pixels, GazeSearch's SED on an sed_n × sed_n grid)."""
    out = {f"mm_{k}": v for k, v in multimatch(predicted, reference, image_size).items()}
    out["scanmatch"] = scanmatch(predicted, reference, image_size, settings)
    out["dtw"] = dtw(predicted, reference)
    out["sed"] = string_edit_distance(predicted, reference, image_size, sed_n)
    return out
