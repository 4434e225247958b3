"""What a paired comparison can resolve: the minimum detectable difference (MDD) at a given power from the
paired bootstrap's spread, and the plain-words verdict a table prints beside a difference.

MDD = (z_{1-α/2} + z_{power}) · SD_boot(Δ): the smallest true difference a two-sided test at level α would
detect with that power, under a normal approximation of the bootstrap distribution of Δ (the usual
sample-size formula, e.g. Chow, Shao & Wang, *Sample Size Calculations in Clinical Research*, ch. 3).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

POWER = 0.80
ZERO_WIDTH_MARK = "⚠"
ZERO_WIDTH_NOTE = (f"{ZERO_WIDTH_MARK} zero-width CI: every bootstrap replicate gave the same value (e.g. one test "
                   "patient, or a perfect score); the number is not precise, the bootstrap cannot resolve it.")
CANNOT_TELL = "cannot tell at this size"
NOT_SIGNIFICANT = "no significant difference"
MDD_NOTE = (f"MDD: minimum detectable difference at {POWER:.0%} power, (z_0.975 + z_0.80) x the sd of the paired "
            f"bootstrap differences; a difference smaller than its MDD whose CI contains 0 reads "
            f"\"{CANNOT_TELL}\", not \"{NOT_SIGNIFICANT}\".")


def minimum_detectable_difference(sd: float, level: float = 0.95, power: float = POWER) -> float:
    """(z_{1-α/2} + z_{power}) · sd, with α = 1 − level; NaN for a NaN sd."""
    if not 0.0 < level < 1.0 or not 0.0 < power < 1.0:
        raise ValueError(f"level and power must lie strictly between 0 and 1, got {level!r}, {power!r}")
    z = NormalDist()
    return (z.inv_cdf(1.0 - (1.0 - level) / 2.0) + z.inv_cdf(power)) * float(sd)


def zero_width(ci: Sequence[float | None] | None) -> bool:
    """True for a CI whose two finite bounds are equal: a degenerate bootstrap, never a precise number."""
    if ci is None or len(ci) != 2 or ci[0] is None or ci[1] is None:
        return False
    lo, hi = float(ci[0]), float(ci[1])
    return math.isfinite(lo) and lo == hi


def verdict(diff: float | None, ci: Sequence[float | None] | None, mdd: float | None) -> str | None:
    """What a paired difference B − A says: B > A / B < A (CI excludes 0), cannot tell at this size
    (|Δ| < MDD and the CI contains 0), no significant difference, or the zero-width warning; None if no CI."""
    if diff is None or ci is None or ci[0] is None or ci[1] is None:
        return None
    if zero_width(ci):
        return f"{ZERO_WIDTH_MARK} zero-width CI"
    if ci[0] > 0:
        return "B > A"
    if ci[1] < 0:
        return "B < A"
    if mdd is not None and math.isfinite(mdd) and abs(diff) < mdd:
        return CANNOT_TELL
    return NOT_SIGNIFICANT
