"""Shortcut probes: rerun a finished, verified run's model on altered test inputs (blank or flipped images,
shuffled test-time gaze, images swapped between patients) through the engine — so each probe is an ordinary
run, resumable, cached and identified by its input transform — and report how each metric moves, with the
paired patient bootstrap of `gazebench compare`, in plain words."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from rich.console import Console

from gazebench.comparison import PairedMetric, paired_metrics_from
from gazebench.engine.config import RunConfig
from gazebench.engine.rundir import RunDir, atomic_write_json, read_json
from gazebench.engine.scoring import primary_scoring
from gazebench.engine.transforms import TRANSFORMS
from gazebench.engine.verify import VerifiedRun, verify_run
from gazebench.errors import ConfigError, need
from gazebench.metrics.power import CANNOT_TELL
from gazebench.metrics.vocabulary import AUROC, Metric
from gazebench.weight_paths import restore


@dataclass(frozen=True)
class Check:
    """How a probe's paired AUROC difference (probe − original) reads, and which models it applies to."""

    holds: str
    """The reading when AUROC does not move, after "AUROC "."""
    falls: str
    """What a fall says, after "AUROC falls by N points: "."""
    gaze_input: bool = False
    """True if only a model that takes gaze at test time can be probed this way."""


CHECKS: Mapping[str, Check] = MappingProxyType({
    "blank": Check("holds on blank images: the model is answering from something other than the image",
                   "the answer depends on the image"),
    "swap-image": Check("holds with another patient's image: the model is answering from something other "
                        "than the image", "the answer depends on this patient's image"),
    "flip": Check("holds on flipped images: no reliance on left-right layout detected",
                  "the model relies on the left-right layout of the film"),
    "shuffle-gaze": Check("holds with shuffled gaze: the order of the test-time fixations is not used",
                          "the model uses the order of the test-time fixations", gaze_input=True),
})
"""Input transform name (gazebench.engine.transforms.TRANSFORMS) → how its probe reads."""


@dataclass(frozen=True)
class ProbedTask:
    """One task under one probe: items compared, every metric of its family paired (B = probe, A = original)
    and the reading of the AUROC difference in words."""

    n: int
    metrics: Mapping[str, PairedMetric]
    """By metric name (gazebench.metrics.vocabulary), in the family's table order."""
    reading: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "metrics", MappingProxyType(dict(self.metrics)))

    def metric(self, declared: Metric) -> PairedMetric | None:
        """The paired statistics of `declared` (None if this task's family does not report it)."""
        return self.metrics.get(declared.name)

    def to_json(self) -> dict[str, Any]:
        return {"n": self.n, "metrics": {k: m.to_json() for k, m in self.metrics.items()}, "reading": self.reading}

    @classmethod
    def from_json(cls, raw: object, where: str) -> ProbedTask:
        data = need(raw, dict, where)
        n, reading = data.get("n"), data.get("reading")
        if not isinstance(n, int) or not isinstance(reading, str):
            raise ConfigError(f"{where}: needs an integer \"n\" and a text \"reading\"")
        return cls(n, paired_metrics_from(data.get("metrics"), f"{where}.metrics"), reading)


@dataclass(frozen=True)
class CheckFindings:
    """What one check found: its probe run and per task the paired metrics, or why it does not apply."""

    description: str
    """What the transform does (gazebench.engine.transforms.TRANSFORMS)."""
    reason: str | None = None
    """Why the check does not apply to this model (None if it ran)."""
    run: str = ""
    """The probe run directory."""
    n_boot: int = 0
    tasks: Mapping[str, ProbedTask] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tasks", MappingProxyType(dict(self.tasks)))

    @property
    def applicable(self) -> bool:
        return self.reason is None

    def to_json(self) -> dict[str, Any]:
        if self.reason is not None:
            return {"applicable": False, "description": self.description, "reason": self.reason}
        return {"applicable": True, "description": self.description, "run": self.run, "n_boot": self.n_boot,
                "tasks": {k: t.to_json() for k, t in self.tasks.items()}}

    @classmethod
    def from_json(cls, raw: object, where: str) -> CheckFindings:
        data = need(raw, dict, where)
        description, applicable = data.get("description"), data.get("applicable")
        if not isinstance(description, str) or not isinstance(applicable, bool):
            raise ConfigError(f"{where}: needs a text \"description\" and a true/false \"applicable\"")
        if not applicable:
            return cls(description, str(data.get("reason") or ""))
        run, n_boot = data.get("run"), data.get("n_boot")
        if not isinstance(run, str) or not isinstance(n_boot, int):
            raise ConfigError(f"{where}: needs a text \"run\" and an integer \"n_boot\"")
        tasks = {name: ProbedTask.from_json(t, f"{where}.tasks.{name}")
                 for name, t in need(data.get("tasks"), dict, f"{where}.tasks").items()}
        return cls(description, None, run, n_boot, tasks)


