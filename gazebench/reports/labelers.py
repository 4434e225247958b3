"""The report-labeler interface and its registry (group "gazebench.labelers").

Built in: "rules" (CheXpert-faithful cues) and "rules-broad" (also treats likely / suggestive of /
consistent with as uncertain). A user plugs in a model-based labeler they have locally (e.g. CheXbert)
by registering a factory, in a file given to `--include` or through a "gazebench.labelers" entry point;
gazebench never downloads one (docs/gazex_track.md).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np

from gazebench.registry import Registry


class ReportLabeler(ABC):
    """Labels report texts with the 14 CheXpert observations."""

    @abstractmethod
    def label(self, reports: Sequence[str]) -> np.ndarray:
        """(N, 14) float codes in CHEXPERT_LABELS order: 1 positive, 0 negative, -1 uncertain, NaN blank."""


LABELERS: Registry[ReportLabeler] = Registry("report labeler", group="gazebench.labelers")
"""The built-in rule labelers register themselves in gazebench.reports.rules (imported by the package)."""
