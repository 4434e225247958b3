"""The typed record of a paired comparison of two runs (`gazebench compare`, the shortcut probes, the viewer's MDD
table, the paper tables): per task and metric of the kind's declared vocabulary, A, B and B − A with its paired
patient-bootstrap CI, p-value, minimum detectable difference and verdict, plus a kind's own tests; frozen records
written to JSON by `to_json` (keys as before this module) and read back by `from_json`, never dicts by string key."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from gazebench.errors import ConfigError, need
from gazebench.metrics.power import verdict as verdict_of
from gazebench.metrics.vocabulary import Metric

Interval = tuple[float | None, float | None]


def _number(value: object, key: str, where: str) -> float | None:
    """A JSON number or null; anything else is a one-line ConfigError naming the field."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise ConfigError(f"{where}: {key!r} is not a number")
    return None if value is None else float(value)


@dataclass(frozen=True)
class PairedMetric:
    """One metric of two runs on the same items: A, B, B − A with its paired-bootstrap CI, two-sided p-value, sd,
    minimum detectable difference at 80% power and the verdict in words (gazebench.metrics.power); None (or NaN,
    written as null) where undefined."""

    a: float | None
    b: float | None
    diff: float | None
    ci: Interval
    p_value: float | None
    sd: float | None
    mdd: float | None
    verdict: str | None = None
    randomized: bool = False
    """True when a paired approximate-randomization test ran beside the bootstrap (report kinds)."""
    ar_p_value: float | None = None
    """That test's p-value (None where the metric was not computed, e.g. a model-based metric without weights)."""

    @classmethod
    def of(cls, a: float | None, b: float | None, diff: float | None, ci: Sequence[float | None],
           p_value: float | None, sd: float | None, mdd: float | None) -> PairedMetric:
        """The paired statistics with their verdict."""
        interval = (ci[0], ci[1])
        return cls(a, b, diff, interval, p_value, sd, mdd, verdict_of(diff, interval, mdd))

    def to_json(self) -> dict[str, Any]:
        out = {"a": self.a, "b": self.b, "diff": self.diff, "ci": list(self.ci), "p_value": self.p_value,
               "sd": self.sd, "mdd": self.mdd, "verdict": self.verdict}
        return out | ({"ar_p_value": self.ar_p_value} if self.randomized else {})

    @classmethod
    def from_json(cls, raw: object, where: str) -> PairedMetric:
        data: dict[str, Any] = need(raw, dict, where)
        ci = data.get("ci")
        if not isinstance(ci, list) or len(ci) != 2:
            raise ConfigError(f"{where}: \"ci\" is not a [low, high] pair")
        said = data.get("verdict")
        if said is not None and not isinstance(said, str):
            raise ConfigError(f"{where}: \"verdict\" is not text")
        a, b, diff, p_value, sd, mdd, ar_p_value = (_number(data.get(k), k, where) for k in (
            "a", "b", "diff", "p_value", "sd", "mdd", "ar_p_value"))
        return cls(a, b, diff, (_number(ci[0], "ci", where), _number(ci[1], "ci", where)), p_value, sd, mdd, said,
                   "ar_p_value" in data, ar_p_value)


def paired_metrics_from(raw: object, where: str) -> dict[str, PairedMetric]:
    """{metric name: PairedMetric} from its JSON form."""
    return {name: PairedMetric.from_json(m, f"{where}.{name}")
            for name, m in need(raw, dict, where).items()}


@dataclass(frozen=True)
class PairedTest:
    """A kind's own paired test of one metric (classification: DeLong on per-label AUROC, Holm-adjusted)."""

    test: str
    """What the test is, in words."""
    p_holm_min: float | None
    """The smallest Holm-adjusted p-value over labels (None if no label could be tested)."""
    holm_significant: tuple[str, ...]
    """Labels whose Holm-adjusted p-value is below the test's alpha."""
    evidence: Mapping[str, Any] = field(default_factory=dict)
    """JSON-ready detail written before the fields above (per label, labels left out, alpha); never read back."""

    def to_json(self) -> dict[str, Any]:
        return {**self.evidence, "holm_significant": list(self.holm_significant), "p_holm_min": self.p_holm_min,
                "test": self.test}


@dataclass(frozen=True)
class Randomization:
    """The paired approximate-randomization test run beside the bootstrap (RadEval's PairedTest)."""

    test: str
    n_perm: int
    seed: int

    @property
    def signature(self) -> str:
        """sacrebleu-style settings string, e.g. `ar:1000|seed:0`."""
        return f"ar:{self.n_perm}|seed:{self.seed}"

    def to_json(self) -> dict[str, Any]:
        return {"test": self.test, "n_perm": self.n_perm, "seed": self.seed, "signature": self.signature}


@dataclass(frozen=True)
class TaskComparison:
    """One task's paired comparison (B − A): every metric of its kind's family, in table order."""

    n: int
    """Items compared."""
    metrics: Mapping[str, PairedMetric]
    """By metric name (gazebench.metrics.vocabulary), in the family's table order."""
    tests: Mapping[str, PairedTest] = field(default_factory=dict)
    """A kind's own test of a metric, by metric name (classification: DeLong on AUROC)."""
    randomization: Randomization | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "metrics", MappingProxyType(dict(self.metrics)))
        object.__setattr__(self, "tests", MappingProxyType(dict(self.tests)))

    def metric(self, declared: Metric) -> PairedMetric | None:
        """The paired statistics of `declared` (None if this task's family does not report it)."""
        return self.metrics.get(declared.name)

    def to_json(self) -> dict[str, Any]:
        out = {"n": self.n, "metrics": {k: m.to_json() for k, m in self.metrics.items()},
               "tests": {k: t.to_json() for k, t in self.tests.items()}}
        return out | ({"randomization": self.randomization.to_json()} if self.randomization is not None else {})


@dataclass(frozen=True)
class RunComparison:
    """Run B against run A on every task both evaluated (both verified first)."""

    run_a: str
    run_b: str
    model_a: str
    model_b: str
    track_a: str
    track_b: str
    n_boot: int
    seed: int
    threshold_policies: tuple[str, str]
    """The decision-threshold policy applied to A and to B."""
    tasks: Mapping[str, TaskComparison]

    def __post_init__(self) -> None:
        object.__setattr__(self, "tasks", MappingProxyType(dict(self.tasks)))

    def to_json(self) -> dict[str, Any]:
        return {"run_a": self.run_a, "run_b": self.run_b, "model_a": self.model_a, "model_b": self.model_b,
                "track_a": self.track_a, "track_b": self.track_b, "n_boot": self.n_boot, "seed": self.seed,
                "threshold_policy": {"a": self.threshold_policies[0], "b": self.threshold_policies[1]},
                "tasks": {k: t.to_json() for k, t in self.tasks.items()}}