@dataclass(frozen=True)
class ProbeFindings:
    """The probe findings of one verified run, as `<run name>.probes.json` keeps them."""

    run: str
    """The probed (original) run directory."""
    model: str
    checks: Mapping[str, CheckFindings]
    """By check name, in the order asked."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "checks", MappingProxyType(dict(self.checks)))

    def to_json(self) -> dict[str, Any]:
        return {"run": self.run, "model": self.model, "checks": {k: c.to_json() for k, c in self.checks.items()}}

    @classmethod
    def from_json(cls, raw: object, where: Path | str) -> ProbeFindings:
        data = need(raw, dict, str(where))
        run, model = data.get("run"), data.get("model")
        if not isinstance(run, str) or not isinstance(model, str):
            raise ConfigError(f"{where}: needs a text \"run\" and \"model\"")
        return cls(run, model, {name: CheckFindings.from_json(c, f"{where}: checks.{name}")
                                for name, c in need(data.get("checks"), dict, f"{where}: checks").items()})


def read_findings(path: Path) -> ProbeFindings:
    """The probe findings kept at `path` (a one-line ConfigError naming the file if it is not such a file)."""
    return ProbeFindings.from_json(read_json(path), path)


def parse_checks(text: str) -> tuple[str, ...]:
    """`blank,flip` → ("blank", "flip"); an unknown or repeated check is a one-line ConfigError."""
    checks = tuple(c.strip() for c in text.split(",") if c.strip())
    unknown = [c for c in checks if c not in TRANSFORMS]
    if unknown or not checks or len(set(checks)) != len(checks):
        raise ConfigError(f"--check {text!r}: give distinct checks among {', '.join(TRANSFORMS)}")
    return checks


def config_of(run: VerifiedRun) -> RunConfig:
    """The RunConfig that made `run` (model, options, tasks, seed, limit, precision, scoring, scheduling)."""
    cfg, execution = run.config, run.config.get("execution") or {}
    scoring = primary_scoring(RunDir(run.path))
    return RunConfig(model=cfg["model"], tasks=tuple(cfg["tasks"]), seed=int(cfg["seed"]), limit=cfg.get("limit"),
                     model_args=tuple(sorted(restore(cfg.get("model_args") or {}, execution.get("weights") or {})
                                             .items())), train_task=cfg["train_task"],
                     device=execution.get("device", "auto"), chunk_size=int(execution.get("chunk_size", 256)),
                     precision=str(cfg.get("precision", "auto")), threshold_policy=scoring.threshold_policy,
                     n_boot=scoring.n_boot, ci_level=scoring.ci_level)


def reading(check: str, auroc: PairedMetric | None) -> str:
    """What the paired AUROC difference (probe − original) says about `check`, in one plain sentence."""
    if auroc is None or auroc.diff is None or auroc.ci[0] is None or auroc.ci[1] is None:
        return f"{AUROC.display} not evaluable on this task"
    if auroc.ci[1] < 0:
        return f"{AUROC.display} falls by {-100 * auroc.diff:.1f} points: {CHECKS[check].falls}"
    if auroc.verdict == CANNOT_TELL:
        return f"{CANNOT_TELL}: the change is smaller than the minimum detectable difference"
    return f"{AUROC.display} {CHECKS[check].holds}"


def probe(run_dir: Path | str, checks: Sequence[str], *, output_dir: Path | str | None = None,
          data_root: Path | str | None = None, console: Console | None = None) -> ProbeFindings:
    """The probe findings of a verified run (also written to `findings_path`): per check, its probe run directory
    and, per task and metric, original, probed, the paired difference with CI, p, MDD and verdict, plus the
    reading in words."""
    from gazebench.engine.compare import compare_runs
    from gazebench.engine.evaluate import evaluate

    base = verify_run(run_dir)
    if base.config.get("input_transform") is not None:
        raise ConfigError(f"{base.path}: is itself a probe run ({base.config['input_transform']}); probe the original")
    config = config_of(base)
    out_dir = Path(output_dir) if output_dir is not None else base.path.parent / "probes"
    gaze_input = bool(base.config["adapter"]["spec"].get("gaze_input"))
    found: dict[str, CheckFindings] = {}
    for check in checks:
        if CHECKS[check].gaze_input and not gaze_input:
            found[check] = CheckFindings(TRANSFORMS[check], reason="the model takes no gaze at test time")
            continue
        outcome = evaluate(replace(config, input_transform=check), output_dir=out_dir, data_root=data_root,
                           console=console)
        probed = verify_run(outcome.run_dir)
        if probed.config.get("fit_fingerprint") != base.config.get("fit_fingerprint"):
            raise ConfigError(f"{outcome.run_dir}: the probe's model was fitted differently from {base.path.name}'s "
                              "(fit fingerprints differ); the probe would not test the same model")
        compared = compare_runs(base.path, probed.path, data_root=data_root)
        found[check] = CheckFindings(TRANSFORMS[check], None, str(probed.path), compared.n_boot, {
            task: ProbedTask(r.n, r.metrics, reading(check, r.metric(AUROC))) for task, r in compared.tasks.items()})
    findings = ProbeFindings(str(base.path), base.config["model"], found)
    atomic_write_json(findings_path(base.path, out_dir), findings.to_json())
    return findings


def findings_path(run: Path, probes_dir: Path | None = None) -> Path:
    """Where the probe findings of `run` is kept: `<probes dir>/<run name>.probes.json` (default: probes/ beside the
    run), next to its probe runs, so the run directory itself stays immutable."""
    return (probes_dir if probes_dir is not None else run.parent / "probes") / f"{run.name}.probes.json"


def probe_markdown(findings: ProbeFindings) -> str:
    """The probe table: one row per check and task with AUROC original → probed, the paired difference
    [CI], its MDD, and the reading."""
    lines = [f"Probes of `{Path(findings.run).name}` (model `{findings.model}`); differences are "
             "probe − original, percentage points, paired patient bootstrap.", "",
             f"| check | task | {AUROC.display} original | {AUROC.display} probe | Δ {AUROC.display} [95% CI] | MDD "
             "| reading |",
             "|:---|:---|---:|---:|---:|---:|:---|"]
    for check, c in findings.checks.items():
        if not c.applicable:
            lines.append(f"| {check} | all | – | – | – | – | not applicable: {c.reason} |")
            continue
        for task, t in c.tasks.items():
            m = t.metric(AUROC)
            if m is None:
                continue  # a task of another kind: its paired metrics are in the JSON findings
            lines.append(f"| {check} | {task} | {_pct(m.a)} | {_pct(m.b)} | {_pct(m.diff, sign=True)} "
                         f"[{_pct(m.ci[0], sign=True)}, {_pct(m.ci[1], sign=True)}] | {_pct(m.mdd)} | {t.reading} |")
    lines += ["", "Checks: " + "; ".join(f"{k}: {c.description}" for k, c in findings.checks.items()) + "."]
    return "\n".join(lines) + "\n"


def _pct(value: float | None, sign: bool = False) -> str:
    return "–" if value is None else (f"{100 * value:+.1f}" if sign else f"{100 * value:.1f}")
