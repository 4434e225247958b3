"""The simulated radiologist: a global-focal search model of chest-radiograph reading.

After Nodine & Kundel (1987) and Kundel, Nodine, Krupinski & Mello-Thoms (2007, 2008): a brief global
impression (first ~1 s) during which conspicuous findings capture early fixations and flag the regions that
look abnormal, then a systematic checklist search (lungs zone by zone, heart, mediastinum, costophrenic angles,
diaphragm, bones) that starts where the impression flagged something (so the search order depends on the
findings), with focal inspection of anything recognised in the useful field of view. Findings are missed as
search errors (never near a fixation), recognition errors (fixated but not recognised) or decision errors
(dwelt on but not reported), as classified by Kundel, Nodine & Carmody (1978). Times are seconds from image onset;
positions are h-units (see anatomy).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gazebench.synthetic.anatomy import Anatomy
from gazebench.synthetic.finding_types import Box, FindingSpec


@dataclass(frozen=True)
class ReaderParams:
    """Parameters of the simulated reader (defaults from the eye-tracking literature, see docs/synthetic.md)."""

    degree: float = 1 / 30
    """h-units per degree of visual angle (the image height spans about 30°)."""
    search_median_s: float = 0.26
    """Median fixation duration during search (typical 200-300 ms)."""
    focal_median_s: float = 0.42
    """Median fixation duration while inspecting a finding (longer dwell on lesions)."""
    duration_sigma: float = 0.4
    """Log-normal spread of fixation durations."""
    saccade_s: tuple[float, float] = (0.02, 0.06)
    global_fixations: tuple[int, int] = (3, 6)
    """Fixations in the global-impression phase (~1 s)."""
    capture: float = 0.9
    """P(a finding captures gaze during the global phase) = capture × conspicuity²."""
    gist: float = 0.8
    """P(the global impression flags a finding not yet inspected) = gist × conspicuity: the holistic first
    impression perceives something abnormal at a place before any search reaches it (Kundel et al. 2007, 2008).
    Flagged places are fixated first after the global phase, the search starts on the flagged side, and the
    checklist zones near them come before the others."""
    ufov_deg: float = 2.5
    """Radius of the useful field of view around a fixation, degrees."""
    recognition: tuple[float, float] = (0.12, 0.7)
    """P(recognise per fixation within the UFOV) = a + b × conspicuity (halved unless within 1° of its box)."""
    dwell_threshold_s: float = 1.0
    """Cumulative dwell (fixations within 1° of the finding) needed to report it (Kundel et al. 1978: ~1 s)."""
    decision: tuple[float, float] = (0.55, 0.45)
    """P(report | dwelt) = a + b × conspicuity."""
    skip_zone: float = 0.1
    """P(a checklist zone is skipped), which produces search errors."""
    jitter_deg: float = 0.7


@dataclass(frozen=True)
class Outcome:
    """What happened to one finding in one reading."""

    finding: int
    """Index into the study's specs."""
    first_fixation_s: float | None
    """Start of the first fixation whose UFOV reached the finding (None: never fixated)."""
    status: str
    """"reported", "search-miss", "recognition-miss" or "decision-miss"."""
    report_s: float | None = None
    """When the finding was recognised and accepted (report sentences start after it)."""


@dataclass(frozen=True, eq=False)
class Reading:
    """A simulated reading: fixations (parallel arrays, seconds from image onset, h-units) and outcomes."""

    t_start: np.ndarray
    t_end: np.ndarray
    x: np.ndarray
    y: np.ndarray
    outcomes: tuple[Outcome, ...]
    checked: tuple[tuple[str, float], ...]
    """(checklist item, time first fixated) for the normal-anatomy checklist."""


CHECKLIST_NEGATIONS: dict[str, str] = {
    "apex": "Pneumothorax", "costophrenic": "Pleural Effusion", "heart": "Cardiomegaly",
    "mediastinum": "Enlarged Cardiomediastinum", "lower zone": "Consolidation", "bones": "Fracture",
}
"""Checklist item → the finding whose absence a radiologist may state after checking it."""


