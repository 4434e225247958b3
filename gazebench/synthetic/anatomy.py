"""Chest-radiograph phantom anatomy: body, lungs, heart, mediastinum, diaphragm, ribs, clavicles, spine and
lung markings, as attenuation layers on a pixel grid.

Coordinates are in units of image height ("h-units"): x in [0, W/H], y in [0, 1], origin top-left, the
patient's right on the image left (side 0) and the patient's left on the image right (side 1).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from PIL import Image
from scipy.ndimage import gaussian_filter

AIR = 0.62
"""Attenuation removed by a fully aerated lung (soft tissue is ~0.9)."""


@dataclass(frozen=True)
class Grid:
    """Pixel-centre coordinates of an H×W image in h-units, as broadcastable row/column vectors."""

    height: int
    width: int

    @property
    def x(self) -> np.ndarray:
        return ((np.arange(self.width, dtype=np.float32) + 0.5) / self.height)[None, :]

    @property
    def y(self) -> np.ndarray:
        return ((np.arange(self.height, dtype=np.float32) + 0.5) / self.height)[:, None]

    @property
    def px(self) -> float:
        """One pixel in h-units."""
        return 1.0 / self.height

    def around(self, x0: float, y0: float, x1: float, y1: float) -> Window:
        """The Window of the pixels whose centres lie in the box [x0, x1] × [y0, y1] (h-units), one pixel to
        spare on each side, cut to this grid (possibly empty)."""
        if isinstance(self, Window):
            raise TypeError("around() cuts a whole Grid, not a Window")
        h = self.height

        def span(lo: float, hi: float, n: int) -> tuple[int, int]:
            start, stop = min(n, max(0, int(np.floor(lo * h)) - 1)), max(0, min(n, int(np.ceil(hi * h)) + 1))
            return start, max(start, stop)

        return Window(self.height, self.width, span(y0, y1, self.height), span(x0, x1, self.width))


@dataclass(frozen=True)
class Window(Grid):
    """Rows [rows[0], rows[1]) and columns [cols[0], cols[1]) of a height×width Grid: the same pixel-centre
    coordinates for fewer pixels, so an elementwise rendering on it equals the whole grid's cut to the window."""

    rows: tuple[int, int] = (0, 0)
    cols: tuple[int, int] = (0, 0)

    @property
    def slices(self) -> tuple[slice, slice]:
        """Where this window lies in its grid's (H, W) arrays."""
        return slice(*self.rows), slice(*self.cols)

    @property
    def x(self) -> np.ndarray:
        return super().x[:, self.cols[0]:self.cols[1]]

    @property
    def y(self) -> np.ndarray:
        return super().y[self.rows[0]:self.rows[1]]


@dataclass(frozen=True)
class Anatomy:
    """Geometry of one film's thorax (h-units); pairs are (patient right = image left, patient left)."""

    aspect: float
    cx: float
    half_width: float
    apex_y: float
    cp_y: tuple[float, float]
    """Costophrenic angle heights (lowest, most lateral point of each lung)."""
    dome_y: tuple[float, float]
    """Hemidiaphragm dome heights; the right dome is normally higher."""
    ctr: float
    """Cardiothoracic ratio: heart width / thoracic width (normal < 0.5)."""
    heart_b: float
    heart_cy: float
    """Vertical centre of the heart (it sits on the left hemidiaphragm)."""
    medi_hw: float
    """Half-width of the upper mediastinum."""
    rib_y0: float
    rib_spacing: float
    clavicle_y: float
    body_hw: float
    spine_hw: float
    soft_tissue: float
    texture_seed: int
    view: str
    """"PA" or "AP" (AP: magnified heart, higher diaphragm, higher clavicles)."""

    def sign(self, side: int) -> float:
        return -1.0 if side == 0 else 1.0

    @property
    def heart_a(self) -> float:
        return self.ctr * self.half_width

    @property
    def heart_cx(self) -> float:
        return self.cx + 0.35 * self.heart_a

    @property
    def hilum_y(self) -> float:
        return self.apex_y + 0.42 * (self.cp_y[0] - 0.085 - self.apex_y)

    def lateral_x(self, side: int, y: np.ndarray | float) -> np.ndarray:
        """Inner edge of the chest wall at height y."""
        t = np.clip((np.asarray(y) - self.apex_y) / (self.cp_y[side] - self.apex_y), 0.0, 1.0)
        return self.cx + self.sign(side) * self.half_width * (0.35 + 0.65 * np.sqrt(t))

    def diaphragm_y(self, side: int, x: np.ndarray | float) -> np.ndarray:
        """Height of the hemidiaphragm at column x (a parabola through the dome and the CP angle)."""
        dome_x = self.cx + self.sign(side) * 0.45 * self.half_width
        k = (self.cp_y[side] - self.dome_y[side]) / (0.55 * self.half_width) ** 2
        return self.dome_y[side] + k * (np.asarray(x) - dome_x) ** 2

    def medial_x(self, side: int, y: float) -> float:
        """Mediastinal or cardiac border of the lung at height y."""
        border = self.cx + self.sign(side) * self.medi_hw
        dy = (y - self.heart_cy) / self.heart_b
        if abs(dy) < 1.0:
            heart_edge = self.heart_cx + self.sign(side) * self.heart_a * np.sqrt(1.0 - dy * dy)
            border = max(border, heart_edge) if side == 1 else min(border, heart_edge)
        return float(border)

    def lung_point(self, rng: np.random.Generator, side: int, zone: tuple[float, float] = (0.0, 1.0),
                   depth: tuple[float, float] = (0.1, 0.9)) -> tuple[float, float]:
        """A random point inside one lung: `zone` is the fraction of apex→dome height, `depth` of medial→lateral."""
        y = self.apex_y + 0.04 + rng.uniform(*zone) * (self.dome_y[side] - self.apex_y - 0.06)
        lat, med = float(self.lateral_x(side, y)), self.medial_x(side, y)
        x = med + rng.uniform(*depth) * (lat - med)
        return float(x), float(y)


