"""Track markers: a privileged reference (†) or a model that reads radiologist gaze at inference (‡) is
never shown beside gaze-free models without its mark and a legend line (issue 8, §1)."""
from __future__ import annotations

from collections.abc import Iterable

MARKS = {"standard": "", "gaze-at-inference": "‡", "privileged": "†"}
LEGEND = {
    "privileged": "† privileged reference: the model sees what a competitor may not (e.g. the labels); a ceiling, "
                  "not a competitor.",
    "gaze-at-inference": "‡ gaze at inference: the model reads the radiologist's gaze on the test image; a separate "
                         "track from gaze-free models.",
}


def marked(name: str, track: str) -> str:
    """`name` followed by its track's marker (unchanged for the standard track)."""
    mark = MARKS.get(track, "")
    return f"{name} {mark}" if mark else name


def legend(tracks: Iterable[str]) -> list[str]:
    """One legend line per marked track present, in a fixed order."""
    present = set(tracks)
    return [line for track, line in LEGEND.items() if track in present]
