"""Minimum detectable difference against hand values, and the verdict a paired difference reads as."""
from __future__ import annotations

import math

import pytest

from gazebench.metrics.power import CANNOT_TELL, NOT_SIGNIFICANT, minimum_detectable_difference, verdict, zero_width


def test_mdd_hand_values() -> None:
    # z_0.975 = 1.959964, z_0.80 = 0.841621: (1.959964 + 0.841621) * 0.01 = 0.02801585
    assert minimum_detectable_difference(0.01) == pytest.approx(0.02801585, abs=1e-8)
    # level 0.90, power 0.90: (1.6448536 + 1.2815516) * 2 = 5.8528104
    assert minimum_detectable_difference(2.0, level=0.90, power=0.90) == pytest.approx(5.8528104, abs=1e-6)
    assert minimum_detectable_difference(0.0) == 0.0 and math.isnan(minimum_detectable_difference(math.nan))
    with pytest.raises(ValueError, match="strictly between"):
        minimum_detectable_difference(1.0, power=1.0)


def test_verdicts() -> None:
    assert verdict(0.02, (0.01, 0.03), 0.05) == "B > A"
    assert verdict(-0.02, (-0.03, -0.01), 0.05) == "B < A"
    assert verdict(0.01, (-0.02, 0.04), 0.05) == CANNOT_TELL
    assert verdict(0.06, (-0.01, 0.12), 0.05) == NOT_SIGNIFICANT
    assert verdict(0.01, (-0.02, 0.04), None) == NOT_SIGNIFICANT
    assert verdict(0.0, (0.0, 0.0), 0.0) == "⚠ zero-width CI"
    assert verdict(0.3, (0.3, 0.3), 0.0) == "⚠ zero-width CI"  # one patient: never "B > A"
    assert verdict(None, (0.0, 0.1), 0.1) is None and verdict(0.1, (None, None), 0.1) is None


def test_zero_width() -> None:
    assert zero_width((0.5, 0.5)) and zero_width([1.0, 1.0])
    assert not zero_width((0.4, 0.5)) and not zero_width((None, None)) and not zero_width(None)
