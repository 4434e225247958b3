"""The run configuration: a frozen record of what was asked for, and the hash that names a run directory.

Only what decides the predictions is hashed (model, its config, tasks with their versions and data
fingerprints, the content digests of local weights, seed, limit, device kind and numeric precision). How the
work is scheduled (batch size, chunk size, thread count, data folder path) and where local weights lie are
recorded but not hashed, because predictions must not depend on them.
How saved predictions are scored (threshold policy, bootstrap replicates, CI level, metric set) is not
hashed either: a new scoring of a finished run is derived from its saved predictions without the model.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from gazebench.errors import ConfigError
from gazebench.options import MAX_BATCH, MAX_SEED
from gazebench.runtime import DEVICES, PRECISIONS
from gazebench.weight_paths import redact

if TYPE_CHECKING:
    from gazebench.metrics.model_based import MetricSetup

THRESHOLD_POLICIES = ("fixed", "max-f1", "youden")
THREADS_PER_CPU = 4
"""--threads may oversubscribe the machine's CPUs at most this many times."""
MAX_BOOT = 100_000
"""Most bootstrap replicates a command draws (`--n-boot`): far past the thousands a percentile CI needs, so a slip
of a few zeros is refused at once instead of scoring for hours."""
METRIC_FAMILY = "classification"
"""The metric family every task of this harness reports (see gazebench.metrics.vocabulary)."""


def check_n_boot(n_boot: object) -> int:
    """`n_boot` when it is an integer from 1 to MAX_BOOT, else a one-line ConfigError."""
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or not 1 <= n_boot <= MAX_BOOT:
        raise ConfigError(f"--n-boot must be an integer from 1 to {MAX_BOOT}, got {n_boot!r}")
    return n_boot


@dataclass(frozen=True)
class ScoringOptions:
    """How saved predictions become numbers; not part of the run identity, recorded in results JSON."""

    threshold_policy: str = "fixed"
    """Acc/F1 thresholds: fixed 0.5, or per label tuned on the in-domain validate split (max-f1, youden)."""
    n_boot: int = 1000
    """Bootstrap replicates (patients resampled) behind every confidence interval."""
    ci_level: float = 0.95
    """Coverage of the percentile bootstrap confidence intervals."""
    slices: tuple[str, ...] | None = None
    """Attributes to slice the metrics by (`--slices`); None: the ones each task declares (`Task.slices`)."""
    metric_args: tuple[tuple[str, Any], ...] = field(default=(), compare=False)
    """`--metric-arg` pairs: weights folders and settings of the model-based report metrics. Paths, so not
    compared: `model_metrics` (their content identity) is."""
    model_metrics: str | None = None
    """Identity of the model-based metrics scored (weights digests and settings; '' for none); None: resolved
    from `metric_args` and the environment (gazebench.metrics.model_based)."""

    def __post_init__(self) -> None:
        if self.model_metrics is None:
            object.__setattr__(self, "model_metrics", self.metric_setup().identity)
        if self.slices is not None:
            check_slices(self.slices, "--slices")
        if self.threshold_policy not in THRESHOLD_POLICIES:
            raise ConfigError(f"--threshold-policy must be one of {', '.join(THRESHOLD_POLICIES)}, "
                              f"not {self.threshold_policy!r}")
        check_n_boot(self.n_boot)
        if isinstance(self.ci_level, bool) or not isinstance(self.ci_level, (int, float)) \
                or not 0.0 < self.ci_level < 1.0:
            raise ConfigError(f"--ci-level must lie strictly between 0 and 1, got {self.ci_level!r}")

    @property
    def tuned(self) -> bool:
        """True if the thresholds are tuned on the in-domain validate predictions."""
        return self.threshold_policy != "fixed"

    @property
    def metrics(self) -> tuple[str, ...]:
        from gazebench.metrics.vocabulary import metric_names

        return metric_names(METRIC_FAMILY)

    def metric_setup(self) -> MetricSetup:
        """The model-based report metrics these options score, weights found and digested."""
        from gazebench.metrics.model_based import resolve_setup

        return resolve_setup(self.metric_args)

    def to_dict(self) -> dict[str, Any]:
        """The `scoring` block of a results JSON."""
        out = {"threshold_policy": self.threshold_policy, "n_boot": self.n_boot, "ci_level": self.ci_level,
               "metrics": list(self.metrics)}
        if self.model_metrics:
            out["model_metrics"] = self.model_metrics
        return out if self.slices is None else {**out, "slices": list(self.slices)}

    def file_name(self) -> str:
        """`<policy>__nboot<N>__ci<level>[__slices-a-b][__mm<digest>].json`: where a re-scoring under these
        options is stored (`mm`: a digest of the model-based metrics' identity, when any is scored)."""
        sliced = "" if self.slices is None else "__slices-" + "-".join(self.slices)
        mm = f"__mm{hashlib.sha256(self.model_metrics.encode()).hexdigest()[:12]}" if self.model_metrics else ""
        return f"{self.threshold_policy}__nboot{self.n_boot}__ci{self.ci_level:g}{sliced}{mm}.json"

    @classmethod
    def from_dict(cls, block: dict[str, Any], where: object) -> ScoringOptions:
        """The options recorded in a results JSON's `scoring` block (a one-line error naming `where` if bad)."""
        try:
            sliced = block.get("slices")
            return cls(threshold_policy=block["threshold_policy"], n_boot=block["n_boot"],
                       ci_level=block["ci_level"], slices=None if sliced is None else tuple(sliced),
                       model_metrics=str(block.get("model_metrics") or ""))
        except (KeyError, TypeError) as exc:
            raise ConfigError(f"{where}: no valid `scoring` block ({type(exc).__name__}: {exc})") from None
        except ConfigError as exc:
            raise ConfigError(f"{where}: recorded scoring is invalid ({exc})") from None