def sample_anatomy(rng: np.random.Generator, aspect: float, view: str) -> Anatomy:
    """One patient's thorax with natural variation in size, shape, heart and diaphragm."""
    half_width = rng.uniform(0.31, 0.36) * min(1.0, aspect / 0.8)
    dome_r = rng.uniform(0.60, 0.66)
    dome_l = dome_r + rng.uniform(0.01, 0.035)
    heart_b = rng.uniform(0.12, 0.14)
    base = Anatomy(
        aspect=aspect, cx=aspect / 2 + rng.normal(0, 0.008), half_width=half_width,
        apex_y=rng.uniform(0.09, 0.13), cp_y=(dome_r + rng.uniform(0.07, 0.1), dome_r + rng.uniform(0.08, 0.11)),
        dome_y=(dome_r, dome_l), ctr=rng.uniform(0.40, 0.47),
        heart_b=heart_b, heart_cy=dome_l - 0.7 * heart_b, medi_hw=rng.uniform(0.045, 0.06),
        rib_y0=rng.uniform(0.06, 0.08),
        rib_spacing=rng.uniform(0.052, 0.06), clavicle_y=rng.uniform(0.15, 0.18),
        body_hw=half_width + rng.uniform(0.05, 0.09), spine_hw=rng.uniform(0.028, 0.034),
        soft_tissue=rng.uniform(0.82, 0.98), texture_seed=int(rng.integers(2**31)), view="PA",
    )
    return with_view(base, view)


def with_view(a: Anatomy, view: str) -> Anatomy:
    """The same thorax filmed PA or AP (AP: ×1.12 heart, domes 0.03 higher, clavicles 0.025 higher)."""
    if view == a.view:
        return a
    f = 1.0 if view == "AP" else -1.0
    return replace(a, view=view, ctr=a.ctr * 1.12 ** f, dome_y=(a.dome_y[0] - 0.03 * f, a.dome_y[1] - 0.03 * f),
                   cp_y=(a.cp_y[0] - 0.03 * f, a.cp_y[1] - 0.03 * f), clavicle_y=a.clavicle_y - 0.025 * f,
                   heart_cy=a.heart_cy - 0.03 * f)


def jitter(a: Anatomy, rng: np.random.Generator) -> Anatomy:
    """The same patient on another day: small changes in positioning and inspiration."""
    d = rng.normal(0, 0.01)
    return replace(a, cx=a.cx + rng.normal(0, 0.006), dome_y=(a.dome_y[0] + d, a.dome_y[1] + d),
                   cp_y=(a.cp_y[0] + d, a.cp_y[1] + d), heart_cy=a.heart_cy + d, texture_seed=a.texture_seed + 1)


def smoothstep(t: np.ndarray) -> np.ndarray:
    """0 below 0, 1 above 1, smooth in between (anti-aliased mask edges). Computed in place on the clipped copy:
    the same operations as t * t * (3 - 2t) (-2t + 3 is 3 - 2t exactly), without the temporaries."""
    t = np.clip(t, 0.0, 1.0)
    w = t * -2.0
    w += 3.0
    t *= t
    t *= w
    return t


def soft_inside(margin: np.ndarray, px: float) -> np.ndarray:
    """Anti-aliased indicator of margin > 0 (margin in h-units, edge about 1.5 pixels wide)."""
    t = margin / (1.5 * px)
    t += 0.5
    return smoothstep(t)