def checklist(a: Anatomy, right_first: bool) -> list[tuple[str, float, float]]:
    """Systematic search route: (item, x, y) — both lungs zone by zone, then the cardiomediastinal
    silhouette, costophrenic angles, diaphragm, bones and soft tissues."""
    route: list[tuple[str, float, float]] = []
    for side in ((0, 1) if right_first else (1, 0)):
        for zone, f in (("apex", 0.02), ("upper zone", 0.2), ("mid zone", 0.5), ("lower zone", 0.82)):
            y = a.apex_y + 0.04 + f * (a.dome_y[side] - a.apex_y - 0.06)
            lat, med = float(a.lateral_x(side, y)), a.medial_x(side, y)
            depths = (0.45,) if zone == "apex" else (0.3, 0.75)
            route += [(zone, med + d * (lat - med), y) for d in (depths if side == 0 else depths[::-1])]
    route += [("heart", a.heart_cx - 0.8 * a.heart_a, a.heart_cy), ("heart", a.heart_cx + 0.8 * a.heart_a, a.heart_cy),
              ("mediastinum", a.cx, a.hilum_y - 0.1), ("mediastinum", a.cx + 0.09, a.hilum_y)]
    for side in (0, 1):
        x = float(a.lateral_x(side, a.cp_y[side])) - a.sign(side) * 0.03
        route.append(("costophrenic", x, a.cp_y[side] - 0.02))
    route += [("diaphragm", a.cx + s * 0.45 * a.half_width, a.dome_y[i]) for i, s in ((0, -1), (1, 1))]
    route += [("bones", a.cx + s * 0.2, a.clavicle_y) for s in (-1, 1)]
    route += [("bones", a.cx + s * 0.9 * a.half_width, a.hilum_y + 0.05) for s in (1, -1)]
    return route


def search_right_first(specs: tuple[FindingSpec, ...], flagged: list[int], rng: np.random.Generator) -> bool:
    """The lungs are searched from the side of the most conspicuous flagged one-sided finding; with none, the
    patient's right first (70 %), the habit most readers have."""
    sides = [specs[i].side for i in flagged if specs[i].side in (0, 1)]
    return sides[0] == 0 if sides else bool(rng.random() < 0.7)


def gist_ordered(route: list[tuple[str, float, float]], specs: tuple[FindingSpec, ...], flagged: list[int],
                 reach: float) -> list[tuple[str, float, float]]:
    """`route` with the checklist points within `reach` of a flagged finding's regions moved to the front
    (in route order): the zones the global impression found suspicious are searched first."""
    boxes = [b for i in flagged for b in specs[i].regions]
    near = [any(_distance_to_box(x, y, b) <= reach for b in boxes) for _, x, y in route]
    return [p for p, n in zip(route, near, strict=True) if n] + [p for p, n in zip(route, near, strict=True) if not n]


def _distance_to_box(x: float, y: float, box: Box) -> float:
    dx = max(box[0] - x, 0.0, x - box[2])
    dy = max(box[1] - y, 0.0, y - box[3])
    if dx == 0.0 or dy == 0.0:  # hypot(d, 0) is exactly |d|; skips the ufunc call on most points
        return float(dx + dy)
    return float(np.hypot(dx, dy))


class _Session:
    """Mutable state of one simulated reading (kept private; the result is a frozen Reading)."""

    def __init__(self, specs: tuple[FindingSpec, ...], p: ReaderParams, rng: np.random.Generator) -> None:
        self.specs, self.p, self.rng = specs, p, rng
        self.t = 0.0
        self.rows: list[tuple[float, float, float, float]] = []
        self.first: dict[int, float] = {}
        self.dwell: dict[int, float] = {}
        self.fate: dict[int, tuple[str, float | None]] = {}

    def duration(self, median: float) -> float:
        return min(max(float(median * np.exp(self.p.duration_sigma * self.rng.standard_normal())), 0.08), 2.0)

    def fixate(self, x: float, y: float, median: float) -> list[int]:
        """Add one fixation; return the findings whose UFOV it reached."""
        d = self.duration(median)
        self.rows.append((self.t, self.t + d, x, y))
        near = []
        for i, spec in enumerate(self.specs):
            if any(_distance_to_box(x, y, box) <= self.p.ufov_deg * self.p.degree for box in spec.regions):
                self.first.setdefault(i, self.t)
                near.append(i)
            if any(_distance_to_box(x, y, box) <= self.p.degree for box in spec.regions):
                self.dwell[i] = self.dwell.get(i, 0.0) + d
        self.t += d + float(self.rng.uniform(*self.p.saccade_s))
        return near

    def look(self, x: float, y: float, median: float) -> list[int]:
        j = self.p.jitter_deg * self.p.degree
        return self.fixate(x + j * self.rng.standard_normal(), y + j * self.rng.standard_normal(), median)

    def inspect(self, i: int) -> None:
        """Focal inspection: refixations on the finding's anchors and inside its regions, then a decision."""
        spec = self.specs[i]
        for k in range(int(self.rng.integers(3, 7))):
            if k % 2 == 0:
                x, y = spec.anchors[int(self.rng.integers(len(spec.anchors)))]
                self.look(x, y, self.p.focal_median_s)
            else:
                box = spec.regions[int(self.rng.integers(len(spec.regions)))]
                self.fixate(self.rng.uniform(box[0], box[2]), self.rng.uniform(box[1], box[3]), self.p.focal_median_s)
        a, b = self.p.decision
        if self.dwell.get(i, 0.0) >= self.p.dwell_threshold_s and self.rng.random() < a + b * spec.conspicuity:
            self.fate[i] = ("reported", self.t)
        else:
            self.fate[i] = ("decision-miss", None)

    def search_step(self, x: float, y: float) -> None:
        for i in self.look(x, y, self.p.search_median_s):
            if i in self.fate:
                continue
            inside = any(_distance_to_box(*self.rows[-1][2:], box) <= self.p.degree for box in self.specs[i].regions)
            a, b = self.p.recognition
            if self.rng.random() < (a + b * self.specs[i].conspicuity) * (1.0 if inside else 0.5):
                self.inspect(i)