@dataclass(frozen=True)
class RunConfig:
    """What a user asks `gazebench run` (or `evaluate`) to do."""

    model: str
    tasks: tuple[str, ...]
    seed: int = 0
    threshold_policy: str = "fixed"
    """Scoring option (not hashed): see ScoringOptions."""
    n_boot: int = 1000
    """Scoring option (not hashed): see ScoringOptions."""
    ci_level: float = 0.95
    """Scoring option (not hashed): see ScoringOptions."""
    limit: int | None = None
    """Evaluate only the first N samples of each split (quick looks; marked in leaderboards)."""
    model_args: tuple[tuple[str, Any], ...] = ()
    """Keyword arguments passed to the model factory, as sorted (name, value) pairs."""
    train_task: str = "mimic-eye"
    """The in-domain task whose train/validate splits fit the model and tune thresholds."""
    device: str = "auto"
    batch_size: int | None = None
    """None: chosen from the device. Recorded, not hashed."""
    chunk_size: int = 256
    """Samples per flushed predictions file (the unit of resume). Recorded, not hashed."""
    threads: int | None = None
    """Torch intra-op CPU threads for this run (None: torch's default). Recorded, not hashed."""
    precision: str = "auto"
    """Numeric precision of fit and predict: auto, fp32 or bf16 (autocast; trainable weights stay fp32)."""
    input_transform: str | None = None
    """A probe run's alteration of the test inputs (gazebench.engine.transforms); hashed, absent when None."""
    metric_args: tuple[tuple[str, Any], ...] = ()
    """Scoring option (not hashed): `--metric-arg` pairs of the model-based report metrics."""

    def __post_init__(self) -> None:
        if not self.tasks:
            raise ConfigError("no tasks given")
        twice = sorted({t for t in self.tasks if self.tasks.count(t) > 1})
        if twice:
            raise ConfigError(f"--tasks {','.join(self.tasks)}: {', '.join(twice)} given more than once")
        self.scoring  # noqa: B018  (validates the scoring options)
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or not 0 <= self.seed <= MAX_SEED:
            raise ConfigError(f"--seed must be an integer from 0 to {MAX_SEED}, got {self.seed!r}")
        if self.device not in DEVICES:
            raise ConfigError(f"--device must be one of {', '.join(DEVICES)}, not {self.device!r}")
        if self.precision not in PRECISIONS:
            raise ConfigError(f"--precision must be one of {', '.join(PRECISIONS)}, not {self.precision!r}")
        if self.chunk_size < 1:
            raise ConfigError(f"--chunk-size must be at least 1, got {self.chunk_size}")
        if self.limit is not None and self.limit < 1:
            raise ConfigError(f"--limit must be at least 1, got {self.limit}")
        if self.batch_size is not None and not 1 <= self.batch_size <= MAX_BATCH:
            raise ConfigError(f"--batch-size must be from 1 to {MAX_BATCH}, got {self.batch_size}")
        if self.threads is not None and self.threads < 1:
            raise ConfigError(f"--threads must be at least 1, got {self.threads}")
        cap = (os.cpu_count() or 1) * THREADS_PER_CPU
        if self.threads is not None and self.threads > cap:
            raise ConfigError(f"--threads {self.threads} is more than {THREADS_PER_CPU} per CPU of this machine "
                              f"({os.cpu_count() or 1} CPUs: at most {cap})")

    @property
    def scoring(self) -> ScoringOptions:
        """The options that turn this run's saved predictions into numbers."""
        return ScoringOptions(threshold_policy=self.threshold_policy, n_boot=self.n_boot, ci_level=self.ci_level,
                              metric_args=self.metric_args)

    @property
    def model_kwargs(self) -> dict[str, Any]:
        return dict(self.model_args)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["tasks"] = list(self.tasks)
        out["model_args"] = self.model_kwargs
        return out


