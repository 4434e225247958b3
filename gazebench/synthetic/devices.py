"""Support devices, radiopaque and usually obvious: endotracheal tube, nasogastric tube, central venous
catheter, pacemaker with leads, ECG electrodes. A study with devices has 1-3 of them."""
from __future__ import annotations

import numpy as np

from gazebench.synthetic.anatomy import Anatomy, Grid, Layers
from gazebench.synthetic.finding_types import FindingSpec, Overlay
from gazebench.synthetic.shapes import bezier, disc, polyline

DEVICE_RATES: dict[str, float] = {"ett": 0.5, "ng": 0.4, "cvc": 0.5, "pacemaker": 0.2, "ecg": 0.35}
DENSITY = 1.1
"""Attenuation of metal/contrast-striped tubing (far above bone)."""


def _paths(a: Anatomy, kind: str, rng: np.random.Generator) -> list[np.ndarray]:
    cx, carina = a.cx, a.hilum_y - 0.04
    if kind == "ett":
        tip = carina - rng.uniform(0.03, 0.08)
        return [np.array([[cx + 0.004, 0.0], [cx, tip]])]
    if kind == "ng":
        stomach = (cx + 0.55 * a.half_width, a.dome_y[1] + 0.08)
        return [np.vstack([[[cx - 0.01, 0.0]], bezier((cx - 0.005, 0.3), (cx + 0.01, a.dome_y[1] + 0.04), stomach, 8)])]
    if kind == "cvc":
        side = int(rng.integers(2))
        start = (a.cx + a.sign(side) * 0.32, a.clavicle_y - 0.01)
        end = (cx - 0.025, a.hilum_y + rng.uniform(-0.02, 0.03))
        return [bezier(start, (cx + a.sign(side) * 0.06, a.clavicle_y + 0.01), end, 9)]
    if kind == "pacemaker":
        box = (cx + 0.24, a.clavicle_y + 0.04)
        apex = (a.heart_cx + 0.5 * a.heart_a, a.heart_cy + 0.5 * a.heart_b)
        atrium = (cx - 0.02, a.heart_cy - 0.4 * a.heart_b)
        return [bezier(box, (cx - 0.02, a.clavicle_y + 0.05), apex, 10),
                bezier(box, (cx - 0.03, a.clavicle_y + 0.02), atrium, 8)]
    pads = [(cx + rng.uniform(-0.28, 0.28), rng.uniform(0.2, 0.65)) for _ in range(int(rng.integers(2, 5)))]
    return [np.array([p, (p[0] + rng.uniform(-0.05, 0.05), p[1] - rng.uniform(0.05, 0.12))]) for p in pads]


def sample_devices(a: Anatomy, c: float, rng: np.random.Generator) -> FindingSpec:
    kinds = [k for k, p in DEVICE_RATES.items() if rng.random() < p] or [str(rng.choice(list(DEVICE_RATES)))]
    paths, regions, anchors = [], [], []
    for kind in kinds:
        for path in _paths(a, kind, rng):
            paths.append((kind, path))
            lo, hi = path.min(axis=0) - 0.02, path.max(axis=0) + 0.02
            regions.append((float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])))
            end = path[-1] if kind != "ecg" else path[0]
            anchors.append((float(end[0]), float(end[1])))
    return FindingSpec("Support Devices", c, -1, tuple(regions), tuple(anchors), {"paths": tuple(paths)})


def draw_devices(spec: FindingSpec, a: Anatomy, grid: Grid, layers: Layers) -> Overlay:
    metal = np.zeros_like(layers.lung)
    for kind, path in spec.params["paths"]:
        width = {"ett": 0.007, "ng": 0.004, "cvc": 0.0035, "pacemaker": 0.003, "ecg": 0.002}[kind]
        metal = np.maximum(metal, polyline(grid, path, width))
        if kind == "pacemaker":
            x, y = path[0]
            metal = np.maximum(metal, ((np.abs(grid.x - x) < 0.03) & (np.abs(grid.y - y) < 0.02)).astype(np.float32))
        if kind == "ecg":
            x, y = path[0]
            ring = disc(grid, x, y, 0.011) - 0.6 * disc(grid, x, y, 0.007)
            metal = np.maximum(metal, ring)
    return Overlay(delta=DENSITY * spec.conspicuity * metal)
