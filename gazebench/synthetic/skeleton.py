"""Fracture: a lucent break line across a lateral rib (or clavicle) with a healing callus."""
from __future__ import annotations

import numpy as np

from gazebench.synthetic.anatomy import Anatomy, Grid, Layers, soft_inside
from gazebench.synthetic.finding_types import FindingSpec, Overlay, box_around
from gazebench.synthetic.shapes import gaussian_blob


def sample_fracture(a: Anatomy, c: float, rng: np.random.Generator) -> FindingSpec:
    """Rib 3-8 at 60-95% of the hemithorax width, or (25%) the mid clavicle."""
    side = int(rng.integers(2))
    if rng.random() < 0.25:
        u = rng.uniform(0.35, 0.6)
        x = a.cx + a.sign(side) * (0.03 + u * 0.27)
        y = a.clavicle_y + 0.015 - u * 0.05
        slope = -a.sign(side) * 0.185
    else:
        u = rng.uniform(0.6, 0.95)
        k = int(rng.integers(3, 9))
        x = a.cx + a.sign(side) * u * a.half_width
        y = a.rib_y0 + 0.035 * u + 0.07 * u * u + (k + 0.2) * a.rib_spacing
        slope = a.sign(side) * (0.035 + 0.14 * u) / a.half_width
    return FindingSpec("Fracture", c, side, (box_around(x, y, 0.035),), ((x, y),), {"slope": float(slope)})


def draw_fracture(spec: FindingSpec, a: Anatomy, grid: Grid, layers: Layers) -> Overlay:
    (x, y), = spec.anchors
    angle = np.arctan(float(spec.params["slope"]))
    k = 0.5 + 0.5 * spec.conspicuity
    along_bone = (grid.x - x) * np.cos(angle) + (grid.y - y) * np.sin(angle)
    across_bone = -(grid.x - x) * np.sin(angle) + (grid.y - y) * np.cos(angle)
    gap = soft_inside(0.9 * grid.px - np.abs(along_bone), grid.px) * soft_inside(0.016 - np.abs(across_bone), grid.px)
    callus = gaussian_blob(grid, x, y, 0.014)
    return Overlay(delta=-0.25 * k * gap + 0.16 * k * callus)
