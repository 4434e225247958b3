"""Time `gazebench paper-table` on the embedded default study: data generation, then each method's
fit + evaluation on all four tasks, then comparisons and rendering. Prints one line per phase and the total.

    python benchmarks/paper_table.py --fresh          # cold: temporary cache and runs (what a clean checkout pays)
    python benchmarks/paper_table.py --results-dir results --output-dir runs   # fills results/ (reuses runs)

The brief's target: the whole default table in <= 20 minutes on 2 CPU cores (use --threads 2).
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fresh", action="store_true", help="temporary cache, runs and results (cold timing)")
    parser.add_argument("--output-dir", default="runs")
    parser.add_argument("--results-dir", default="results")
    parser.add_argument("--methods", default="paper")
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (the target machine has 2 cores)")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="gazebench-paper-bench-")) if args.fresh else None
    if scratch is not None:
        os.environ["GAZEBENCH_CACHE"] = str(scratch / "cache")
        args.output_dir, args.results_dir = str(scratch / "runs"), str(scratch / "results")

    import torch

    from gazebench.data_root import data_root
    from gazebench.paper import PaperSettings, build_table, write_outputs

    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    marks: list[tuple[float, str]] = [(start, "data: generate or load the embedded default study")]
    data_root(None)

    def log(message: object) -> None:
        text = str(message)
        if text.startswith("paper-table:"):
            marks.append((time.perf_counter(), text.removeprefix("paper-table: ")))

    settings = PaperSettings(methods=args.methods, seeds=args.seeds, output_dir=args.output_dir,
                             results_dir=args.results_dir)
    table = build_table(settings, log=log)
    marks.append((time.perf_counter(), "render md/csv/tex"))
    paths = write_outputs(table, args.results_dir)
    end = time.perf_counter()
    print(f"{'seconds':>9}  phase")
    for (t, what), t_next in zip(marks, [t for t, _ in marks[1:]] + [end], strict=True):
        print(f"{t_next - t:9.1f}  {what}")
    total = end - start
    print(f"{total:9.1f}  total ({total / 60:.1f} min, torch threads {args.threads}, cpu count {os.cpu_count()})")
    print("wrote", ", ".join(str(p) for p in paths.values()))


if __name__ == "__main__":
    main()
