"""Shortcut probes: rerun a finished, verified run's model on altered test inputs (blank or flipped images,
shuffled test-time gaze, images swapped between patients) through the engine — so each probe is an ordinary
run, resumable, cached and identified by its input transform — and report how each metric moves, with the
paired patient bootstrap of `gazebench compare`, in plain words."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.console import Console

from gazebench.engine.config import RunConfig
from gazebench.engine.rundir import RunDir, atomic_write_json
from gazebench.engine.scoring import primary_scoring
from gazebench.engine.transforms import TRANSFORMS
from gazebench.engine.verify import VerifiedRun, verify_run
from gazebench.errors import ConfigError
from gazebench.metrics.power import CANNOT_TELL
from gazebench.metrics.vocabulary import AUROC

HOLDS = {
    "blank": "AUROC holds on blank images: the model is answering from something other than the image",
    "swap-image": "AUROC holds with another patient's image: the model is answering from something other "
                  "than the image",
    "flip": "AUROC holds on flipped images: no reliance on left-right layout detected",
    "shuffle-gaze": "AUROC holds with shuffled gaze: the order of the test-time fixations is not used",
}
FALLS = {
    "blank": "the answer depends on the image",
    "swap-image": "the answer depends on this patient's image",
    "flip": "the model relies on the left-right layout of the film",
    "shuffle-gaze": "the model uses the order of the test-time fixations",
}


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
                     model_args=tuple(sorted((cfg.get("model_args") or {}).items())), train_task=cfg["train_task"],
                     device=execution.get("device", "auto"), chunk_size=int(execution.get("chunk_size", 256)),
                     precision=str(cfg.get("precision", "auto")), threshold_policy=scoring.threshold_policy,
                     n_boot=scoring.n_boot, ci_level=scoring.ci_level)


def reading(check: str, auroc: dict[str, Any]) -> str:
    """What the paired AUROC difference (probe − original) says about `check`, in one plain sentence."""
    ci, diff = auroc.get("ci") or [None, None], auroc.get("diff")
    if diff is None or ci[0] is None or ci[1] is None:
        return "AUROC not evaluable on this task"
    if ci[1] < 0:
        return f"AUROC falls by {-100 * diff:.1f} points: {FALLS[check]}"
    if auroc.get("verdict") == CANNOT_TELL:
        return f"{CANNOT_TELL}: the change is smaller than the minimum detectable difference"
    return HOLDS[check]


def probe(run_dir: Path | str, checks: Sequence[str], *, output_dir: Path | str | None = None,
          data_root: Path | str | None = None, console: Console | None = None) -> dict[str, Any]:
    """JSON-ready probe findings of a verified run: per check, its probe run directory and, per task and metric,
    original, probed, the paired difference with CI, p, MDD and verdict, plus the reading in words."""
    from gazebench.engine.compare import compare_runs
    from gazebench.engine.evaluate import evaluate

    base = verify_run(run_dir)
    if base.config.get("input_transform") is not None:
        raise ConfigError(f"{base.path}: is itself a probe run ({base.config['input_transform']}); probe the original")
    config = config_of(base)
    out_dir = Path(output_dir) if output_dir is not None else base.path.parent / "probes"
    gaze_input = bool(base.config["adapter"]["spec"].get("gaze_input"))
    findings: dict[str, Any] = {"run": str(base.path), "model": base.config["model"], "checks": {}}
    for check in checks:
        if check == "shuffle-gaze" and not gaze_input:
            findings["checks"][check] = {"applicable": False, "description": TRANSFORMS[check],
                                       "reason": "the model takes no gaze at test time"}
            continue
        outcome = evaluate(replace(config, input_transform=check), output_dir=out_dir, data_root=data_root,
                           console=console)
        probed = verify_run(outcome.run_dir)
        if probed.config.get("fit_fingerprint") != base.config.get("fit_fingerprint"):
            raise ConfigError(f"{outcome.run_dir}: the probe's model was fitted differently from {base.path.name}'s "
                              "(fit fingerprints differ); the probe would not test the same model")
        compared = compare_runs(base.path, probed.path, data_root=data_root)
        findings["checks"][check] = {
            "applicable": True, "description": TRANSFORMS[check], "run": str(probed.path),
            "n_boot": compared["n_boot"],
            "tasks": {task: {"n": r["n"], "metrics": r["metrics"],
                             "reading": reading(check, r["metrics"].get(AUROC.name) or {})}
                      for task, r in compared["tasks"].items()}}
    atomic_write_json(findings_path(base.path, out_dir), findings)
    return findings


def findings_path(run: Path, probes_dir: Path | None = None) -> Path:
    """Where the probe findings of `run` is kept: `<probes dir>/<run name>.probes.json` (default: probes/ beside the
    run), next to its probe runs, so the run directory itself stays immutable."""
    return (probes_dir if probes_dir is not None else run.parent / "probes") / f"{run.name}.probes.json"


def probe_markdown(findings: dict[str, Any]) -> str:
    """The probe table: one row per check and task with AUROC original → probed, the paired difference
    [CI], its MDD, and the reading."""
    lines = [f"Probes of `{Path(findings['run']).name}` (model `{findings['model']}`); differences are "
             "probe − original, percentage points, paired patient bootstrap.", "",
             "| check | task | AUROC original | AUROC probe | Δ AUROC [95% CI] | MDD | reading |",
             "|:---|:---|---:|---:|---:|---:|:---|"]
    for check, c in findings["checks"].items():
        if not c["applicable"]:
            lines.append(f"| {check} | all | – | – | – | – | not applicable: {c['reason']} |")
            continue
        for task, t in c["tasks"].items():
            if AUROC.name not in t["metrics"]:
                continue  # a task of another kind: its paired metrics are in the JSON findings
            m = t["metrics"][AUROC.name]
            ci = m["ci"]
            lines.append(f"| {check} | {task} | {_pct(m['a'])} | {_pct(m['b'])} | {_pct(m['diff'], sign=True)} "
                         f"[{_pct(ci[0], sign=True)}, {_pct(ci[1], sign=True)}] | {_pct(m['mdd'])} | {t['reading']} |")
    lines += ["", "Checks: " + "; ".join(f"{k}: {c['description']}" for k, c in findings["checks"].items()) + "."]
    return "\n".join(lines) + "\n"


def _pct(value: float | None, sign: bool = False) -> str:
    return "–" if value is None else (f"{100 * value:+.1f}" if sign else f"{100 * value:.1f}")
