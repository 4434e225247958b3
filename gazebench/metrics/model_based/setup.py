"""Which model-based report metrics a scoring computes, from which local weights: `--metric-arg KEY=VALUE`
(typed options of `MetricOptions`, checked like model options) or a `GAZEBENCH_<METRIC>` environment
variable; weights are identified by content digest, never by path; a metric without weights (or without its
library) is recorded as not computed, with the reason in one line, and the other metrics still run."""
from __future__ import annotations

import importlib.metadata
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from gazebench.errors import ConfigError
from gazebench.metrics.model_based.registry import EXTRA, MODEL_METRICS, Evidence
from gazebench.options import check_fields, dataclass_options, option

FLAG = "--metric-arg"
DIGEST_CHARS = 12
"""Weight digests are shown (signature, score file names) by their first 12 hex digits; results keep all 64."""


@dataclass(frozen=True)
class MetricOptions:
    """`--metric-arg` options: where each model-based metric's weights are, and how it scores."""

    chexbert: str | None = None
    """Folder holding chexbert.pth and bert-base-uncased's config.json and vocab.txt or tokenizer.json."""
    bertscore: str | None = None
    """Folder of the BERTScore encoder, a transformers checkpoint (ReXrank: distilroberta-base)."""
    bertscore_model: str = "distilroberta-base"
    """Published name of that encoder: picks bert-score's default layer and its rescaling baseline file."""
    bertscore_layers: int | None = option(None, ge=1)
    """Encoder layer whose states are matched (none: bert-score's default for bertscore_model)."""
    bertscore_rescale: bool = True
    """Rescale with bert-score's published baseline for bertscore_model (as ReXrank reports it)."""
    bertscore_idf: bool = False
    """Weight tokens by idf over the reference reports (ReXrank: no idf)."""
    radgraph: str | None = None
    """Folder of radgraph's model archive extracted (config.json, vocabulary/, weights.th) + encoder/."""
    radgraph_model: str = option("radgraph", choices=("radgraph", "radgraph-xl"))
    """radgraph's model_type of those weights: its report preprocessing (RadGraph 1.0 or RadGraph-XL)."""

    def __post_init__(self) -> None:
        check_fields(self)

    @classmethod
    def parse(cls, pairs: Sequence[tuple[str, Any]]) -> MetricOptions:
        """Options from `--metric-arg` pairs (every bad key or value in one line), weights folders not given
        there taken from the metrics' environment variables."""
        values = dataclass_options(cls).parse(dict(pairs), "report metrics", flag=FLAG)
        for name in MODEL_METRICS.names():
            if values.get(name) is None and os.environ.get(MODEL_METRICS.create(name).env):
                values[name] = os.environ[MODEL_METRICS.create(name).env]
        return cls(**values)

    def weights(self, metric: str) -> str | None:
        return getattr(self, metric) if metric in {f.name for f in fields(self)} else None


@dataclass(frozen=True)
class Ready:
    """A metric whose weights were found: the folder and its content digest (directory_digest)."""

    path: Path
    digest: str
    version: str
    """The library's installed version."""


@dataclass(frozen=True)
class NotComputed:
    reason: str


@dataclass(frozen=True)
class MetricSetup:
    """Every registered model-based metric, ready (weights found) or not computed (with the reason)."""

    options: MetricOptions = field(default_factory=MetricOptions)
    status: Mapping[str, Ready | NotComputed] = field(default_factory=dict)

    @property
    def identity(self) -> str:
        """`chexbert:<digest>:<settings>;...` over the ready metrics: what decides their numbers ('' if none)."""
        return ";".join(f"{name}:{s.digest}:{MODEL_METRICS.create(name).settings(self.options)}"
                        for name, s in sorted(self.status.items()) if isinstance(s, Ready))

    def signature_parts(self) -> list[str]:
        """`chexbert:rrg,w:<digest12>` per metric (`chexbert:none` when not computed)."""
        out = []
        for name, s in sorted(self.status.items()):
            if isinstance(s, Ready):
                settings = MODEL_METRICS.create(name).settings(self.options)
                out.append(f"{name}:{settings},w:{s.digest[:DIGEST_CHARS]}")
            else:
                out.append(f"{name}:none")
        return out

    def record(self) -> dict[str, dict[str, Any]]:
        """JSON-ready `model_metrics` block: per metric computed or not, weights digest, library version."""
        out: dict[str, dict[str, Any]] = {}
        for name, s in sorted(self.status.items()):
            metric = MODEL_METRICS.create(name)
            if isinstance(s, Ready):
                out[name] = {"computed": True, "metrics": list(metric.metrics), "weights_sha256": s.digest,
                             "library": f"{metric.distribution} {s.version}", "implementation": metric.implementation,
                             "settings": metric.settings(self.options)}
            else:
                out[name] = {"computed": False, "metrics": list(metric.metrics), "reason": s.reason}
        return out


def resolve_setup(pairs: Sequence[tuple[str, Any]] = ()) -> MetricSetup:
    """The setup of `--metric-arg` pairs (and environment variables): a given folder that is not a directory,
    lacks a file, or whose library is not installed is a one-line ConfigError before any scoring."""
    from gazebench.data.digest import directory_digest

    options = MetricOptions.parse(pairs)
    status: dict[str, Ready | NotComputed] = {}
    for name in MODEL_METRICS.names():
        metric = MODEL_METRICS.create(name)
        given = options.weights(name)
        if given is None:
            extra = "" if metric.installed() else f"; and pip install 'gazebench[{EXTRA}]'"
            status[name] = NotComputed(metric.missing_line() + extra)
            continue
        if not metric.installed():
            raise ConfigError(f"{FLAG} {name}={given}: {metric.title} needs the {metric.distribution} package; "
                              f"pip install 'gazebench[{EXTRA}]'")
        path = Path(given).expanduser()
        if not path.is_dir():
            raise ConfigError(f"{FLAG} {name}={given}: not a directory (expected {metric.layout})")
        metric.check(path)
        status[name] = Ready(path, directory_digest(path), importlib.metadata.version(metric.distribution))
    return MetricSetup(options, status)


_ACTIVE: ContextVar[MetricSetup | None] = ContextVar("gazebench_model_metrics", default=None)


@contextmanager
def using_setup(setup: MetricSetup) -> Iterator[MetricSetup]:
    """Score report tasks inside this block with `setup`'s model-based metrics."""
    token = _ACTIVE.set(setup)
    try:
        yield setup
    finally:
        _ACTIVE.reset(token)


def active_setup() -> MetricSetup:
    """The setup of the enclosing `using_setup`, else the one the environment variables give."""
    setup = _ACTIVE.get()
    return setup if setup is not None else resolve_setup(())


@dataclass(frozen=True, eq=False)
class ModelBasedScores:
    """The evidence of every ready metric on one task, and the JSON record of all of them."""

    evidence: Mapping[str, Evidence]
    record: dict[str, dict[str, Any]]
    signature_parts: list[str]

    def statistic(self, w: np.ndarray) -> dict[str, float]:
        out: dict[str, float] = {}
        for e in self.evidence.values():
            out.update(e.statistic(w))
        return out


def model_based_scores(hyps: Sequence[str], refs: Sequence[str]) -> ModelBasedScores:
    """Evidence of the active setup's ready metrics on (generated, reference) report pairs."""
    setup = active_setup()
    evidence = {}
    for name, s in sorted(setup.status.items()):
        if isinstance(s, Ready):
            evidence[name] = MODEL_METRICS.create(name).evidence(s.path, setup.options, hyps, refs)
    return ModelBasedScores(evidence, setup.record(), setup.signature_parts())
