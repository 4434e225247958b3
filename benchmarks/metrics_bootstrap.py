"""Time the cluster bootstrap, paired bootstrap, summary and DeLong on synthetic 14-label data.

Usage: python benchmarks/metrics_bootstrap.py  (prints seconds per call; no assertions)."""
from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from gazebench.metrics import bootstrap_ci, delong_macro, paired_bootstrap, summary


def _calls(y: np.ndarray, p: np.ndarray, patients: np.ndarray) -> dict[str, Callable[[], object]]:
    """The timed calls on one data set, by name."""
    return {
        "summary": lambda: summary(y, p, 0.5, [str(j) for j in range(14)]),
        "bootstrap_ci B=1000": lambda: bootstrap_ci(y, p, 0.5, patients, n_boot=1000),
        "paired_bootstrap B=1000": lambda: paired_bootstrap(y, p, p[::-1], 0.5, 0.5, patients, n_boot=1000),
        "delong_macro": lambda: delong_macro(y, p, p[::-1]),
    }


def main() -> None:
    rng = np.random.default_rng(0)
    for n in (300, 3000, 26684):
        y = (rng.random((n, 14)) < 0.2).astype(float)
        y[rng.random((n, 14)) < 0.1] = np.nan
        p = np.round(np.clip(0.3 * np.nan_to_num(y) + 0.7 * rng.random((n, 14)), 0, 1), 3)
        patients = rng.integers(0, n // 2, n)
        for name, call in _calls(y, p, patients).items():
            t = time.perf_counter()
            call()
            print(f"N={n:6d} L=14 {name:24s} {time.perf_counter() - t:7.3f} s")


if __name__ == "__main__":
    main()
