"""Lung parenchymal findings: nonspecific opacity, nodule/mass, edema, consolidation, pneumonia and
atelectasis. Each fills part of the aerated lung, so its density is a fraction of the local air."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from gazebench.synthetic.anatomy import Anatomy, Grid, Layers, soft_inside, upsampled_noise
from gazebench.synthetic.finding_types import FindingSpec, Overlay, box_around
from gazebench.synthetic.pleura import sides_of
from gazebench.synthetic.shapes import gaussian_blob


def sample_opacity(a: Anatomy, c: float, rng: np.random.Generator) -> FindingSpec:
    """A hazy ground-glass patch, radius 0.04-0.07, anywhere in the mid/lower lung."""
    side = int(rng.integers(2))
    x, y = a.lung_point(rng, side, (0.3, 0.85), (0.2, 0.8))
    r = 0.04 + 0.03 * c
    return FindingSpec("Lung Opacity", c, side, (box_around(x, y, 1.6 * r),), ((x, y),), {"r": r})


def draw_opacity(spec: FindingSpec, a: Anatomy, grid: Grid, layers: Layers) -> Overlay:
    (x, y), = spec.anchors
    haze = gaussian_blob(grid, x, y, float(spec.params["r"]))
    return Overlay(delta=(0.3 + 0.35 * spec.conspicuity) * layers.air * haze)


def sample_lesion(a: Anatomy, c: float, rng: np.random.Generator) -> FindingSpec:
    """A nodule (radius 0.012) to a mass (0.05), sharply marginated, slightly lobulated."""
    side = int(rng.integers(2))
    x, y = a.lung_point(rng, side, (0.05, 0.9), (0.2, 0.85))
    r = 0.012 + 0.038 * c**1.5
    return FindingSpec("Lung Lesion", c, side, (box_around(x, y, 1.5 * r + 0.01),), ((x, y),),
                       {"r": r, "seed": int(rng.integers(2**31))})


def draw_lesion(spec: FindingSpec, a: Anatomy, grid: Grid, layers: Layers) -> Overlay:
    (x, y), = spec.anchors
    r = float(spec.params["r"])
    angle = np.arctan2(grid.y - y, grid.x - x)
    phase = int(spec.params["seed"]) % 7
    radius = r * (1.0 + 0.12 * np.sin(3 * angle + phase) + 0.06 * np.sin(5 * angle))
    body = soft_inside(radius - np.hypot(grid.x - x, grid.y - y), grid.px)
    return Overlay(delta=(0.45 + 0.5 * spec.conspicuity) * layers.air * body + 0.03 * body)


def sample_edema(a: Anatomy, c: float, rng: np.random.Generator) -> FindingSpec:
    """Bilateral perihilar ("bat-wing") haze with Kerley B lines at the lateral bases."""
    spread = 0.12 + 0.07 * c
    regions, anchors = [], []
    for s in (0, 1):
        hx = a.cx + a.sign(s) * 0.1
        lat = float(a.lateral_x(s, a.dome_y[s] - 0.05))
        x0, x1 = sorted((a.cx + a.sign(s) * a.medi_hw, lat))
        regions.append((x0, a.hilum_y - spread, x1, a.dome_y[s]))
        anchors.append((hx + a.sign(s) * 0.05, a.hilum_y + 0.03))
    return FindingSpec("Edema", c, -1, tuple(regions), tuple(anchors),
                       {"spread": spread, "kerley": int(3 + 5 * c), "seed": int(rng.integers(2**31))})


def draw_edema(spec: FindingSpec, a: Anatomy, grid: Grid, layers: Layers) -> Overlay:
    spread = float(spec.params["spread"])
    rng = np.random.default_rng(int(spec.params["seed"]))
    haze = np.zeros_like(layers.lung)
    lines = np.zeros_like(layers.lung)
    for s in (0, 1):
        hx = a.cx + a.sign(s) * 0.1
        haze = haze + np.exp(-(((grid.x - hx) / (1.3 * spread)) ** 2 + ((grid.y - a.hilum_y - 0.04) / spread) ** 2))
        for _ in range(int(spec.params["kerley"])):
            y = a.dome_y[s] - rng.uniform(0.02, 0.12)
            lat = float(a.lateral_x(s, y))
            inner = lat - a.sign(s) * 0.025
            x0, x1 = sorted((inner, lat))
            lines = lines + soft_inside(0.6 * grid.px - np.abs(grid.y - y), grid.px) * (grid.x > x0) * (grid.x < x1)
    k = 0.25 + 0.35 * spec.conspicuity
    return Overlay(delta=layers.air * (k * np.minimum(haze, 1.0) + 0.25 * np.minimum(lines, 1.0)))


def sample_consolidation(a: Anatomy, c: float, rng: np.random.Generator) -> FindingSpec:
    """Lobar airspace opacity with air bronchograms; a right upper lobe one stops at the minor fissure."""
    side = int(rng.integers(2))
    upper = rng.random() < 0.35
    x, y = a.lung_point(rng, side, (0.1, 0.35) if upper else (0.55, 0.85), (0.3, 0.75))
    r = 0.05 + 0.06 * c
    fissure = a.hilum_y + 0.01 if (upper and side == 0) else 2.0
    box = box_around(x, y, 1.35 * r)
    box = (box[0], box[1], box[2], min(box[3], fissure))
    return FindingSpec("Consolidation", c, side, (box,), ((x, y),),
                       {"r": r, "fissure": fissure, "seed": int(rng.integers(2**31))})


def draw_consolidation(spec: FindingSpec, a: Anatomy, grid: Grid, layers: Layers) -> Overlay:
    (x, y), = spec.anchors
    r, fissure, seed = float(spec.params["r"]), float(spec.params["fissure"]), int(spec.params["seed"])
    wobble = upsampled_noise(seed, grid, 24, 1.0)
    blob = soft_inside(r * (1.0 + 0.25 * wobble) - np.hypot(grid.x - x, grid.y - y), 2 * grid.px)
    blob = blob * soft_inside(fissure - grid.y, grid.px)
    bronchi = np.exp(-(upsampled_noise(seed + 1, grid, 50, 1.0) / 0.12) ** 2)
    k = 0.55 + 0.4 * spec.conspicuity
    return Overlay(delta=layers.air * blob * (k - 0.2 * bronchi), suppress=1.0 - blob)


def sample_pneumonia(a: Anatomy, c: float, rng: np.random.Generator) -> FindingSpec:
    """Multifocal patchy opacities: 3-6 fluffy blobs per cluster, one lung or (30%) both."""
    side = -1 if rng.random() < 0.3 else int(rng.integers(2))
    blobs, regions, anchors = [], [], []
    for s in sides_of(side):
        cx, cy = a.lung_point(rng, s, (0.4, 0.85), (0.3, 0.7))
        spread = 0.03 + 0.03 * c
        pts = [(cx + rng.normal(0, spread), cy + rng.normal(0, spread)) for _ in range(int(rng.integers(3, 7)))]
        radii = [float(rng.uniform(0.015, 0.022 + 0.018 * c)) for _ in pts]
        blobs += [(px, py, pr) for (px, py), pr in zip(pts, radii, strict=True)]
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        pad = 1.3 * max(radii)
        regions.append((min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad))
        anchors.append((cx, cy))
    return FindingSpec("Pneumonia", c, side, tuple(regions), tuple(anchors),
                       {"blobs": tuple(blobs), "seed": int(rng.integers(2**31))})


def draw_pneumonia(spec: FindingSpec, a: Anatomy, grid: Grid, layers: Layers) -> Overlay:
    patch = np.zeros_like(layers.lung)
    for x, y, r in spec.params["blobs"]:
        patch = patch + gaussian_blob(grid, x, y, r)
    mottle = 0.75 + 0.25 * upsampled_noise(int(spec.params["seed"]), grid, 70, 1.0)
    k = 0.5 + 0.4 * spec.conspicuity
    return Overlay(delta=layers.air * k * np.minimum(patch, 1.0) * mottle)


def sample_atelectasis(a: Anatomy, c: float, rng: np.random.Generator) -> FindingSpec:
    """Plate-like band at a lung base with volume loss (the hemidiaphragm rises 0.01-0.04)."""
    side = int(rng.integers(2))
    x, y = a.lung_point(rng, side, (0.65, 0.85), (0.25, 0.75))
    length, thick = 0.07 + 0.1 * c, 0.006 + 0.012 * c
    lift = 0.01 + 0.03 * c
    lat = float(a.lateral_x(side, a.cp_y[side]))
    x0, x1 = sorted((a.cx + a.sign(side) * a.medi_hw, lat))
    box = (min(x0, x - length / 2) - 0.02, y - 0.03, max(x1, x + length / 2) + 0.02, a.cp_y[side] + 0.06)
    return FindingSpec("Atelectasis", c, side, (box,), ((x, y), (x, a.dome_y[side] - lift)),
                       {"length": length, "thick": thick, "lift": lift,
                        "tilt": float(rng.uniform(-0.25, 0.25))})


def lift_diaphragm(a: Anatomy, spec: FindingSpec) -> Anatomy:
    """Volume loss: the atelectatic side's hemidiaphragm dome moves up (the CP angle stays)."""
    dome = list(a.dome_y)
    dome[spec.side] -= float(spec.params["lift"])
    return replace(a, dome_y=(dome[0], dome[1]))


def draw_atelectasis(spec: FindingSpec, a: Anatomy, grid: Grid, layers: Layers) -> Overlay:
    (x, y), _ = spec.anchors
    length, thick, tilt = (float(spec.params[k]) for k in ("length", "thick", "tilt"))
    along = (grid.x - x) * np.cos(tilt) + (grid.y - y) * np.sin(tilt)
    across = -(grid.x - x) * np.sin(tilt) + (grid.y - y) * np.cos(tilt)
    band = soft_inside(thick / 2 - np.abs(across), grid.px) * soft_inside(length / 2 - np.abs(along), grid.px)
    k = 0.6 + 0.35 * spec.conspicuity
    return Overlay(delta=k * layers.air * band, suppress=1.0 - band)
