"""Compare two verified runs on the same tasks and images: each task's kind gives, per metric, A, B, B − A with
a paired patient bootstrap CI, p-value, minimum detectable difference and verdict (classification adds DeLong
tests of per-label AUROC, Holm-adjusted)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from gazebench.comparison import RunComparison, TaskComparison
from gazebench.engine.config import check_n_boot
from gazebench.engine.kinds import kind_of, task_items
from gazebench.engine.references import kind_predictions
from gazebench.engine.rundir import RunDir
from gazebench.engine.scoring import check_data, primary_scoring, run_thresholds, score_context
from gazebench.engine.verify import verify_run
from gazebench.engine.workload import load_task_data
from gazebench.errors import ConfigError
from gazebench.metrics.model_based import resolve_setup, using_setup
from gazebench.metrics.randomization import N_PERMUTATIONS


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
                 n_boot: int | None = None, threshold_policy: str | None = None, n_perm: int = N_PERMUTATIONS,
                 metric_args: tuple[tuple[str, Any], ...] = ()) -> RunComparison:
    """The comparison of run B against run A on every task they share (both verified first); report tasks
    with the model-based metrics of `metric_args` and a paired approximate-randomization test beside the
    bootstrap."""
    from gazebench.data_root import data_root as resolve_root

    va, vb = verify_run(run_a), verify_run(run_b)
    setup = resolve_setup(metric_args)  # weights found and digested before any scoring
    a, b = RunDir(va.path), RunDir(vb.path)
    ca, cb = va.config, vb.config
    tasks = check_comparable(a, ca, b, cb)
    recorded = (ca.get("execution") or {}).get("data_root")
    trains = [c["train_task"] for c in (ca, cb) if c["train_task"] in c["data_sha256"]]  # zero-shot runs have none
    data = load_task_data([*tasks, *trains], resolve_root(data_root or recorded), ca.get("limit"))
    check_data(ca, data, a.path)
    check_data(cb, data, b.path)
    boots, seed = check_n_boot(n_boot if n_boot is not None else primary_scoring(a).n_boot), int(ca["seed"])
    thr = tuple(run_thresholds(run, cfg, data, threshold_policy or primary_scoring(run).threshold_policy)
                for run, cfg in ((a, ca), (b, cb)))
    tasks_compared: dict[str, TaskComparison] = {}
    for name in tasks:
        task = data[name].task
        ctxs = (score_context(ca, a.predictions(name), primary_scoring(a), thr[0]),
                score_context(cb, b.predictions(name), primary_scoring(b), thr[1]))
        # the items in run A's model frame (references are only used for scoring, in image pixels)
        items = task_items(task, data[name].eval_samples, ctxs[0].side)
        dfs = (kind_predictions(ctxs[0].where, items, ca), kind_predictions(ctxs[1].where, items, cb))
        with using_setup(setup):
            tasks_compared[name] = kind_of(task).compare(task, items, dfs, ctxs, boots, seed, n_perm)
    return RunComparison(str(a.path), str(b.path), ca["model"], cb["model"], va.track, vb.track, boots, seed,
                      (thr[0]["policy"], thr[1]["policy"]), tasks_compared)