def segment_distance(x: np.ndarray, y: np.ndarray, p0: tuple[float, float], p1: tuple[float, float]) -> np.ndarray:
    """Distance from each grid point to the segment p0-p1."""
    dx, dy = p1[0] - p0[0], p1[1] - p0[1]
    t = np.clip(((x - p0[0]) * dx + (y - p0[1]) * dy) / max(dx * dx + dy * dy, 1e-12), 0.0, 1.0)
    return np.hypot(x - (p0[0] + t * dx), y - (p0[1] + t * dy))


def upsampled_noise(seed: int, grid: Grid, cells: int, sigma: float) -> np.ndarray:
    """Smooth unit-variance noise defined on a fixed coarse lattice, so it looks alike at every resolution."""
    rng = np.random.default_rng(seed)
    rows, cols = cells, max(2, round(cells * grid.width / grid.height))
    coarse = gaussian_filter(rng.standard_normal((rows, cols)), sigma, mode="wrap").astype(np.float32)
    coarse /= coarse.std() + 1e-6
    img = Image.fromarray(coarse, mode="F").resize((grid.width, grid.height), Image.Resampling.BILINEAR)
    return np.asarray(img, dtype=np.float32)


@dataclass(frozen=True, eq=False)
class Layers:
    """Attenuation layers of the normal anatomy; findings add to or mask them."""

    soft: np.ndarray
    """Soft tissue (body, mediastinum, heart, abdomen)."""
    bone: np.ndarray
    lung: np.ndarray
    """Aerated-lung indicator in [0, 1]."""
    air: np.ndarray
    """Attenuation removed by air (thinner near the chest wall)."""
    markings: np.ndarray
    """Vascular lung markings (only where lung)."""


