"""The one declaration of every metric gazebench reports: its results-JSON key, display name, direction and
scale, grouped in families, so scoring, comparisons, leaderboards, the paper table and the lm-eval bridge
agree on one vocabulary and a new family (report, grounding, VQA, scanpath) is added here alone."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from gazebench.errors import ConfigError


@dataclass(frozen=True)
class Metric:
    """One reported statistic, as every table and results JSON names and orders it."""

    name: str
    """Key in results JSON (`<name>` for the value, `<name>_ci` for its confidence interval)."""
    display: str
    """Column title in tables (`AUROC`)."""
    family: str
    """The group of metrics a task of one kind reports together (e.g. `classification`)."""
    higher_is_better: bool
    scale: float = 100.0
    """Displayed value = stored value × scale (stored values are fractions)."""
    unit: str = "%"
    """Unit of the displayed value."""
    description: str = ""

    @property
    def ci_key(self) -> str:
        """Key of this metric's confidence interval in a results JSON."""
        return f"{self.name}_ci"

    def display_value(self, value: float) -> float:
        """`value` (as stored) on the display scale, e.g. 0.876 → 87.6 for a percent metric."""
        return value * self.scale


CLASSIFICATION = (
    Metric("auroc", "AUROC", "classification", higher_is_better=True,
           description="macro mean of per-label ROC AUC over labels with both classes"),
    Metric("acc", "Acc", "classification", higher_is_better=True,
           description="macro mean of per-label accuracy at the run's thresholds"),
    Metric("f1", "F1", "classification", higher_is_better=True,
           description="macro mean of per-label F1 at the run's thresholds"),
)

CALIBRATION = (
    Metric("ece", "ECE", "calibration", higher_is_better=False,
           description="macro mean of per-label expected calibration error, 10 equal-width bins "
                       "(Naeini et al. 2015; see gazebench.metrics.calibration)"),
    Metric("brier", "Brier", "calibration", higher_is_better=False,
           description="macro mean of per-label Brier score, mean (p - y)^2"),
)

METRIC_FAMILIES: Mapping[str, tuple[Metric, ...]] = MappingProxyType({"classification": CLASSIFICATION,
                                                                     "calibration": CALIBRATION})
"""Family name → its metrics in table order."""

METRICS: Mapping[str, Metric] = MappingProxyType({m.name: m for family in METRIC_FAMILIES.values() for m in family})
"""Every declared metric by its results-JSON key."""


def metrics_for(family: str) -> tuple[Metric, ...]:
    """The metrics of `family`, in table order; an unknown family is a one-line ConfigError."""
    try:
        return METRIC_FAMILIES[family]
    except KeyError:
        raise ConfigError(f"unknown metric family {family!r} (known: {', '.join(METRIC_FAMILIES)})") from None


def metric_names(family: str) -> tuple[str, ...]:
    """The results-JSON keys of `family`'s metrics, in table order."""
    return tuple(m.name for m in metrics_for(family))
