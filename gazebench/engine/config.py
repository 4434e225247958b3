"""The run configuration: a frozen record of what was asked for, and the hash that names a run directory.

Only what can change the numbers is hashed (model, its config, tasks with their versions and data
fingerprints, seed, policies, limit, numeric precision); how the work is scheduled (batch size, chunk
size, thread count, data folder path) is recorded but not hashed, because scores must not depend on it.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from gazebench.errors import ConfigError

THRESHOLD_POLICIES = ("fixed", "max-f1", "youden")
DEVICES = ("auto", "cpu", "cuda")
PRECISIONS = ("auto", "fp32", "bf16")
"""`--precision`: auto is bf16 autocast on CUDA and float32 on CPU (the resolved one is hashed)."""


@dataclass(frozen=True)
class RunConfig:
    """What a user asks `gazebench run` (or `evaluate`) to do."""

    model: str
    tasks: tuple[str, ...]
    seed: int = 0
    threshold_policy: str = "fixed"
    """Acc/F1 thresholds: fixed 0.5, or per label tuned on the in-domain validate split (max-f1, youden)."""
    n_boot: int = 1000
    """Bootstrap replicates (patients resampled) behind every confidence interval."""
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

    def __post_init__(self) -> None:
        if not self.tasks:
            raise ConfigError("no tasks given")
        if self.threshold_policy not in THRESHOLD_POLICIES:
            raise ConfigError(f"--threshold-policy must be one of {', '.join(THRESHOLD_POLICIES)}, "
                              f"not {self.threshold_policy!r}")
        if self.device not in DEVICES:
            raise ConfigError(f"--device must be one of {', '.join(DEVICES)}, not {self.device!r}")
        if self.precision not in PRECISIONS:
            raise ConfigError(f"--precision must be one of {', '.join(PRECISIONS)}, not {self.precision!r}")
        for name, value in (("--n-boot", self.n_boot), ("--chunk-size", self.chunk_size)):
            if value < 1:
                raise ConfigError(f"{name} must be at least 1, got {value}")
        if self.limit is not None and self.limit < 1:
            raise ConfigError(f"--limit must be at least 1, got {self.limit}")
        if self.batch_size is not None and self.batch_size < 1:
            raise ConfigError(f"--batch-size must be at least 1, got {self.batch_size}")
        if self.threads is not None and self.threads < 1:
            raise ConfigError(f"--threads must be at least 1, got {self.threads}")

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


@dataclass(frozen=True)
class ResolvedConfig:
    """A RunConfig plus the facts the engine resolved (adapter, task versions, data fingerprints, precision)."""

    run: RunConfig
    facts: dict[str, Any] = field(default_factory=dict)
    """JSON-ready: adapter description, task versions, data sha256 per task, device kind, precision."""

    def hashed_payload(self) -> dict[str, Any]:
        payload = {k: v for k, v in self.run.to_dict().items() if k not in UNHASHED}
        payload.update(self.facts)
        return payload

    @property
    def config_hash(self) -> str:
        return config_hash(self.hashed_payload())

    def to_json(self, execution: dict[str, Any]) -> dict[str, Any]:
        """The `config.json` written into the run directory."""
        return {**self.hashed_payload(), "execution": {**{k: self.run.to_dict()[k] for k in UNHASHED}, **execution},
                "config_hash": self.config_hash}


def config_hash(payload: dict[str, Any]) -> str:
    """sha256 of canonical JSON (sorted keys, no whitespace), so equal configs hash equally everywhere."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()
