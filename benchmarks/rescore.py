"""Re-scoring a finished run never runs the model: time `gazebench run` again on a finished `cnn --tasks all` run
under another threshold policy and bootstrap size, and count the model's forwards, fits and device moves
(all must be 0) and check the run's predictions and results.json are byte-identical afterwards.

    python benchmarks/rescore.py [--threads 1] [--n-boot 2000] [--threshold-policy max-f1]

Runs in-process on the embedded simulated study with a private cache (it generates the study and fits the CNN
once, untimed); the counters wrap the `cnn` adapter's class methods, so every route to the model is counted.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any


def counted(calls: Counter[str], name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    """`method`, adding one to calls[name] per call."""
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls[name] += 1
        return method(*args, **kwargs)
    return wrapper


def snapshot(run: Path) -> dict[str, bytes]:
    """Every file of a run directory outside scores/, by relative path."""
    return {str(p.relative_to(run)): p.read_bytes() for p in sorted(run.rglob("*"))
            if p.is_file() and "scores" not in p.relative_to(run).parts}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--n-boot", type=int, default=2000)
    ap.add_argument("--threshold-policy", default="max-f1")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["GAZEBENCH_CACHE"] = str(Path(tmp) / "cache")
        from gazebench.engine.config import RunConfig
        from gazebench.engine.evaluate import evaluate
        from gazebench.engine.scoring import rescore
        from gazebench.models.cnn import SmallCNN
        from gazebench.task import TASKS

        calls: Counter[str] = Counter()
        for name in ("predict", "fit", "to", "load_state_dict"):
            setattr(SmallCNN, name, counted(calls, name, getattr(SmallCNN, name)))
        base = RunConfig(model="cnn", tasks=tuple(TASKS.names()), threads=args.threads)
        start = time.perf_counter()
        first = evaluate(base, output_dir=Path(tmp) / "runs")
        print(f"first run (data generation + fit + predict + score, n_boot {base.n_boot}): "
              f"{time.perf_counter() - start:.1f} s, {calls['predict']} forward batches, {first.predicted} images")
        before = snapshot(first.run_dir)
        calls.clear()
        other = RunConfig(model="cnn", tasks=base.tasks, threads=args.threads, n_boot=args.n_boot,
                          threshold_policy=args.threshold_policy)
        start = time.perf_counter()
        again = evaluate(other, output_dir=Path(tmp) / "runs")
        run_s = time.perf_counter() - start
        start = time.perf_counter()
        rescore(first.run_dir, threshold_policy="youden", n_boot=args.n_boot)
        score_s = time.perf_counter() - start
        same = again.run_dir == first.run_dir and snapshot(first.run_dir) == before
        print(f"`run` again with --threshold-policy {args.threshold_policy} --n-boot {args.n_boot}: {run_s:.2f} s "
              f"(stored {again.scores_file.name if again.scores_file else None})")
        print(f"`score` under youden, n_boot {args.n_boot}: {score_s:.2f} s")
        print(f"model calls while re-scoring: {dict(calls) or 0} (forwards: {calls['predict']}); "
              f"same run dir and byte-identical predictions/results.json: {same}")
        print("load:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
        if calls or not same:
            raise SystemExit("re-scoring touched the model or the run directory")


if __name__ == "__main__":
    main()
