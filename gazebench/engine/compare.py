"""Compare two runs on the same tasks and images: per metric A, B, B − A with a paired patient
bootstrap CI and p-value, plus DeLong tests of per-label AUROC (Holm-adjusted)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from gazebench.engine.predict import read_predictions, score_matrix
from gazebench.engine.rundir import RunDir
from gazebench.engine.scoring import aligned, check_data, primary_scoring, run_thresholds
from gazebench.engine.workload import TaskData, load_task_data
from gazebench.errors import ConfigError

STATS = ("auroc", "acc", "f1")


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
    """JSON-ready comparison of run B against run A on every task they share."""
    from gazebench.metrics import delong_macro, paired_bootstrap, summary
    from gazebench.paths import data_root as resolve_root

    a, b = RunDir(Path(run_a)), RunDir(Path(run_b))
    ca, cb = a.load_config(), b.load_config()
    tasks = check_comparable(a, ca, b, cb)
    recorded = (ca.get("execution") or {}).get("data_root")
    data = load_task_data([*tasks, ca["train_task"], cb["train_task"]], resolve_root(data_root or recorded),
                          ca.get("limit"))
    check_data(ca, data, a.path)
    check_data(cb, data, b.path)
    boots, seed = int(n_boot or primary_scoring(a).n_boot), int(ca["seed"])
    thr = {key: run_thresholds(run, cfg, data, threshold_policy or primary_scoring(run).threshold_policy)
           for key, run, cfg in (("a", a, ca), ("b", b, cb))}
    out: dict[str, Any] = {"run_a": str(a.path), "run_b": str(b.path), "model_a": ca["model"], "model_b": cb["model"],
                           "n_boot": boots, "seed": seed,
                           "threshold_policy": {"a": thr["a"]["policy"], "b": thr["b"]["policy"]}, "tasks": {}}
    for name in tasks:
        td: TaskData = data[name]
        samples = td.eval_samples
        y = td.task.targets(samples)
        p = {key: score_matrix(aligned(samples, read_predictions(run.predictions(name)), run.predictions(name)),
                               td.task.labels, run.predictions(name)) for key, run in (("a", a), ("b", b))}
        t = {key: np.array([thr[key]["values"].get(lab, 0.5) for lab in td.task.labels]) for key in ("a", "b")}
        clusters = np.array([s.patient_id for s in samples], dtype=object)
        point = {key: summary(y, p[key], t[key], td.task.labels) for key in ("a", "b")}
        paired = paired_bootstrap(y, p["a"], p["b"], t["a"], t["b"], clusters, n_boot=boots, seed=seed, stats=STATS)
        out["tasks"][name] = {
            "n": len(samples),
            "metrics": {stat: {"a": point["a"][stat], "b": point["b"][stat], "diff": paired[stat]["diff"],
                               "ci": list(paired[stat]["ci"]), "p_value": paired[stat]["p_value"]} for stat in STATS},
            "delong": delong_macro(y, p["a"], p["b"], labels=td.task.labels),
        }
        holm = [v["p_holm"] for v in out["tasks"][name]["delong"]["per_label"].values() if v["p_holm"] is not None]
        out["tasks"][name]["delong"]["p_holm_min"] = min(holm) if holm else None
    return out
