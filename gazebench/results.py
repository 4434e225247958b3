"""The typed results of a run: frozen records that results.json is written from and read back into (validating
`from_json`), so every table, the viewer, comparisons, probes, the paper tables and the lm-eval bridge read a
metric as `result.metrics[metric.name]` of a kind's declared vocabulary (gazebench.metrics.vocabulary), never
a dict by string keys, and no reader guesses a task's kind from which keys a block happens to hold.

Schema version 2 (this module): every task block carries its kind and metric family, metrics as
{name: {"value", "ci"}}, named sub-blocks, slices, skipped items and diagnostics in their own fields, and
kind-specific detail (per-label values, counts, settings) under "details". Results written before it (no
"schema_version") are refused by `verify_run` with a one-line reason: rescore them with this version.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from gazebench.errors import ConfigError, need
from gazebench.metrics.vocabulary import MODEL_BASED, Metric, metrics_for

SCHEMA_VERSION = 2
"""Bumped whenever the layout of results.json changes; `from_json` refuses any other version."""

Interval = tuple[float | None, float | None]


def _frozen(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping or {}))


def _number(value: object) -> float | None:
    """A finite float, or None (missing, null, NaN or infinite)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


class ResultsError(ConfigError):
    """A results file that does not have the shape this gazebench writes (one line naming the file and field)."""


def _need(raw: object, kind: type, where: str) -> Any:
    return need(raw, kind, where, ResultsError)


@dataclass(frozen=True)
class MetricValue:
    """One metric's point estimate and its confidence interval (None where undefined)."""

    value: float | None
    ci: Interval = (None, None)

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "ci": list(self.ci)}

    @classmethod
    def from_json(cls, raw: object, where: str) -> MetricValue:
        data: dict[str, Any] = _need(raw, dict, where)
        ci = data.get("ci")
        if not isinstance(ci, list) or len(ci) != 2:
            raise ResultsError(f"{where}: \"ci\" is not a [low, high] pair")
        return cls(_number(data.get("value")), (_number(ci[0]), _number(ci[1])))

    @classmethod
    def of(cls, value: object, ci: object = None) -> MetricValue:
        """From a metric function's number and (lo, hi) pair (NaN and missing become None)."""
        lo, hi = ci if isinstance(ci, (list, tuple)) and len(ci) == 2 else (None, None)
        return cls(_number(value), (_number(lo), _number(hi)))


Metrics = Mapping[str, MetricValue]


def metric_values(family: str, raw: Mapping[str, Any]) -> dict[str, MetricValue]:
    """The family's metrics from a metric function's flat output ({name: value, name_ci: [lo, hi]})."""
    return {m.name: MetricValue.of(raw.get(m.name), raw.get(m.ci_key)) for m in metrics_for(family)}


def _metrics_json(metrics: Metrics) -> dict[str, Any]:
    return {k: v.to_json() for k, v in metrics.items()}


def _metrics_from(raw: object, family: str, where: str) -> dict[str, MetricValue]:
    """Every metric the family declares, checked present (an unknown family is a one-line error)."""
    data: dict[str, Any] = _need(raw, dict, where)
    try:
        declared = metrics_for(family)
    except ConfigError as exc:
        raise ResultsError(f"{where}: {exc}") from None
    missing = [m.name for m in declared if m.name not in data and m.name not in MODEL_BASED]
    if missing:
        raise ResultsError(f"{where}: no value for {', '.join(missing)} (declared by the {family} family)")
    return {m.name: MetricValue.from_json(data[m.name], f"{where}.{m.name}") if m.name in data else MetricValue(None)
            for m in declared}


@dataclass(frozen=True)
class MetricBlock:
    """A named group of metrics beside a task's own: a label subset (its kind's family) or another family
    scored from the same predictions (calibration)."""

    family: str
    metrics: Metrics
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "metrics", _frozen(self.metrics))
        object.__setattr__(self, "details", _frozen(self.details))

    def value(self, metric: Metric) -> MetricValue:
        return self.metrics.get(metric.name, MetricValue(None))

    def to_json(self) -> dict[str, Any]:
        return {"family": self.family, "metrics": _metrics_json(self.metrics), "details": dict(self.details)}

    @classmethod
    def from_json(cls, raw: object, where: str) -> MetricBlock:
        data: dict[str, Any] = _need(raw, dict, where)
        family = str(_need(data.get("family"), str, f"{where}.family"))
        return cls(family, _metrics_from(data.get("metrics"), family, f"{where}.metrics"),
                   _need(data.get("details", {}), dict, f"{where}.details"))


