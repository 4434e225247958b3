"""Wall time of the CLI where a user waits on it: `gazebench --help`, `gazebench list tasks`, the main job
(`gazebench run --model original-gaze --tasks all`) on a fresh cache, the same command again on the finished run,
and into a new output folder with the fit cached. Each figure is printed with the `uptime` load beside it.

    python benchmarks/cli_startup.py [--repeats 5] [--cache DIR]

A temporary GAZEBENCH_CACHE and output folder are used (nothing of the user's is read or written); with
--cache DIR an existing cache is reused and the cold figure is left out. Goals (issue 16, 2 CPU cores, quiet):
--help and list tasks <= 1.5 s, finished run <= 3 s, new folder with the fit cached <= 8 s, cold <= 45 s.
The new-folder figure is taken twice: as a user gets it (the predictions of the same identity come from the
prediction cache, gazebench.engine.prediction_cache) and with --no-prediction-cache (the model predicts again).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MAIN_JOB = ("run", "--model", "original-gaze", "--tasks", "all")


def gazebench() -> list[str]:
    """The installed console script beside this interpreter (what a user runs), else `python -m gazebench`."""
    script = Path(sys.executable).with_name("gazebench")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "gazebench"]


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f} (5-min {five:.2f})"


def timed(args: tuple[str, ...], env: dict[str, str]) -> float:
    """Seconds one command took; a failure stops the benchmark with its stderr."""
    start = time.perf_counter()
    done = subprocess.run([*gazebench(), *args], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return seconds


def report(what: str, seconds: list[float], goal: float, before: str) -> None:
    best, median = min(seconds), statistics.median(seconds)
    mark = "met" if median <= goal else "MISSED"
    print(f"{what}: median {median:.2f} s, best {best:.2f} s over {len(seconds)} "
          f"(goal <= {goal:g} s: {mark}); {before} -> {load()}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5, help="runs of each quick command (the median is reported)")
    ap.add_argument("--cache", type=Path, help="reuse this GAZEBENCH_CACHE (no cold figure)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gazebench-cli-bench-"))
    try:
        cache = args.cache or work / "cache"
        env = dict(os.environ, GAZEBENCH_CACHE=str(cache))
        env.pop("GAZEBENCH_DATA_ROOT", None)
        runs = work / "runs"
        for what, command, goal in (("gazebench --help", ("--help",), 1.5),
                                    ("gazebench list tasks", ("list", "tasks"), 1.5)):
            before = load()
            report(what, [timed(command, env) for _ in range(args.repeats)], goal, before)
        before = load()
        cold = timed((*MAIN_JOB, "--output-dir", str(runs / "first")), env)
        if args.cache is None:
            report("main job, fresh cache (data generation + fit + 4 tasks)", [cold], 45, before)
        before = load()
        report("main job again, finished run", [timed((*MAIN_JOB, "--output-dir", str(runs / "first")), env)
                                               for _ in range(args.repeats)], 3, before)
        before = load()
        fresh_folders = [runs / f"new-{i}" for i in range(max(1, args.repeats // 2))]
        report("main job into a new output folder, fit and predictions cached",
               [timed((*MAIN_JOB, "--output-dir", str(folder)), env) for folder in fresh_folders], 8, before)
        before = load()
        repredicted = [runs / f"repredicted-{i}" for i in range(max(1, args.repeats // 2))]
        report("the same with --no-prediction-cache (fit cached, the model predicts)",
               [timed((*MAIN_JOB, "--no-prediction-cache", "--output-dir", str(folder)), env)
                for folder in repredicted], 8, before)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
