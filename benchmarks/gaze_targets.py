"""Throughput of gaze-target extraction on one CPU core: prints fixations/s for each method.

Synthetic REFLACX-like scanpaths (about 2,800 x 3,000 px images, ~50 px/degree, 16x16 grid, ~5% off-image);
the goal is >= 2 million fixations/s for the default temporal-window method.
The process is pinned to one CPU and one BLAS/OpenMP thread; CPU time is the fair figure on a shared machine
(wall time counts waiting for other processes), so both are printed with the load average.
Run: python benchmarks/gaze_targets.py [--scanpaths 10000] [--fixations 200] [--repeats 3]
"""
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from scipy.signal import lfilter  # noqa: E402

from gazebench.gaze.targets import TARGET_METHODS, ordered_targets_batch  # noqa: E402


def synthetic_batch(n_paths: int, mean_fixations: int, seed: int = 0) -> dict[str, np.ndarray]:
    """CSR arrays of random scanpaths: durations ~ 0.1 + Exp(0.2) s, 30 ms saccades, positions an AR(1) walk."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(mean_fixations // 2, mean_fixations * 3 // 2 + 1, n_paths)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    n = int(offsets[-1])
    size = np.stack([rng.integers(2400, 3100, n_paths), rng.integers(2400, 3100, n_paths)], axis=1).astype(float)
    owner = np.repeat(np.arange(n_paths), lengths)
    duration = 0.1 + rng.exponential(0.2, n)
    step = duration + 0.03
    t_end_cum = np.cumsum(step)
    path_start = np.concatenate([[0.0], t_end_cum[offsets[1:-1] - 1]])
    t_start = t_end_cum - step - path_start[owner]
    # AR(1) walk around the image centre: stationary sd 0.22 image widths, so ~5% of fixations fall off the image
    walk = lfilter([1.0], [1.0, -0.9], rng.normal(0.0, 0.22 * np.sqrt(1 - 0.81), (n, 2)), axis=0)
    xy = (0.5 + walk) * size[owner]
    return dict(
        t_start=t_start, t_end=t_start + duration, x=xy[:, 0], y=xy[:, 1], offsets=offsets,
        image_size=size, pixels_per_degree=rng.uniform(40, 60, n_paths),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scanpaths", type=int, default=10_000)
    parser.add_argument("--fixations", type=int, default=200, help="mean fixations per scanpath")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--grid", type=int, default=16)
    args = parser.parse_args()
    batch = synthetic_batch(args.scanpaths, args.fixations)
    n = len(batch["x"])
    on_image = (batch["x"] >= 0) & (batch["y"] >= 0)
    owner = np.repeat(np.arange(args.scanpaths), np.diff(batch["offsets"]))
    on_image &= (batch["x"] < batch["image_size"][owner, 0]) & (batch["y"] < batch["image_size"][owner, 1])
    print(f"{args.scanpaths} scanpaths, {n} fixations ({on_image.mean():.1%} on the image), "
          f"grid {args.grid}x{args.grid}, k=4, best of {args.repeats}")
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "all"
    print(f"pinned to CPU {cpus}; load average (1 min) before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    for method in TARGET_METHODS:
        walls, cpus_s = [], []
        for _ in range(args.repeats):
            start, start_cpu = time.perf_counter(), time.process_time()
            ordered_targets_batch(**batch, grid=(args.grid, args.grid), k=4, method=method)
            walls.append(time.perf_counter() - start)
            cpus_s.append(time.process_time() - start_cpu)
        wall, cpu = min(walls), min(cpus_s)
        print(f"{method:16s} wall {wall:6.3f} s {n / wall / 1e6:6.2f} M fixations/s | cpu {cpu:6.3f} s "
              f"{n / cpu / 1e6:6.2f} M fixations/s (median {n / float(np.median(cpus_s)) / 1e6:.2f})")
    print(f"load average (1 min) after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
