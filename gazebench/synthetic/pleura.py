"""Pleural findings: effusion (meniscus at the costophrenic angle), pneumothorax (apicolateral pleural line
with absent markings beyond it) and pleural thickening/plaque along the lateral chest wall."""
from __future__ import annotations

import numpy as np

from gazebench.synthetic.anatomy import Anatomy, Grid, Layers, Window, lung_masks, smoothstep, soft_inside
from gazebench.synthetic.finding_types import FindingSpec, Overlay


def sides_of(side: int) -> tuple[int, ...]:
    """The lungs a finding with this `side` code involves."""
    return (0, 1) if side == -1 else (side,)


def _side_mask(a: Anatomy, grid: Grid, side: int) -> np.ndarray:
    return (grid.x < a.cx) if side == 0 else (grid.x >= a.cx)


def sample_effusion(a: Anatomy, c: float, rng: np.random.Generator) -> FindingSpec:
    """Height above the CP angle 0.03-0.19 h-units with conspicuity; 40% bilateral."""
    side = -1 if rng.random() < 0.4 else int(rng.integers(2))
    h = 0.03 + 0.16 * c
    regions, anchors = [], []
    for s in sides_of(side):
        lat = float(a.lateral_x(s, a.cp_y[s]))
        med = a.cx + a.sign(s) * a.medi_hw
        x0, x1 = min(lat, med), max(lat, med)
        regions.append((x0 - 0.01, a.cp_y[s] - h - 0.02, x1 + 0.01, a.cp_y[s] + 0.015))
        anchors.append((lat - a.sign(s) * 0.04, a.cp_y[s] - 0.4 * h))
    return FindingSpec("Pleural Effusion", c, side, tuple(regions), tuple(anchors), {"height": h})


def draw_effusion(spec: FindingSpec, a: Anatomy, grid: Grid, layers: Layers) -> Overlay:
    """Fluid replaces lung air below a meniscus that rises towards the chest wall."""
    h = float(spec.params["height"])
    fill = np.zeros_like(layers.lung)
    for s in sides_of(spec.side):
        lat = a.lateral_x(s, grid.y)
        t = np.clip((grid.x - a.cx) / (lat - a.cx), 0.0, 1.0)
        surface = a.cp_y[s] - h * (0.35 + 0.65 * t**3)
        fill = fill + _side_mask(a, grid, s) * layers.lung * smoothstep((grid.y - surface) / 0.012)
    return Overlay(delta=fill * (layers.air + 0.05), suppress=1.0 - fill)


def sample_pneumothorax(a: Anatomy, c: float, rng: np.random.Generator) -> FindingSpec:
    """Apical/lateral, pleural gap 0.015-0.085 h-units at the apex, extending further down when larger."""
    side = int(rng.integers(2))
    gap = 0.015 + 0.07 * c
    y_end = a.apex_y + 0.12 + 0.4 * c * (a.dome_y[side] - a.apex_y)
    lat_top = float(a.lateral_x(side, a.apex_y + 0.05))
    lat_bottom = float(a.lateral_x(side, y_end))
    inner = min(lat_top, lat_bottom) if side == 1 else max(lat_top, lat_bottom)
    x_in = inner - a.sign(side) * (gap + 0.01)
    x_out = max(lat_top, lat_bottom) if side == 1 else min(lat_top, lat_bottom)
    box = (min(x_in, x_out) - 0.01, a.apex_y - 0.02, max(x_in, x_out) + 0.01, y_end + 0.01)
    line = (float(a.lateral_x(side, a.apex_y + 0.3 * (y_end - a.apex_y))) - a.sign(side) * gap,
            a.apex_y + 0.3 * (y_end - a.apex_y))
    return FindingSpec("Pneumothorax", c, side, (box,), (line, (line[0], a.apex_y + 0.03)),
                       {"gap": gap, "y_end": y_end})