@dataclass(frozen=True)
class SliceGroup:
    """The task's metrics on one subgroup of its images (view=AP, sex=F, ...)."""

    n: int
    metrics: Metrics
    warning: str | None = None

    def value(self, metric: Metric) -> MetricValue:
        return self.metrics.get(metric.name, MetricValue(None))


@dataclass(frozen=True)
class Slice:
    """One attribute's subgroups (values sorted) and the images that do not record it."""

    groups: Mapping[str, SliceGroup]
    not_recorded: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"groups": {k: {"n": g.n, "metrics": _metrics_json(g.metrics), "warning": g.warning}
                           for k, g in self.groups.items()}, "not_recorded": self.not_recorded}

    @classmethod
    def from_json(cls, raw: object, family: str, where: str) -> Slice:
        data: dict[str, Any] = _need(raw, dict, where)
        groups = {}
        for value, entry in _need(data.get("groups"), dict, f"{where}.groups").items():
            g: dict[str, Any] = _need(entry, dict, f"{where}.groups.{value}")
            groups[str(value)] = SliceGroup(int(g.get("n", 0)), _metrics_from(g.get("metrics"), family,
                                                                              f"{where}.groups.{value}.metrics"),
                                            g.get("warning"))
        return cls(groups, int(data.get("not_recorded", 0)))


@dataclass(frozen=True)
class Diagnostic:
    """A model diagnostic's mean over the items where it was measured, and on how many."""

    mean: float | None
    n: int


@dataclass(frozen=True)
class TaskResult:
    """One task's scores: its kind and metric family, sizes, the family's metrics with CIs, named sub-blocks,
    slices, items skipped (one count per reason), model diagnostics and kind-specific details."""

    kind: str
    family: str
    n: int
    """Items scored (images, or (image, query) pairs)."""
    n_patients: int
    metrics: Metrics
    blocks: Mapping[str, MetricBlock] = field(default_factory=dict)
    slices: Mapping[str, Slice] = field(default_factory=dict)
    skipped: Mapping[str, int] = field(default_factory=dict)
    diagnostics: Mapping[str, Diagnostic] = field(default_factory=dict)
    details: Mapping[str, Any] = field(default_factory=dict)
    """JSON-ready kind-specific values (per-label metrics, thresholds, counts, settings)."""

    def __post_init__(self) -> None:
        for name in ("metrics", "blocks", "slices", "skipped", "diagnostics", "details"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))

    def value(self, metric: Metric) -> MetricValue:
        """`metric`'s value and CI (None, None where the family does not declare it)."""
        return self.metrics.get(metric.name, MetricValue(None))

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "family": self.family, "n": self.n, "n_patients": self.n_patients,
                "metrics": _metrics_json(self.metrics), "blocks": {k: b.to_json() for k, b in self.blocks.items()},
                "slices": {k: s.to_json() for k, s in self.slices.items()}, "skipped": dict(self.skipped),
                "diagnostics": {k: {"mean": d.mean, "n": d.n} for k, d in self.diagnostics.items()},
                "details": dict(self.details)}

    @classmethod
    def from_json(cls, raw: object, where: str) -> TaskResult:
        data: dict[str, Any] = _need(raw, dict, where)
        family = str(_need(data.get("family"), str, f"{where}.family"))
        for key in ("kind", "n", "n_patients"):
            if key not in data:
                raise ResultsError(f"{where}: no \"{key}\"")
        return cls(
            kind=str(data["kind"]), family=family, n=int(data["n"]), n_patients=int(data["n_patients"]),
            metrics=_metrics_from(data.get("metrics"), family, f"{where}.metrics"),
            blocks={k: MetricBlock.from_json(b, f"{where}.blocks.{k}")
                    for k, b in _need(data.get("blocks", {}), dict, f"{where}.blocks").items()},
            slices={k: Slice.from_json(s, family, f"{where}.slices.{k}")
                    for k, s in _need(data.get("slices", {}), dict, f"{where}.slices").items()},
            skipped={str(k): int(v) for k, v in _need(data.get("skipped", {}), dict, f"{where}.skipped").items()},
            diagnostics={str(k): Diagnostic(_number(_need(d, dict, f"{where}.diagnostics.{k}").get("mean")),
                                            int(d.get("n", 0)))
                         for k, d in _need(data.get("diagnostics", {}), dict, f"{where}.diagnostics").items()},
            details=_need(data.get("details", {}), dict, f"{where}.details"))


RECORD_KEYS = ("versions", "n-samples", "higher_is_better", "model_name", "config", "config_hash", "scoring",
               "thresholds", "evidence", "git_hash", "gazebench_version", "date", "data", "task_definitions",
               "skipped", "curves", "unsupported")
"""Keys every results.json holds beside "schema_version", "results" and "seal"."""


