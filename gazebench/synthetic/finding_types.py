"""Records shared by the finding renderers: what was sampled (FindingSpec) and what it adds (Overlay)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

Box = tuple[float, float, float, float]
"""(x0, y0, x1, y1) in h-units (see anatomy)."""


@dataclass(frozen=True)
class FindingSpec:
    """One sampled finding: its geometry is fixed here so rendering is a pure function of it."""

    name: str
    conspicuity: float
    """1 obvious … ~0.15 subtle; scales size and contrast."""
    side: int
    """0 patient right (image left), 1 patient left, -1 bilateral or midline."""
    regions: tuple[Box, ...]
    """Where the finding is drawn (one box per lesion/cluster/device); gaze targets and RSNA boxes."""
    anchors: tuple[tuple[float, float], ...]
    """Points a reader fixates to inspect it (centres, tube tips, the pleural line)."""
    params: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def region(self) -> Box:
        """Bounding box of all regions."""
        boxes = np.asarray(self.regions)
        return (float(boxes[:, 0].min()), float(boxes[:, 1].min()), float(boxes[:, 2].max()), float(boxes[:, 3].max()))


@dataclass(frozen=True, eq=False)
class Overlay:
    """A finding's contribution: attenuation added, and a factor on lung markings (1 keeps them)."""

    delta: np.ndarray | float = 0.0
    suppress: np.ndarray | float = 1.0


def box_around(x: float, y: float, rx: float, ry: float | None = None) -> Box:
    """Box centred on (x, y) with half-sizes rx, ry."""
    ry = rx if ry is None else ry
    return (x - rx, y - ry, x + rx, y + ry)
