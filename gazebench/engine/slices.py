"""Metrics per subgroup of the evaluated images (view, sex, age band: `Sample.attributes`), so a model that
does worse on AP films or older patients shows it; every slice carries its size and a warning when small."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from gazebench.records import Sample
from gazebench.results import MetricValue, Slice, SliceGroup

MIN_SLICE_N = 30
"""Fewer images than this in a slice: its numbers are printed with a warning (wide CIs, unstable ranks)."""
MISSING = "not recorded"

Scorer = Callable[[np.ndarray], Mapping[str, MetricValue]]
"""Metrics of the images at the given row indices (the scoring block of a task restricted to them)."""


def groups(samples: Sequence[Sample], attribute: str) -> dict[str, np.ndarray]:
    """Row indices per value of `attribute`, values sorted; images without it under MISSING."""
    found: dict[str, list[int]] = {}
    for i, sample in enumerate(samples):
        found.setdefault(sample.attribute(attribute) or MISSING, []).append(i)
    return {k: np.array(found[k], dtype=np.int64) for k in sorted(found)}


def slice_results(samples: Sequence[Sample], attributes: Sequence[str], score: Scorer) -> dict[str, Slice]:
    """Each attribute's subgroups with their metrics, size and a warning when small; images without the
    attribute are counted, never scored as a group of their own."""
    out: dict[str, Slice] = {}
    for attribute in attributes:
        parts = groups(samples, attribute)
        missing = parts.pop(MISSING, np.zeros(0, dtype=np.int64))
        blocks = {value: SliceGroup(int(rows.size), score(rows),
                                    f"n={rows.size} < {MIN_SLICE_N}: too few images for a stable estimate"
                                    if rows.size < MIN_SLICE_N else None)
                  for value, rows in parts.items()}
        out[attribute] = Slice(blocks, int(missing.size))
    return out
