"""Compare two verified runs on the same tasks and images: per metric A, B, B − A with a paired patient
bootstrap CI, p-value, minimum detectable difference and verdict, plus DeLong tests of per-label AUROC
(Holm-adjusted)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from gazebench.engine.predict import read_predictions, score_matrix
from gazebench.engine.rundir import RunDir
from gazebench.engine.scoring import aligned, check_data, primary_scoring, run_thresholds
from gazebench.engine.verify import verify_run
from gazebench.engine.workload import TaskData, load_task_data
from gazebench.errors import ConfigError
from gazebench.metrics.bootstrap import MACRO_STATS
from gazebench.metrics.power import verdict


def check_comparable(a: RunDir, ca: dict[str, Any], b: RunDir, cb: dict[str, Any]) -> list[str]:
    """Tasks both runs evaluated on the same task version, data and sample limit (else a one-line error)."""
    common = [t for t in ca["tasks"] if t in cb["tasks"]]
    if not common:
        raise ConfigError(f"{a.path.name} and {b.path.name} share no task")
    for name in dict.fromkeys([*common, ca["train_task"], cb["train_task"]]):
        for key, what in (("task_versions", "task version"), ("data_sha256", "data manifest")):
            va, vb = ca[key].get(name), cb[key].get(name)
            if va is not None and vb is not None and va != vb:
                raise ConfigError(f"cannot compare {a.path.name} and {b.path.name}: {name} {what} differs "
                                  f"({str(va)[:12]} vs {str(vb)[:12]})")
    if ca.get("limit") != cb.get("limit"):
        raise ConfigError(f"cannot compare {a.path.name} and {b.path.name}: different sample sets "
                          f"(--limit {ca.get('limit')} vs {cb.get('limit')})")
    return common


def compare_runs(run_a: Path | str, run_b: Path | str, *, data_root: Path | str | None = None,
                 n_boot: int | None = None, threshold_policy: str | None = None) -> dict[str, Any]:
    """JSON-ready comparison of run B against run A on every task they share (both verified first)."""
    from gazebench.data_root import data_root as resolve_root
    from gazebench.metrics import delong_macro, paired_bootstrap, summary

    va, vb = verify_run(run_a), verify_run(run_b)
    a, b = RunDir(va.path), RunDir(vb.path)
    ca, cb = va.config, vb.config
    tasks = check_comparable(a, ca, b, cb)
    recorded = (ca.get("execution") or {}).get("data_root")
    trains = [c["train_task"] for c in (ca, cb) if c["train_task"] in c["data_sha256"]]  # zero-shot runs have none
    data = load_task_data([*tasks, *trains], resolve_root(data_root or recorded), ca.get("limit"))
    check_data(ca, data, a.path)
    check_data(cb, data, b.path)
    boots, seed = int(n_boot or primary_scoring(a).n_boot), int(ca["seed"])
    thr = {key: run_thresholds(run, cfg, data, threshold_policy or primary_scoring(run).threshold_policy)
           for key, run, cfg in (("a", a, ca), ("b", b, cb))}
    out: dict[str, Any] = {"run_a": str(a.path), "run_b": str(b.path), "model_a": ca["model"], "model_b": cb["model"],
                           "track_a": va.track, "track_b": vb.track, "n_boot": boots, "seed": seed,
                           "threshold_policy": {"a": thr["a"]["policy"], "b": thr["b"]["policy"]}, "tasks": {}}
    for name in tasks:
        td: TaskData = data[name]
        if td.task.kind != "classification":
            out["tasks"][name] = _kind_comparison(td, (a, b), (ca, cb), boots, seed)
            continue
        samples = td.eval_samples
        y = td.task.targets(samples)
        p = {key: score_matrix(aligned(samples, read_predictions(run.predictions(name)), run.predictions(name)),
                               td.task.labels, run.predictions(name)) for key, run in (("a", a), ("b", b))}
        t = {key: np.array([thr[key]["values"].get(lab, 0.5) for lab in td.task.labels]) for key in ("a", "b")}
        clusters = np.array([s.patient_id for s in samples], dtype=object)
        point = {key: summary(y, p[key], t[key], td.task.labels) for key in ("a", "b")}
        paired = paired_bootstrap(y, p["a"], p["b"], t["a"], t["b"], clusters, n_boot=boots, seed=seed,
                                  stats=MACRO_STATS)
        out["tasks"][name] = {
            "n": len(samples),
            "metrics": {stat: _metric(point["a"][stat], point["b"][stat], paired[stat]) for stat in MACRO_STATS},
            "delong": delong_macro(y, p["a"], p["b"], labels=td.task.labels),
        }
        holm = [v["p_holm"] for v in out["tasks"][name]["delong"]["per_label"].values() if v["p_holm"] is not None]
        out["tasks"][name]["delong"]["p_holm_min"] = min(holm) if holm else None
    return out


def _kind_comparison(td: TaskData, runs: tuple[RunDir, RunDir], configs: tuple[dict[str, Any], dict[str, Any]],
                     n_boot: int, seed: int) -> dict[str, Any]:
    """Paired comparison of a non-classification task: every metric of its family, with verdicts. The items are
    built in run A's model frame (references are only used for scoring, in image pixels, so any frame agrees)."""
    from gazebench.engine.kinds import kind_comparison, task_items

    sides = tuple(int(c["adapter"]["spec"]["image_size"]) for c in configs)
    items = task_items(td.task, td.eval_samples, sides[0])
    folders = (runs[0].predictions(td.task.name), runs[1].predictions(td.task.name))
    out = kind_comparison(td.task, items, read_predictions(folders[0]), read_predictions(folders[1]),
                          (sides[0], sides[1]), folders, n_boot, seed)
    for m in out["metrics"].values():
        m["verdict"] = verdict(m["diff"], m["ci"], m["mdd"])
    return out


def _metric(a: float | None, b: float | None, paired: dict[str, Any]) -> dict[str, Any]:
    """One metric's row: A, B, B − A with its CI and p, the bootstrap sd, the MDD and the verdict."""
    ci = list(paired["ci"])
    return {"a": a, "b": b, "diff": paired["diff"], "ci": ci, "p_value": paired["p_value"], "sd": paired["sd"],
            "mdd": paired["mdd"], "verdict": verdict(paired["diff"], ci, paired["mdd"])}
