"""Scale benchmark: per-image time and peak RSS of each phase of `gazebench run` (read/validate, fit, predict, score)
on the `default` and `large` (×10) simulated studies, and the wall time of prediction on 2 processes vs 1.

    python benchmarks/scale.py --work /tmp/scale [--sizes default large] [--models cnn original-gaze]

For each size the study is generated once under `--work` (`gazebench data synth --size SIZE`); for each model a
fresh cache and a one-process run measure every phase (cold: images decoded into the cache while read/validated);
then, with the fit cached, prediction is redone on 1 and on 2 gloo processes (`accelerate launch`) into new output
folders and the two runs' results are compared (they must be identical). Each measured run is a child process
(this script with `--child`), so peak RSS is that run's own (`ru_maxrss` after each phase: the peak so far).
"Cold" is the first run (fresh cache: images decoded, model fitted), "warm" the one-process rerun into a new output
folder (decoded images and the fit cached). Writes `<work>/scale.json` and prints markdown for docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PHASES = ("read", "fit", "predict", "score")


def peak_rss_mib() -> float:
    """This process's peak resident set so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(args: argparse.Namespace) -> None:
    """One instrumented `evaluate` (under a launcher: this rank's); rank 0 writes the phase figures to --child."""
    from gazebench.engine.config import RunConfig
    from gazebench.task import TASKS

    ev = importlib.import_module("gazebench.engine.evaluate")  # the module, whose functions are wrapped below
    marks: dict[str, Any] = {}
    counts = {"read": 0, "fit": 0, "predict": 0, "score": 0}

    def timed(name: str, fn: Callable[..., Any], count: Callable[[Any, tuple[Any, ...]], int]) -> Callable[..., Any]:
        def wrapper(*a: Any, **k: Any) -> Any:
            start = time.perf_counter()
            marks.setdefault(f"{name}_start", start)
            out = fn(*a, **k)
            marks[f"{name}_end"] = time.perf_counter()
            marks[f"{name}_rss"] = peak_rss_mib()
            counts[name] += count(out, a)
            return out
        return wrapper

    ev.load_task_data = timed("read", ev.load_task_data, lambda out, a: sum(len(td.dataset.samples)
                                                                             for td in out.values()))
    session = importlib.import_module("gazebench.engine.session")  # where the model is fitted and called
    session.fit_on_every_rank = timed("fit", session.fit_on_every_rank, lambda out, a: 0)
    session.predict_samples = timed("predict", session.predict_samples, lambda out, a: out)
    ev.score_run = timed("score", ev.score_run, lambda out, a: sum(r.n for r in out.tasks.values()))
    config = RunConfig(model=args.model, tasks=tuple(TASKS.names()), threads=1, device="cpu", n_boot=args.n_boot)
    outcome = ev.evaluate(config, output_dir=Path(args.output_dir), data_root=Path(args.root))
    if not outcome.writer:
        return
    phases: dict[str, Any] = {}
    order = ["read", "fit", "predict", "score"]
    for name in order:
        if f"{name}_start" not in marks:
            continue
        # a phase runs until the next one starts (prediction includes waiting for the other ranks' shards)
        later = [marks[f"{n}_start"] for n in order[order.index(name) + 1:] if f"{n}_start" in marks]
        end = later[0] if later and name != "read" else marks[f"{name}_end"]
        phases[name] = {"seconds": round(end - marks[f"{name}_start"], 3), "images": counts[name],
                        "peak_rss_mib": round(marks[f"{name}_rss"], 1)}
    if "fit" in phases:
        meta = json.loads(next((Path(os.environ["GAZEBENCH_CACHE"]) / "checkpoints").glob("*/meta.json")).read_text())
        phases["fit"]["images"] = meta["n_train"]
    Path(args.child).write_text(json.dumps({"phases": phases, "run_dir": str(outcome.run_dir),
                                            "results": outcome.results.to_json()["results"],
                                            "reused": outcome.reused_checkpoint}))