UNHASHED = ("batch_size", "chunk_size", "device", "threads")
"""RunConfig fields that schedule the work without changing the numbers (the resolved device kind is hashed)."""
SCORING = ("threshold_policy", "n_boot", "ci_level", "metric_args")
"""RunConfig fields that score saved predictions (recorded in results JSON under `scoring`, not hashed)."""


@dataclass(frozen=True)
class ResolvedConfig:
    """A RunConfig plus the facts the engine resolved (adapter, task versions, data fingerprints, precision)."""

    run: RunConfig
    facts: dict[str, Any] = field(default_factory=dict)
    """JSON-ready: adapter description, task versions, data sha256 per task, device kind, precision."""
    weights: dict[str, str] = field(default_factory=dict)
    """Where the model's local weights lie, by role: recorded under `execution`, never hashed (their content
    digests are, in `facts`); in the hashed payload each path is its role's placeholder (gazebench.weight_paths)."""

    def hashed_payload(self) -> dict[str, Any]:
        payload = {k: v for k, v in self.run.to_dict().items() if k not in UNHASHED and k not in SCORING
                   and not (k == "input_transform" and v is None)}  # so runs without one keep their hash
        payload.update(self.facts)
        return dict(redact(payload, self.weights))

    @property
    def config_hash(self) -> str:
        return config_hash(self.hashed_payload())

    def to_json(self, execution: dict[str, Any]) -> dict[str, Any]:
        """The `config.json` written into the run directory."""
        where = {"weights": dict(self.weights)} if self.weights else {}
        return {**self.hashed_payload(),
                "execution": {**{k: self.run.to_dict()[k] for k in UNHASHED}, **execution, **where},
                "config_hash": self.config_hash}


def config_hash(payload: dict[str, Any]) -> str:
    """sha256 of canonical JSON (sorted keys, no whitespace), so equal configs hash equally everywhere."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def check_slices(names: Sequence[str], where: str) -> tuple[str, ...]:
    """`names` if every one is a known subgroup attribute (gazebench.data.attributes), else a one-line
    ConfigError naming `where`."""
    from gazebench.data.attributes import ATTRIBUTES

    unknown = [n for n in names if n not in ATTRIBUTES]
    if unknown:
        raise ConfigError(f"{where}: unknown slice attribute(s) {', '.join(unknown)} "
                          f"(known: {', '.join(ATTRIBUTES)})")
    return tuple(names)
