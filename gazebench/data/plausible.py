"""Fixations that cannot be real: what the gaze readers (REFLACX, EyeGaze) pass over, with a counted reason,
before one absurd value can steer gaze targets or heatmaps."""
from __future__ import annotations

import math

MAX_SECONDS = 3600.0
"""No fixation time lies more than an hour from the reading's clock origin (REFLACX: the dictation audio
start; EyeGaze: the image's own clock), and none lasts longer: readings take minutes."""
FRAME_MARGIN = 1.0
"""Coordinates may fall off the image (gaze on the screen border), but not by more than this many image
widths/heights; beyond that they come from a broken mapping, not from an eye."""


def implausible(t_start: float, t_end: float, x: float, y: float, size: tuple[int, int]) -> str | None:
    """Why a fixation cannot be real (a skip reason), or None when it can; `size` is the image's (W, H)."""
    if not all(math.isfinite(v) for v in (t_start, t_end, x, y)):
        return "blank, NaN or infinite fixation time or position"
    if abs(t_start) > MAX_SECONDS or abs(t_end) > MAX_SECONDS:
        return f"fixation time more than {MAX_SECONDS:g} s from the reading's clock origin"
    if t_end < t_start:
        return "fixation ends before it starts"
    width, height = size
    if not (-FRAME_MARGIN * width <= x <= (1 + FRAME_MARGIN) * width
            and -FRAME_MARGIN * height <= y <= (1 + FRAME_MARGIN) * height):
        return "fixation far outside the image frame"
    return None
