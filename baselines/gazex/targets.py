"""GazeX's box text and the trajectory, grounding and report targets of one training image.

A box is written `(x1,y1)(x2,y2)(cx,cy)`: corners and centroid as rounded integers in the model's input frame,
the form GazeX's grounding targets use (Lee et al., GazeX; docs/gazex_track.md, "The gazex model"). A
trajectory is `trajectory : [B,B,...]` with one box per gaze region in reading order; a grounding answer is
`observation : [B]`. Parsing is lenient where GazeX's own prompts are (spaces, a missing or extra comma, no
space before the colon) and strict about the numbers: text with no complete box parses to nothing."""
from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from gazebench.gaze.clusters import GazeRegion, cluster_fixations
from gazebench.gaze.controls import sample_rng, shuffled
from gazebench.records import Finding, Sample
from gazebench.vlm.objective import pick_record

Box = tuple[int, int, int, int, int, int]
"""(x1, y1, x2, y2, cx, cy) in pixels of the model's square input."""

_NUM = r"\s*(-?\d+)\s*"
BOX_PATTERN = re.compile(rf"\({_NUM},{_NUM}\)\s*\({_NUM},{_NUM}\)\s*\({_NUM},{_NUM}\)")
"""One box; the pattern docs/gazex_track.md recommends for GazeX's grammar."""


def format_box(box: Box) -> str:
    """`(x1,y1)(x2,y2)(cx,cy)`."""
    x1, y1, x2, y2, cx, cy = box
    return f"({x1},{y1})({x2},{y2})({cx},{cy})"


def trajectory_text(boxes: Sequence[Box]) -> str:
    """`trajectory : [B,B,...]`, boxes in the given order."""
    return f"trajectory : [{','.join(format_box(b) for b in boxes)}]"


def observation_text(box: Box) -> str:
    """`observation : [B]`, GazeX's answer box."""
    return f"observation : [{format_box(box)}]"


def parse_boxes(text: str) -> list[Box]:
    """Every complete box in `text`, in order (incomplete or garbled ones are skipped)."""
    return [tuple(int(v) for v in m.groups()) for m in BOX_PATTERN.finditer(text)]  # type: ignore[misc]


def parse_observation(text: str) -> Box | None:
    """The answer box: the first box after the word `observation`, else the first box anywhere; None if none
    (earlier boxes before `observation` are GazeX's visual clues, not the answer)."""
    at = text.find("observation")
    boxes = parse_boxes(text[at:]) if at >= 0 else []
    boxes = boxes or parse_boxes(text)
    return boxes[0] if boxes else None


def model_box(box: tuple[float, float, float, float], centre: tuple[float, float], image_size: tuple[float, float],
              side: int) -> Box:
    """An image-pixel box and centroid → rounded integers in the model's `side`×`side` input frame."""
    sx, sy = side / image_size[0], side / image_size[1]
    x1, y1, x2, y2 = box
    vals = (x1 * sx, y1 * sy, x2 * sx, y2 * sy, centre[0] * sx, centre[1] * sy)
    return tuple(int(np.clip(round(v), 0, side)) for v in vals)  # type: ignore[return-value]


def region_boxes(sample: Sample, side: int, max_regions: int) -> list[Box]:
    """The first `max_regions` gaze regions (gazebench.gaze.clusters) of the sample's supervising reading, in
    reading order, as model-frame boxes; [] without a reading or a region."""
    record = pick_record(sample)
    if record is None:
        return []
    regions: Sequence[GazeRegion] = cluster_fixations(record.fixations, record.image_size).regions
    return [model_box(r.box, (r.x, r.y), record.image_size, side) for r in regions[:max_regions]]


def trajectory_target(sample: Sample, side: int, max_regions: int, order: str, seed: int) -> str | None:
    """The trajectory text of `sample` ("ordered": reading order; "shuffled": the same regions in a permuted,
    never identical, order seeded per sample as the gaze controls are); None with fewer than one region, or
    for "shuffled" with fewer than two (no other order exists)."""
    boxes = region_boxes(sample, side, max_regions)
    if not boxes or (order == "shuffled" and len(set(boxes)) < 2):
        return None
    if order == "shuffled":
        perm = shuffled(np.arange(len(boxes)), sample_rng(seed, "shuffled", sample.sample_id))
        boxes = [boxes[i] for i in perm]
    return trajectory_text(boxes)


def finding_box(finding: Finding, image_size: tuple[float, float], side: int) -> Box:
    """A REFLACX finding's ellipse bounding box, centroid = its centre, in the model frame."""
    x1, y1, x2, y2 = finding.box
    return model_box(finding.box, ((x1 + x2) / 2, (y1 + y2) / 2), image_size, side)


def grounding_targets(sample: Sample, side: int, min_certainty: float, k: int, seed: int) -> list[tuple[str, str]]:
    """Up to `k` (finding name, observation text) pairs of distinct finding names at or above `min_certainty`
    (the first reader's ellipse of each name), chosen per sample by a seeded draw; [] without a reading."""
    if not sample.gaze:
        return []
    size = sample.gaze[0].image_size
    first: dict[str, Finding] = {}
    for f in sample.findings:
        if f.certainty >= min_certainty:
            first.setdefault(f.name, f)
    names = sorted(first)
    chosen = sample_rng(seed, "gazex-grounding", sample.sample_id).permutation(len(names))[:k]
    return [(names[i], observation_text(finding_box(first[names[i]], size, side))) for i in sorted(chosen)]
