"""Fixations that cannot be real, fixations off the image, and reference boxes off the image: what the readers
tell apart, so one absurd value never steers gaze targets, heatmaps or scores and every odd row is named with its
file and row (docs/data.md, "Damaged rows").

A fixation is damaged (passed over, `data check` fails) when a time or position is blank, NaN or infinite, it
ends before it starts, a time lies more than MAX_SECONDS from the reading's clock origin, a time is negative on
a clock that starts at zero (EyeGaze's per-image clock; REFLACX times before the dictation starts are negative
by design), or it lies more than FRAME_MARGIN image sizes off the frame. A fixation merely off the image (gaze on
the screen around it) is real: the readers count it and the gaze code passes it over.
"""
from __future__ import annotations

import math

from gazebench.data.skips import SkipLog

MAX_SECONDS = 3600.0
"""No fixation time lies more than an hour from the reading's clock origin (REFLACX: the dictation audio
start; EyeGaze: the image's own clock), and none lasts longer: readings take minutes."""
FRAME_MARGIN = 1.0
"""Coordinates may fall off the image (gaze on the screen border), but not by more than this many image
widths/heights; beyond that they come from a broken mapping, not from an eye."""
NAMES = ("fixation start time", "fixation end time", "x position", "y position")
"""How a reason names (t_start, t_end, x, y) unless the reader passes its own column names."""


def implausible(t_start: float, t_end: float, x: float, y: float, size: tuple[int, int], *,
                names: tuple[str, str, str, str] = NAMES, clock_from_zero: bool = False) -> str | None:
    """Why a fixation cannot be real (a damage reason naming the column), or None when it can; `size` is the
    image's (W, H); `clock_from_zero`: the reading's clock starts at 0, so a negative time is impossible."""
    for name, value in zip(names, (t_start, t_end, x, y), strict=True):
        if math.isnan(value):
            return f"blank or NaN {name}"
        if math.isinf(value):
            return f"infinite {name}"
    if clock_from_zero and min(t_start, t_end) < 0:
        return f"negative time on a clock that starts at 0 ({names[0]})"
    if abs(t_start) > MAX_SECONDS or abs(t_end) > MAX_SECONDS:
        return f"fixation time more than {MAX_SECONDS:g} s from the reading's clock origin"
    if t_end < t_start:
        return "fixation ends before it starts (time reversed)"
    width, height = size
    if not (-FRAME_MARGIN * width <= x <= (1 + FRAME_MARGIN) * width
            and -FRAME_MARGIN * height <= y <= (1 + FRAME_MARGIN) * height):
        return "fixation far outside the image frame"
    return None


def impossible_span(start: float, end: float) -> str | None:
    """Why a word or phrase time span (seconds) cannot be real (blank/NaN, infinite, or ending before it starts),
    or None when it can: transcripts put each word on the reading's clock, so such a span has no place on it."""
    if math.isnan(start) or math.isnan(end):
        return "has a blank or NaN time"
    if math.isinf(start) or math.isinf(end):
        return "has an infinite time"
    if end < start:
        return f"ends before it starts (end {end:g} < start {start:g})"
    return None


def off_image(x: float, y: float, size: tuple[int, int]) -> bool:
    """Whether a (plausible) fixation lies off the W x H image: x < 0, y < 0, x >= W or y >= H, as the gaze
    grid counts it (gazebench.gaze.grid)."""
    width, height = size
    return x < 0 or y < 0 or x >= width or y >= height


def off_frame(box: tuple[float, float, float, float], size: tuple[int, int]) -> str:
    """Where a reference box (xmin, ymin, xmax, ymax) lies on the W x H image: "inside", "across" its border
    (part of it off the image) or "outside" (no overlap at all: it cannot mark anything on this image)."""
    xmin, ymin, xmax, ymax = box
    width, height = size
    if xmax <= 0 or ymax <= 0 or xmin >= width or ymin >= height:
        return "outside"
    return "across" if xmin < 0 or ymin < 0 or xmax > width or ymax > height else "inside"


def keep_reference(box: tuple[float, float, float, float], size: tuple[int, int] | None, skips: SkipLog,
                   where: str, what: str, item: str) -> bool:
    """Whether a reference `what` (ellipse, box) of file `where` lands on the image: entirely outside it is
    recorded as damaged (and dropped), reaching past the border is kept as drawn and counted; `size` None
    (the image cannot be read: the image check names it) keeps the box unchecked."""
    placed = "inside" if size is None else off_frame(box, size)
    if placed == "outside":
        skips.damaged(f"{where}: {what} entirely outside the image", item)
    elif placed == "across":
        skips.kept(f"{where}: {what} reaching past the image border (kept as drawn)", item)
    return placed != "outside"
