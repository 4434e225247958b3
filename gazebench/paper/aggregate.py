"""Pure aggregation of results JSONs (one per seed) into table cells on each metric's display scale: the
bootstrap CI of a single run, or mean ± sd over seeds; differences from the paper; paired comparisons summarised
with the minimum detectable difference and a verdict in words (gazebench.metrics.power)."""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gazebench.comparison import RunComparison
from gazebench.metrics.power import CANNOT_TELL, ZERO_WIDTH_MARK, verdict, zero_width
from gazebench.metrics.vocabulary import metric
from gazebench.results import MetricValue, RunResults


@dataclass(frozen=True)
class Cell:
    """One metric of one method on one task, on its display scale (percent for fractions)."""

    mean: float | None
    sd: float | None = None
    """Sample sd over seeds (None for a single seed)."""
    low: float | None = None
    high: float | None = None
    """95% patient-bootstrap CI of a single run (None over several seeds)."""
    n_seeds: int = 0


def _display(value: Any, stat: str) -> float | None:
    """`value` as stored → on `stat`'s display scale (gazebench.metrics.vocabulary; percent when undeclared)."""
    declared = metric(stat)
    scale = declared.scale if declared is not None else 100.0
    return None if value is None or not math.isfinite(float(value)) else scale * float(value)


def metric_cell(results: Sequence[RunResults], task: str, stat: str) -> Cell:
    """Cell of `stat` on `task` over the seeds' results, on the metric's display scale (seeds where it is
    undefined are left out)."""
    found = [r.tasks[task].metrics.get(stat, MetricValue(None)) for r in results if task in r.tasks]
    values = [v for v in (_display(b.value, stat) for b in found) if v is not None]
    if not values:
        return Cell(None, n_seeds=0)
    if len(values) == 1 and len(found) == 1:
        ci = found[0].ci
        return Cell(values[0], None, _display(ci[0], stat), _display(ci[1], stat), 1)
    sd = float(np.std(values, ddof=1)) if len(values) > 1 else None
    return Cell(float(np.mean(values)), sd, n_seeds=len(values))


def format_cell(cell: Cell, digits: int = 2) -> str:
    """`90.17 [85.10, 93.20]`, `90.17 ± 0.52` over seeds, or `n/a`; a zero-width CI carries the warning mark."""
    if cell.mean is None:
        return "n/a"
    text = f"{cell.mean:.{digits}f}"
    if cell.sd is not None:
        return f"{text} ± {cell.sd:.{digits}f}"
    if cell.low is not None and cell.high is not None:
        text += f" [{cell.low:.{digits}f}, {cell.high:.{digits}f}]"
        return text + (f" {ZERO_WIDTH_MARK}" if zero_width((cell.low, cell.high)) else "")
    return text


def delta(cell: Cell, reported: float | None) -> float | None:
    """Ours minus the paper's number, in percentage points."""
    return None if cell.mean is None or reported is None else cell.mean - reported


@dataclass(frozen=True)
class PairedCell:
    """B − A of one metric on one task over seeds, on the metric's display scale."""

    diff: float | None
    sd: float | None = None
    low: float | None = None
    high: float | None = None
    p_value: float | None = None
    """Paired-bootstrap p of a single seed."""
    wins: int = 0
    """Seeds where B − A > 0."""
    significant: int = 0
    """Seeds where the paired-bootstrap p < 0.05."""
    n_seeds: int = 0
    mdd: float | None = None
    """Minimum detectable difference at 80% power (mean over seeds), display scale."""
    verdict: str | None = None
    """B > A, B < A, cannot tell at this size, no significant difference, or the zero-width warning."""


def paired_cell(comparisons: Sequence[RunComparison], task: str, stat: str) -> PairedCell:
    """Summarise `gazebench.engine.compare.compare_runs` outputs (one per seed) for one task and metric, on the
    metric's display scale."""
    found = [c.tasks[task].metrics.get(stat) for c in comparisons if task in c.tasks]
    rows = [r for r in found if r is not None and _display(r.diff, stat) is not None]
    if not rows:
        return PairedCell(None)
    diffs = [float(_display(r.diff, stat) or 0.0) for r in rows]
    wins = sum(d > 0 for d in diffs)
    sig = sum(r.p_value is not None and r.p_value < 0.05 for r in rows)
    mdds = [v for v in (_display(r.mdd, stat) for r in rows) if v is not None]
    mdd = float(np.mean(mdds)) if mdds else None
    if len(rows) == 1:
        low, high = _display(rows[0].ci[0], stat), _display(rows[0].ci[1], stat)
        return PairedCell(diffs[0], None, low, high, rows[0].p_value, wins, sig, 1, mdd,
                          verdict(diffs[0], (low, high), mdd))
    mean = float(np.mean(diffs))
    words = CANNOT_TELL if sig == 0 and mdd is not None and abs(mean) < mdd else None
    return PairedCell(mean, float(np.std(diffs, ddof=1)), wins=wins, significant=sig, n_seeds=len(rows), mdd=mdd,
                      verdict=words)


def format_paired(cell: PairedCell, digits: int = 2) -> str:
    """`+1.20 [-0.40, +2.90] p=0.140; MDD 3.10, cannot tell at this size` for one seed;
    `+1.20 ± 0.50 (3/3 seeds B>A, 1 p<0.05); MDD 3.10` over several (the MDD part only when known)."""
    if cell.diff is None:
        return "n/a"
    text = f"{cell.diff if round(cell.diff, digits) else 0.0:+.{digits}f}"  # no "-0.00"
    if cell.n_seeds > 1:
        text += f" ± {cell.sd:.{digits}f} ({cell.wins}/{cell.n_seeds} seeds B>A, {cell.significant} p<0.05)"
    else:
        if cell.low is not None and cell.high is not None:
            text += f" [{cell.low:+.{digits}f}, {cell.high:+.{digits}f}]"
            text += f" {ZERO_WIDTH_MARK}" if zero_width((cell.low, cell.high)) else ""
        if cell.p_value is not None:
            text += f" p={cell.p_value:.3f}"
    if cell.mdd is not None:
        text += f"; MDD {cell.mdd:.{digits}f}" + (f", {cell.verdict}" if cell.verdict else "")
    return text


GAZE_METRICS: tuple[tuple[str, str, str], ...] = (
    ("scanpath", "exact_position_accuracy", "exact-pos acc"),
    ("scanpath", "topk_overlap", "top-K overlap"),
    ("scanpath", "mean_grid_distance", "grid dist (cells)"),
    ("saliency", "nss", "NSS"),
    ("saliency", "cc", "CC"),
)
"""Gaze-alignment numbers shown for models that predict gaze (Q1: do they look where, and in the order)."""


def gaze_values(results: Sequence[RunResults], task: str) -> dict[str, float | None] | None:
    """Mean over seeds of each GAZE_METRICS value on `task`, or None if the model predicts no gaze there."""
    found = [r.tasks[task].details.get("gaze") for r in results if task in r.tasks]
    blocks: list[dict[str, Any]] = [b for b in found if b]
    if not blocks:
        return None
    out: dict[str, float | None] = {}
    for group, key, title in GAZE_METRICS:
        vals = [float(b[group][key]) for b in blocks if group in b and b[group].get(key) is not None
                and math.isfinite(float(b[group][key]))]
        out[title] = float(np.mean(vals)) if vals else None
    return out