def pneumothorax_space(spec: FindingSpec, a: Anatomy, grid: Grid, lung: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(pleural-space indicator, visceral pleural line) on `grid`; `lung` is the aerated-lung mask."""
    gap, y_end = float(spec.params["gap"]), float(spec.params["y_end"])
    s = spec.side
    frac = np.clip((grid.y - a.apex_y) / (y_end - a.apex_y), 0.0, 1.0)
    width = gap * (1.0 - frac**2)
    depth = a.sign(s) * (a.lateral_x(s, grid.y) - grid.x)
    inside = _side_mask(a, grid, s) * lung
    space = inside * soft_inside(width - depth, grid.px) * (grid.y < y_end)
    line = inside * soft_inside(0.7 * grid.px - np.abs(depth - width), grid.px) * (width > grid.px)
    return space, line


def draw_pneumothorax(spec: FindingSpec, a: Anatomy, grid: Grid, layers: Layers) -> Overlay:
    """No markings and extra lucency beyond a thin bright visceral pleural line."""
    space, line = pneumothorax_space(spec, a, grid, layers.lung)
    k = 0.5 + 0.5 * spec.conspicuity
    return Overlay(delta=-0.12 * k * space + 0.16 * k * line, suppress=1.0 - space)


def pneumothorax_mask(spec: FindingSpec, a: Anatomy, grid: Grid) -> np.ndarray:
    """Boolean mask of the pneumothorax on `grid` (SIIM segmentation target).

    Evaluated only on the window that can hold it, zero elsewhere: from 3 pixels above the apex (no lung
    above it) to 3 below `y_end` (no pleural space or line below it), on the finding's side of the midline
    with 3 pixels to spare. Every value is elementwise in the pixel coordinates, so this equals evaluating
    the whole grid (at 1024x1024 it is several times cheaper)."""
    h, w = grid.height, grid.width
    rows = (max(0, int(np.floor(a.apex_y * h)) - 3), min(h, int(np.ceil(float(spec.params["y_end"]) * h)) + 3))
    mid = a.cx * h
    cols = (0, min(w, int(np.ceil(mid)) + 3)) if spec.side == 0 else (max(0, int(np.floor(mid)) - 3), w)
    window = Window(h, w, rows, cols)
    right, left = lung_masks(a, window)
    space, line = pneumothorax_space(spec, a, window, right + left)
    mask = np.zeros((h, w), dtype=bool)
    mask[rows[0]:rows[1], cols[0]:cols[1]] = (space + line) > 0.5
    return mask


def sample_pleural_other(a: Anatomy, c: float, rng: np.random.Generator) -> FindingSpec:
    """Pleural thickening or plaque along the lateral wall, 0.08-0.2 long, up to 0.02 thick."""
    side = int(rng.integers(2))
    length = 0.08 + 0.12 * c
    y0 = a.apex_y + rng.uniform(0.15, 0.45) * (a.dome_y[side] - a.apex_y)
    thick = 0.006 + 0.014 * c
    lat = float(a.lateral_x(side, y0 + length / 2))
    box = (lat - 0.03, y0 - 0.01, lat + 0.03, y0 + length + 0.01)
    return FindingSpec("Pleural Other", c, side, (box,), ((lat - a.sign(side) * thick, y0 + length / 2),),
                       {"y0": y0, "length": length, "thick": thick})


def draw_pleural_other(spec: FindingSpec, a: Anatomy, grid: Grid, layers: Layers) -> Overlay:
    """A dense band hugging the chest wall, tapered at both ends, with a calcified rim when conspicuous."""
    y0, length, thick = (float(spec.params[k]) for k in ("y0", "length", "thick"))
    s = spec.side
    along = np.clip((grid.y - y0) / length, 0.0, 1.0)
    width = thick * np.sin(np.pi * along) * ((grid.y > y0) & (grid.y < y0 + length))
    depth = a.sign(s) * (a.lateral_x(s, grid.y) - grid.x)
    band = _side_mask(a, grid, s) * soft_inside(width - np.abs(depth), grid.px) * (width > 0)
    rim = soft_inside(0.6 * grid.px - np.abs(depth - width), grid.px) * (width > grid.px) * _side_mask(a, grid, s)
    return Overlay(delta=0.55 * band + 0.25 * spec.conspicuity * rim, suppress=1.0 - band)
