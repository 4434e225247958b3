"""Speed and size of the simulated study generator: wall and CPU seconds, files and MB per size.

Run: python benchmarks/synth_speed.py [small default large] [--workers N]
"""
from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from gazebench.synthetic import generate


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", nargs="*", default=["small", "default"])
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            cpu0, t0 = _cpu_seconds(), time.perf_counter()
            out = generate(Path(tmp) / "study", size=size, seed=0, workers=args.workers)
            wall, cpu = time.perf_counter() - t0, _cpu_seconds() - cpu0
            files = [p for p in out.rglob("*") if p.is_file()]
            mb = sum(p.stat().st_size for p in files) / 2**20
            print(f"{size:8s} wall {wall:6.1f} s  cpu {cpu:6.1f} s  files {len(files):6d}  {mb:7.1f} MB")


if __name__ == "__main__":
    main()
