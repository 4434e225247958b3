"""The registry of model-based report scorers: each loads its weights from a local folder through its field
library and turns (generated, reference) reports into additive per-item evidence, so the patient bootstrap
and the approximate-randomization test resample it exactly like BLEU's sufficient statistics."""
from __future__ import annotations

import importlib.util
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from gazebench.registry import Registry

if TYPE_CHECKING:
    from gazebench.metrics.model_based.setup import MetricOptions

EXTRA = "report-metrics"
"""The optional extra that installs the libraries: pip install 'gazebench[report-metrics]'."""


@dataclass(frozen=True, eq=False)
class Evidence:
    """Per-item additive evidence of one metric and the function of its weighted column sums."""

    columns: np.ndarray
    """(N, D): one row per item; every metric is a function of item-weighted column sums."""
    reduce: Callable[[np.ndarray, float], dict[str, float]]
    """(weighted column sums (D,), total item weight) → metric values by vocabulary name."""

    def statistic(self, w: np.ndarray) -> dict[str, float]:
        return self.reduce(w @ self.columns, float(w.sum()))


class ModelMetric(ABC):
    """One model-based metric: its `--metric-arg` key, the vocabulary names it fills, its library, the folder
    layout it needs, and how it scores reports."""

    name: str
    """`--metric-arg NAME=DIR` key, also the key of its record in results (`model_metrics`)."""
    title: str
    metrics: tuple[str, ...]
    """The report-family vocabulary names it computes."""
    package: str
    """Import name of the library it goes through."""
    distribution: str
    """Its PyPI name (the version is recorded with the scores)."""
    layout: str
    """What the weights folder must hold, for the one-line message when it is missing or incomplete."""
    implementation: str = "the library's own scorer"
    """How the library is used, recorded with the scores (a port says so)."""

    @property
    def env(self) -> str:
        """Environment variable naming the weights folder when `--metric-arg` does not."""
        return f"GAZEBENCH_{self.name.upper()}"

    def installed(self) -> bool:
        return importlib.util.find_spec(self.package) is not None

    def missing_line(self) -> str:
        """The one line shown when no weights were given."""
        return (f"{self.title} not computed: no weights; give --metric-arg {self.name}=DIR or {self.env}=DIR, "
                f"DIR holding {self.layout}")

    @abstractmethod
    def check(self, path: Path) -> None:
        """A one-line ConfigError naming `path` and the first file it lacks."""

    @abstractmethod
    def settings(self, options: MetricOptions) -> str:
        """The scoring settings as a short signature part, e.g. `distilroberta-base,L5,rescaled,noidf`."""

    @abstractmethod
    def evidence(self, path: Path, options: MetricOptions, hyps: Sequence[str], refs: Sequence[str]) -> Evidence:
        """Per-item evidence of generated `hyps` against reference `refs` (same length, refs non-empty)."""


MODEL_METRICS: Registry[ModelMetric] = Registry("model-based report metric", group="gazebench.report_metrics")
"""Name → scorer class; built-ins are added by gazebench.metrics.model_based.setup."""