def simulate_reading(a: Anatomy, specs: tuple[FindingSpec, ...], rng: np.random.Generator,
                     params: ReaderParams = ReaderParams()) -> Reading:
    """One reading of a film with findings `specs` (global impression → checklist search with focal inspection)."""
    s = _Session(specs, params, rng)
    s.look(a.cx, 0.45, params.search_median_s)
    for _ in range(int(rng.integers(*params.global_fixations)) - 1):
        s.look(a.cx + rng.uniform(-0.7, 0.7) * a.half_width, rng.uniform(0.25, 0.65), 0.2)
        for i in sorted(range(len(specs)), key=lambda k: -specs[k].conspicuity):
            if i not in s.fate and rng.random() < params.capture * specs[i].conspicuity ** 2 / 2:
                s.inspect(i)
    checked: dict[str, float] = {}
    flagged = [i for i in sorted(range(len(specs)), key=lambda k: -specs[k].conspicuity)
               if i not in s.fate and rng.random() < params.gist * specs[i].conspicuity]
    for i in flagged:  # go to what the impression flagged, most conspicuous first
        s.search_step(*specs[i].anchors[0])
    route = gist_ordered(checklist(a, right_first=search_right_first(specs, flagged, rng)), specs, flagged,
                         2 * params.ufov_deg * params.degree)
    skipped = {item for item, *_ in route if rng.random() < params.skip_zone and item != "heart"}
    previous = (a.cx, 0.45)
    for item, x, y in route:
        if item in skipped:
            continue
        gap = np.hypot(x - previous[0], y - previous[1]) / params.degree
        for f in np.linspace(0, 1, int(gap // 6) + 2)[1:-1]:
            s.search_step(previous[0] + f * (x - previous[0]), previous[1] + f * (y - previous[1]))
        checked.setdefault(item, s.t)
        s.search_step(x, y)
        previous = (x, y)
    outcomes = []
    for i in range(len(specs)):
        status, when = s.fate.get(i, ("recognition-miss" if i in s.first else "search-miss", None))
        outcomes.append(Outcome(i, s.first.get(i), status, when))
    rows = np.asarray(s.rows, dtype=np.float64).reshape(-1, 4)
    return Reading(rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3], tuple(outcomes), tuple(checked.items()))


def extend_while_dictating(reading: Reading, a: Anatomy, specs: tuple[FindingSpec, ...],
                           spans: list[tuple[int | None, float, float]], rng: np.random.Generator,
                           params: ReaderParams = ReaderParams()) -> Reading:
    """Keep reading until the dictation ends: while a finding is dictated the reader looks back at it
    (eye-voice span), otherwise at checklist points. `spans` = (finding index or None, start, end)."""
    s = _Session(specs, params, rng)
    s.t = float(reading.t_end[-1]) + float(rng.uniform(*params.saccade_s)) if len(reading.t_end) else 0.0
    end = max((e for _, _, e in spans), default=0.0) + float(rng.uniform(0.3, 1.2))
    route = checklist(a, right_first=True)
    while s.t < end:
        talking = [i for i, t0, t1 in spans if i is not None and t0 - 0.5 <= s.t <= t1]
        if talking:
            spec = specs[talking[0]]
            x, y = spec.anchors[int(rng.integers(len(spec.anchors)))]
            s.look(x, y, params.focal_median_s)
        else:
            _, x, y = route[int(rng.integers(len(route)))]
            s.look(x, y, params.search_median_s)
    rows = np.asarray(s.rows, dtype=np.float64).reshape(-1, 4)
    cat = [np.concatenate([getattr(reading, k), rows[:, j]]) for j, k in enumerate(("t_start", "t_end", "x", "y"))]
    return Reading(cat[0], cat[1], cat[2], cat[3], outcomes=reading.outcomes, checked=reading.checked)
