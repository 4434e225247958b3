"""The metric families a task requests beside classification (`Task.metric_families`), each scored from the
same targets and scores into its own block of `results.<task>`."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from gazebench.engine.config import ScoringOptions
from gazebench.errors import ConfigError
from gazebench.metrics.vocabulary import metrics_for
from gazebench.results import MetricBlock, metric_values


def _calibration(y: np.ndarray, p: np.ndarray, labels: tuple[str, ...], clusters: np.ndarray,
                 options: ScoringOptions, seed: int) -> dict[str, Any]:
    from gazebench.metrics.calibration import calibration_summary

    return calibration_summary(y, p, labels, clusters, n_boot=options.n_boot, seed=seed, level=options.ci_level)


FamilyScorer = Callable[[np.ndarray, np.ndarray, tuple[str, ...], np.ndarray, ScoringOptions, int], dict[str, Any]]
SCORERS: dict[str, FamilyScorer] = {"calibration": _calibration}
"""Family name → how its block is computed from (targets, scores, labels, patient ids, options, seed)."""


def family_block(family: str, y: np.ndarray, p: np.ndarray, labels: tuple[str, ...], clusters: np.ndarray,
                 options: ScoringOptions, seed: int) -> MetricBlock:
    """The task's block of `family` (its declared metrics, the rest as details); a family with no scorer here is
    a one-line ConfigError."""
    try:
        scorer = SCORERS[family]
    except KeyError:
        raise ConfigError(f"metric family {family!r} cannot be scored from classification predictions "
                          f"(known: {', '.join(SCORERS)})") from None
    raw = scorer(y, p, labels, clusters, options, seed)
    metrics = metric_values(family, raw)
    keys = {k for m in metrics_for(family) for k in (m.name, m.ci_key)}
    return MetricBlock(family, metrics, {k: v for k, v in raw.items() if k not in keys})