@dataclass(frozen=True)
class RunResults:
    """A run's results.json: the scores of each task and what they were computed from (config, scoring
    options, thresholds, evidence, versions), sealed at scoring time (gazebench.engine.verify)."""

    schema_version: int
    model: str
    config_hash: str
    config: Mapping[str, Any]
    """The run's config.json (its own schema; verify_run checks it against the file)."""
    tasks: Mapping[str, TaskResult]
    scoring: Mapping[str, Any]
    """The scoring options (gazebench.engine.config.ScoringOptions.to_dict)."""
    thresholds: Mapping[str, Any]
    curves: Mapping[str, Mapping[str, list[float]]] = field(default_factory=dict)
    """Per task a curve its kind draws (classification: macro ROC, {"fpr", "tpr"})."""
    unsupported: Mapping[str, str] = field(default_factory=dict)
    """Tasks asked for and skipped before scoring, with the reason."""
    data_skips: Mapping[str, Any] = field(default_factory=dict)
    """Per task what the data readers passed over, {reason: {"count", "examples"}}."""
    provenance: Mapping[str, Any] = field(default_factory=dict)
    """versions, n-samples, higher_is_better, evidence, git_hash, gazebench_version, date, data,
    task_definitions: what the numbers were computed from, as recorded; launches: how it was executed (launcher,
    world size, host digests; gazebench.engine.distributed), outside the run's identity."""
    dataset_note: str | None = None
    seal: str | None = None

    def __post_init__(self) -> None:
        for name in ("config", "tasks", "scoring", "thresholds", "curves", "unsupported", "data_skips",
                     "provenance"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))

    @property
    def track(self) -> str:
        """The track the model declared (standard, gaze-at-inference, privileged)."""
        adapter = self.config.get("adapter")
        return str(adapter.get("track", "standard")) if isinstance(adapter, Mapping) else "standard"

    @property
    def evidence(self) -> Mapping[str, Any]:
        return self.provenance.get("evidence") or {}

    @property
    def launches(self) -> tuple[Mapping[str, Any], ...]:
        """Every launch that predicted into the run (a resume adds one); () for a run scored before they were."""
        return tuple(self.provenance.get("launches") or ())

    def to_json(self) -> dict[str, Any]:
        """The JSON results.json holds (without its seal; gazebench.engine.verify.seal_results adds it)."""
        out: dict[str, Any] = {"schema_version": self.schema_version,
                               "results": {k: r.to_json() for k, r in self.tasks.items()},
                               "model_name": self.model, "config": dict(self.config),
                               "config_hash": self.config_hash, "scoring": dict(self.scoring),
                               "thresholds": dict(self.thresholds), "curves": dict(self.curves),
                               "unsupported": dict(self.unsupported), "skipped": dict(self.data_skips),
                               **dict(self.provenance)}
        if self.dataset_note:
            out["dataset_note"] = self.dataset_note
        if self.seal is not None:
            out["seal"] = self.seal
        return out

    @classmethod
    def from_json(cls, raw: object, where: Path | str) -> RunResults:
        """Validate and read a results JSON; any other schema version or a missing field is a one-line error."""
        where = str(where)
        data: dict[str, Any] = _need(raw, dict, where)
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            found = "none recorded" if version is None else f"version {version}"
            raise ResultsError(f"{where}: results schema {found}, this gazebench reads version {SCHEMA_VERSION}; "
                               "remove this results.json and rerun the run (its saved predictions are rescored)")
        missing = [k for k in ("results", *RECORD_KEYS) if k not in data]
        if missing:
            raise ResultsError(f"{where}: no {', '.join(repr(k) for k in missing)}")
        tasks = {str(k): TaskResult.from_json(v, f"{where}: results.{k}")
                 for k, v in _need(data["results"], dict, f"{where}: results").items()}
        extra = ("versions", "n-samples", "higher_is_better", "evidence", "git_hash", "gazebench_version", "date",
                 "data", "task_definitions")
        return cls(schema_version=SCHEMA_VERSION, model=str(data["model_name"]), config_hash=str(data["config_hash"]),
                   config=_need(data["config"], dict, f"{where}: config"), tasks=tasks,
                   scoring=_need(data["scoring"], dict, f"{where}: scoring"),
                   thresholds=_need(data["thresholds"], dict, f"{where}: thresholds"),
                   curves=_need(data["curves"], dict, f"{where}: curves"),
                   unsupported=_need(data["unsupported"], dict, f"{where}: unsupported"),
                   data_skips=_need(data["skipped"], dict, f"{where}: skipped"),
                   provenance={k: data[k] for k in (*extra, "launches") if k in data},
                   dataset_note=data.get("dataset_note"),
                   seal=data.get("seal"))