def run_child(prefix: list[str], out: Path, *, model: str, root: Path, output_dir: Path, cache: Path,
              n_boot: int) -> dict[str, Any]:
    """Run `child` (under `prefix`: python, or a launcher) and return what rank 0 wrote."""
    cmd = [*prefix, __file__, "--child", str(out), "--model", model, "--root", str(root), "--output-dir",
           str(output_dir), "--n-boot", str(n_boot)]
    env = dict(os.environ, GAZEBENCH_CACHE=str(cache), OMP_NUM_THREADS="1")
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(out.read_text()))


def launcher(n: int) -> list[str]:
    """`accelerate launch` on n gloo CPU processes (`--multi_gpu` starts torchrun; `--cpu` alone starts one)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = str(sock.getsockname()[1])
    return [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", str(n),
            "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", port]


def measure(work: Path, size: str, model: str, n_boot: int) -> dict[str, Any]:
    """The cold one-process run's phases, then prediction on 1 and on 2 processes with the fit cached."""
    root = work / size
    if not root.is_dir():
        subprocess.run([sys.executable, "-m", "gazebench", "data", "synth", "--out", str(root), "--size", size],
                       check=True)
    base = work / f"{size}-{model}"
    cache = base / "cache"
    kw = {"model": model, "root": root, "cache": cache, "n_boot": n_boot}
    cold = run_child([sys.executable], base / "cold.json", output_dir=base / "runs-cold", **kw)
    one = run_child([sys.executable], base / "one.json", output_dir=base / "runs-one", **kw)
    two = run_child(launcher(2), base / "two.json", output_dir=base / "runs-two", **kw)
    return {"size": size, "model": model, "phases": cold["phases"], "warm_phases": one["phases"],
            "predict_1proc_seconds": one["phases"]["predict"]["seconds"],
            "predict_2proc_seconds": two["phases"]["predict"]["seconds"],
            "predict_images": one["phases"]["predict"]["images"],
            "identical_1_vs_2_processes": one["results"] == two["results"] == cold["results"],
            "load": os.getloadavg()}


def table(rows: list[dict[str, Any]]) -> str:
    """Markdown: per phase, ms per image and peak RSS; then prediction on 1 vs 2 processes."""
    out = ["| model | study | run | phase | images | s | ms / image | peak RSS MiB |", "|---" * 8 + "|"]
    for r in rows:
        for run, key in (("cold", "phases"), ("warm", "warm_phases")):
            for name in PHASES:
                p = r[key].get(name)
                if p is not None:
                    per = 1000 * p["seconds"] / p["images"] if p["images"] else float("nan")
                    out.append(f"| {r['model']} | {r['size']} | {run} | {name} | {p['images']} | {p['seconds']:.1f} | "
                               f"{per:.2f} | {p['peak_rss_mib']:.0f} |")
    out += ["", "| model | study | images predicted | 1 process s | 2 processes s | speed-up | identical |",
            "|---|---|---|---|---|---|---|"]
    for r in rows:
        one, two = r["predict_1proc_seconds"], r["predict_2proc_seconds"]
        out.append(f"| {r['model']} | {r['size']} | {r['predict_images']} | {one:.1f} | {two:.1f} | {one / two:.2f}× | "
                   f"{r['identical_1_vs_2_processes']} |")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path("scale-work"))
    ap.add_argument("--sizes", nargs="+", default=["default", "large"])
    ap.add_argument("--models", nargs="+", default=["cnn", "original-gaze"])
    ap.add_argument("--n-boot", type=int, default=200)
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--model", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--root", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--output-dir", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child is not None:
        child(args)
        return
    args.work.mkdir(parents=True, exist_ok=True)
    rows = []
    for model in args.models:
        for size in args.sizes:
            rows.append(measure(args.work, size, model, args.n_boot))
            (args.work / "scale.json").write_text(json.dumps(rows, indent=2) + "\n")
            print(table(rows[-1:]), flush=True)
    print(table(rows))


if __name__ == "__main__":
    main()
