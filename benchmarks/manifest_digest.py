"""Cost of the content-addressed data manifest on the default simulated study: cold (every image file hashed,
digest cache empty) vs cached (one stat + one sqlite lookup per image), per task and in total.
Run: `python benchmarks/manifest_digest.py [--size default] [--repeats 3]`."""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

TASKS = ("mimic-eye", "chexpert", "rsna", "siim-acr")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="default", help="simulated study size (gazebench.synthetic.sizes)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["GAZEBENCH_CACHE"] = str(Path(tmp) / "cache")
        from gazebench.data import digest
        from gazebench.data.manifest import manifest
        from gazebench.paths import cache_dir
        from gazebench.synthetic import generate
        from gazebench.task import get_task

        root = generate(Path(tmp) / "data", size=args.size, seed=0)
        time.sleep(digest.RACY_SECONDS + 0.5)  # freshly written files are never cached; let them age
        datasets = {name: get_task(name).load(root) for name in TASKS}
        print(f"data manifest of the {args.size!r} simulated study — best of {args.repeats}")
        print(f"{'task':10} {'images':>7} {'MB':>8} {'cold s':>8} {'cached s':>9} {'speed-up':>9}")
        totals = [0, 0.0, 0.0, 0.0]
        for name, dataset in datasets.items():
            cold, warm = [], []
            for _ in range(args.repeats):
                digest._rebuild()  # empty digest cache: every image is read and hashed
                t0 = time.perf_counter()
                manifest(dataset)
                cold.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                manifest(dataset)
                warm.append(time.perf_counter() - t0)
            mb = sum(s.image_path.stat().st_size for s in dataset.samples) / 1e6
            c, w = min(cold), min(warm)
            totals = [totals[0] + len(dataset.samples), totals[1] + mb, totals[2] + c, totals[3] + w]
            print(f"{name:10} {len(dataset.samples):>7} {mb:>8.1f} {c:>8.3f} {w:>9.3f} {c / w:>8.1f}x")
        n, mb, c, w = totals
        print(f"{'total':10} {n:>7} {mb:>8.1f} {c:>8.3f} {w:>9.3f} {c / w:>8.1f}x "
              f"({1e3 * w / n:.3f} ms/image cached; cache {cache_dir() / digest.DB_NAME})")


if __name__ == "__main__":
    main()
