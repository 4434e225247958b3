"""Cardiomediastinal findings, drawn by reshaping the anatomy: cardiomegaly as a cardiothoracic ratio of
0.54-0.70 (PA; ×1.12 on AP films), enlarged cardiomediastinum as a widened upper mediastinum."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from gazebench.synthetic.anatomy import Anatomy
from gazebench.synthetic.finding_types import FindingSpec

AP_MAGNIFICATION = 1.12


def _enlarged_heart(a: Anatomy, c: float) -> Anatomy:
    target = (0.54 + 0.16 * c) * (AP_MAGNIFICATION if a.view == "AP" else 1.0)
    return replace(a, ctr=max(a.ctr, target), heart_b=a.heart_b * (1.0 + 0.12 * c))


def sample_cardiomegaly(a: Anatomy, c: float, rng: np.random.Generator) -> FindingSpec:
    big = _enlarged_heart(a, c)
    box = (big.heart_cx - big.heart_a - 0.01, big.heart_cy - big.heart_b - 0.01,
           big.heart_cx + big.heart_a + 0.01, big.dome_y[1] + 0.02)
    anchors = ((big.heart_cx - big.heart_a * 0.85, big.heart_cy), (big.heart_cx + big.heart_a * 0.85, big.heart_cy))
    return FindingSpec("Cardiomegaly", c, -1, (box,), anchors)


def enlarge_heart(a: Anatomy, spec: FindingSpec) -> Anatomy:
    return _enlarged_heart(a, spec.conspicuity)


def _widened(a: Anatomy, c: float) -> Anatomy:
    return replace(a, medi_hw=a.medi_hw * (1.45 + 0.6 * c))


def sample_enlarged_cardiomediastinum(a: Anatomy, c: float, rng: np.random.Generator) -> FindingSpec:
    wide = _widened(a, c)
    top, bottom = a.apex_y, a.heart_cy - a.heart_b * 0.5
    box = (a.cx - wide.medi_hw - 0.015, top, a.cx + wide.medi_hw + 0.015, bottom)
    anchors = ((a.cx - wide.medi_hw, a.hilum_y - 0.08), (a.cx + wide.medi_hw, a.hilum_y - 0.08))
    return FindingSpec("Enlarged Cardiomediastinum", c, -1, (box,), anchors)


def widen_mediastinum(a: Anatomy, spec: FindingSpec) -> Anatomy:
    return _widened(a, spec.conspicuity)