def lung_masks(a: Anatomy, grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """Anti-aliased masks of the right (image-left) and left lungs."""
    x, y, px = grid.x, grid.y, grid.px
    heart = ((x - a.heart_cx) / a.heart_a) ** 2 + ((y - a.heart_cy) / a.heart_b) ** 2
    heart_margin = (np.sqrt(heart) - 1.0) * min(a.heart_a, a.heart_b)
    masks = []
    for side in (0, 1):
        s = a.sign(side)
        margin = s * (a.lateral_x(side, y) - x)  # lateral
        np.minimum(margin, s * (x - a.cx) - a.medi_hw, out=margin)  # medial
        below_apex = y - a.apex_y - 1.4 * (x - (a.cx + s * 0.5 * a.half_width)) ** 2
        np.minimum(below_apex, a.diaphragm_y(side, x) - y, out=below_apex)  # above the diaphragm
        np.minimum(margin, below_apex, out=margin)
        np.minimum(margin, heart_margin, out=margin)
        masks.append(soft_inside(margin, px))
    return masks[0], masks[1]


def anatomy_layers(a: Anatomy, grid: Grid) -> Layers:
    """Render the normal thorax of `a` on `grid` as attenuation layers."""
    x, y, px = grid.x, grid.y, grid.px
    neck = 0.1
    bw = neck + (a.body_hw - neck) * smoothstep((y - 0.02) / 0.13)
    soft = np.square((x - a.cx) / bw)
    np.subtract(1.0, soft, out=soft)
    np.clip(soft, 0.0, 1.0, out=soft)
    np.sqrt(soft, out=soft)
    soft *= a.soft_tissue
    soft *= soft_inside(bw - np.abs(x - a.cx), px)
    bubble_x, bubble_y = a.cx + 0.5 * a.half_width, a.dome_y[1] + 0.06
    # The gastric bubble is exactly 0 from under a pixel outside its ellipse on: drawn on a window 2 pixels wider.
    win = grid.around(bubble_x - 0.05 - 2 * px, bubble_y - 0.028 - 2 * px, bubble_x + 0.05 + 2 * px,
                      bubble_y + 0.028 + 2 * px)
    bubble = soft_inside(1.0 - np.hypot((win.x - bubble_x) / 0.05, (win.y - bubble_y) / 0.028), 0.5 * px / 0.028)
    soft[win.slices] -= 0.3 * bubble * (win.y > a.diaphragm_y(1, win.x))

    lung, left = lung_masks(a, grid)
    lung += left
    # air = AIR lung (0.55 + 0.45 smoothstep(lat_margin / 0.07)), in place
    lat_margin = np.abs(a.lateral_x(0, y) - x)
    np.minimum(lat_margin, np.abs(a.lateral_x(1, y) - x), out=lat_margin)
    lat_margin /= 0.07
    wall = smoothstep(lat_margin)
    wall *= 0.45
    wall += 0.55
    air = AIR * lung
    air *= wall

    # bone = (0.07 band + 0.06 cortex) extent + 0.04 anterior lung + the spine, in place
    u = np.abs(x - a.cx) / a.half_width
    ribs_q = y - a.rib_y0 - 0.035 * u
    ribs_q -= 0.07 * u**2
    ribs_q /= a.rib_spacing
    frac = np.floor(ribs_q)
    np.subtract(ribs_q, frac, out=frac)
    frac -= 0.2
    np.abs(frac, out=frac)  # |frac - 0.2|
    bone = soft_inside(0.2 - frac, px / a.rib_spacing)  # the rib band
    frac -= 0.2
    np.abs(frac, out=frac)
    np.subtract(0.035, frac, out=frac)
    cortex = soft_inside(frac, px / a.rib_spacing)
    extent = soft_inside(1.08 - u, px / a.half_width) * smoothstep((u - 0.08) / 0.08)
    floor = np.minimum(np.minimum(a.diaphragm_y(0, x), a.diaphragm_y(1, x)), max(a.cp_y))
    below = floor + 0.05 - y
    below /= 0.05
    extent = extent * (ribs_q > 0)
    extent *= ribs_q < 10
    extent *= smoothstep(below)
    ant_q = y - a.rib_y0 - 0.16 + 0.09 * u
    ant_q /= 1.5 * a.rib_spacing
    ant_frac = np.floor(ant_q)
    np.subtract(ant_q, ant_frac, out=ant_frac)
    ant_frac -= 0.12
    np.abs(ant_frac, out=ant_frac)
    np.subtract(0.12, ant_frac, out=ant_frac)
    anterior = soft_inside(ant_frac, px / a.rib_spacing)
    anterior *= ant_q > 0
    anterior *= ant_q < 6
    bone *= 0.07
    cortex *= 0.06
    bone += cortex
    bone *= extent
    anterior *= 0.04
    anterior *= lung
    bone += anterior
    spine = soft_inside(a.spine_hw - np.abs(x - a.cx), px)
    bone += spine * (0.2 + 0.05 * np.cos(2 * np.pi * y / 0.047))
    for side in (0, 1):  # each clavicle is exactly 0 beyond 0.75 pixel outside its 0.011 half-width
        s = a.sign(side)
        p0, p1 = (a.cx + s * 0.03, a.clavicle_y + 0.015), (a.cx + s * 0.30, a.clavicle_y - 0.035)
        reach = 0.011 + 2 * px
        win = grid.around(min(p0[0], p1[0]) - reach, p1[1] - reach, max(p0[0], p1[0]) + reach, p0[1] + reach)
        bone[win.slices] += 0.16 * soft_inside(0.011 - segment_distance(win.x, win.y, p0, p1), px)

    # markings = lung * ((0.2 ridges + 0.03 fine) exp(-hilum / 0.16) + 0.2 exp(-(hilum / 0.04)²)), in place
    markings = upsampled_noise(a.texture_seed, grid, 48, 1.0) / 0.18
    np.square(markings, out=markings)
    np.negative(markings, out=markings)
    np.exp(markings, out=markings)  # ridges
    markings *= 0.2
    fine = upsampled_noise(a.texture_seed + 7, grid, 90, 1.0) * 0.03
    markings += fine
    hilum = np.hypot(x - (a.cx - 0.09), y - a.hilum_y)
    np.minimum(hilum, np.hypot(x - (a.cx + 0.1), y - a.hilum_y), out=hilum)
    near = np.negative(hilum)
    near /= 0.16
    np.exp(near, out=near)
    markings *= near
    np.divide(hilum, 0.04, out=near)
    np.square(near, out=near)
    np.negative(near, out=near)
    np.exp(near, out=near)
    near *= 0.2
    markings += near
    markings *= lung
    return Layers(soft=soft, bone=bone, lung=lung, air=air, markings=markings)


def lateral_film(a: Anatomy, grid: Grid) -> np.ndarray:
    """Attenuation of a crude lateral view of the same patient (only for a stray lateral image)."""
    x, y, px = grid.x, grid.y, grid.px
    cx, hw = grid.width / grid.height / 2, 0.34
    body = soft_inside(hw - np.abs(x - cx), px) * a.soft_tissue
    lung = soft_inside(np.minimum(0.26 - np.abs(x - cx + 0.02), a.dome_y[0] - y) * (y > a.apex_y), px)
    heart = soft_inside(0.1 - np.hypot((x - cx + 0.1) / 1.2, y - a.dome_y[0] + 0.08), px)
    spine = soft_inside(0.035 - np.abs(x - cx - 0.25), px) * (0.25 + 0.05 * np.cos(2 * np.pi * y / 0.047))
    return body - AIR * lung * (1.0 - heart) + spine
