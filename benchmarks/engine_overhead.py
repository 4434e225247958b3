"""Engine overhead: (engine prediction time) / (pure model forward time on the same inputs). Goal ≤ 1.10.

Both sides run the same fitted model over the same images in the same batches, with the same torch thread
count (`--threads`, set once for the whole process), the same inference context and the image cache warm.
The engine side is what `gazebench run` does per split (read cached images on its prefetch thread, build
tensors per InputSpec, predict, validate, flush CSV chunks); the pure side calls `adapter.predict` on tensors
built beforehand. Before timing, the predictions both sides make are checked to be identical (same work),
then repeats are interleaved (ABBA) and both wall (`perf_counter`) and CPU (`process_time`, all threads) time
are reported as median and best. Scoring (bootstrap CIs) is timed separately: once per run, whatever the model.

Use fewer threads than free cores: with every core busy, OpenMP's spin-waiting barriers make back-to-back
forwards erratically slow (on a shared 2-core machine this made the pure side 3-10x slower than the engine).

    python benchmarks/engine_overhead.py [--model cnn|medclip] [--threads 1] [--batch-size 32] [--repeats 7]
"""
from __future__ import annotations

import argparse
import gc
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch
from rich.console import Console

from gazebench.adapter import Adapter, predict_inputs
from gazebench.data_root import data_root
from gazebench.engine.config import RunConfig
from gazebench.engine.evaluate import evaluate, resolve
from gazebench.engine.fit import load_or_fit
from gazebench.engine.kinds.classification import ClassificationKind
from gazebench.engine.loader import pixels
from gazebench.engine.predict import predict_split
from gazebench.engine.predictions import read_predictions, score_matrix
from gazebench.engine.rundir import RunDir
from gazebench.engine.scoring import score_run
from gazebench.engine.session import build_adapter
from gazebench.engine.workload import load_task_data
from gazebench.records import Sample
from gazebench.runtime import inference, resolve_device, torch_threads
from gazebench.task import TASKS

CLASSIFY = ClassificationKind()

Timing = tuple[float, float]
"""(wall seconds, CPU seconds of the whole process)."""


def timed(work: Callable[[], object], device: torch.device) -> Timing:
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - wall, time.process_time() - cpu


def pure_forward(adapter: Adapter, groups: Sequence[tuple[Sample, ...]], tensors: Sequence[torch.Tensor],
                 device: torch.device) -> list[np.ndarray]:
    """`adapter.predict` on prebuilt tensors, in the engine's inference context; the probabilities per batch."""
    out = []
    for samples, x in zip(groups, tensors, strict=True):
        with inference(device):
            batch = predict_inputs(samples, x, adapter.spec)
            out.append(np.asarray(adapter.classify(batch).probs, dtype=np.float32))
    return out


def engine_predict(adapter: Adapter, splits: Sequence[tuple[Sample, ...]], folder: Path, batch_size: int,
                   chunk_size: int, device: torch.device) -> int:
    """The engine's prediction path into a fresh folder; the number of images it predicted."""
    return sum(predict_split(adapter, samples, folder / str(j), kind=CLASSIFY,
                             batch_size=batch_size, chunk_size=chunk_size,
                             device=device) for j, samples in enumerate(splits))


def same_work(adapter: Adapter, splits: Sequence[tuple[Sample, ...]], folder: Path, pure: list[np.ndarray]) -> None:
    """The engine's saved scores equal the pure forward's, image for image (else the two timed different work)."""
    engine = np.concatenate([score_matrix(read_predictions(folder / str(j)).set_index("sample_id")
                                          .loc[[s.sample_id for s in samples]], adapter.spec.labels, folder)
                             for j, samples in enumerate(splits)]).astype(np.float32)
    ref = np.concatenate(pure)
    if engine.shape != ref.shape or not np.array_equal(engine, ref):
        raise SystemExit(f"engine and pure forward disagree (shapes {engine.shape} vs {ref.shape}): not the same work")


def summary(name: str, runs: list[Timing], n_images: int) -> None:
    for k, clock in enumerate(("wall", "cpu")):
        values = [r[k] for r in runs]
        med, best = statistics.median(values), min(values)
        print(f"  {name:<7} {clock:<4}: median {med:7.3f} s  best {best:7.3f} s  ({1e3 * med / n_images:.3f} ms/image)")


def ratios(engine: list[Timing], pure: list[Timing]) -> None:
    for k, clock in enumerate(("wall", "cpu")):
        e, p = [r[k] for r in engine], [r[k] for r in pure]
        paired = statistics.median(a / b for a, b in zip(e, p, strict=True))
        print(f"  {clock:<4}: median/median {statistics.median(e) / statistics.median(p):.3f}   "
              f"best/best {min(e) / min(p):.3f}   median of paired ratios {paired:.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="cnn")
    ap.add_argument("--data-root", default=None)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads for both sides")
    ap.add_argument("--device", default="auto")
    args = ap.parse_args()
    root = data_root(args.data_root)
    config = RunConfig(model=args.model, tasks=tuple(TASKS.names()), batch_size=args.batch_size, device=args.device,
                       threads=args.threads)
    with tempfile.TemporaryDirectory() as tmp, torch_threads(args.threads):
        warm = evaluate(config, output_dir=Path(tmp) / "warm", data_root=root, console=Console(quiet=True))
        device = resolve_device(args.device)
        adapter = build_adapter(config)
        data = load_task_data([*config.tasks, config.train_task], root, None)
        adapter.to(device)
        if adapter.trainable:
            fp = resolve(config, adapter, data, device).facts["fit_fingerprint"]
            assert load_or_fit(adapter, fp, lambda _: None, lambda _: None), "checkpoint missing after the warm run"
        train = data[config.train_task]
        splits = [train.val_samples] + [data[t].eval_samples for t in config.tasks]
        groups = [s[k:k + args.batch_size] for s in splits for k in range(0, len(s), args.batch_size)]
        tensors = [pixels(g, adapter.spec).to(device) for g in groups]
        n_images = sum(len(s) for s in splits)
        assert sum(len(g) for g in groups) == n_images

        def engine_once(tag: str) -> None:
            done = engine_predict(adapter, splits, Path(tmp) / tag, args.batch_size, config.chunk_size, device)
            assert done == n_images, f"engine predicted {done} images, not {n_images}"

        engine_once("check")  # the warm-up of both sides doubles as the same-work check
        same_work(adapter, splits, Path(tmp) / "check", pure_forward(adapter, groups, tensors, device))
        engine_t: list[Timing] = []
        pure_t: list[Timing] = []
        load_before = os.getloadavg()[0]
        for i in range(args.repeats):
            order = ("engine", "pure") if i % 2 == 0 else ("pure", "engine")  # ABBA: drift hits both sides
            for side in order:
                if side == "engine":
                    engine_t.append(timed(lambda i=i: engine_once(f"e{i}"), device))
                else:
                    pure_t.append(timed(lambda: pure_forward(adapter, groups, tensors, device), device))
        load_after = os.getloadavg()[0]
        scoring_wall, _ = timed(lambda: score_run(RunDir(warm.run_dir), data, config.scoring), device)
    mb = sum(x.numel() * x.element_size() for x in tensors) / 2**20
    print(f"model {args.model} on {device.type}, {args.threads} torch thread(s) on {os.cpu_count()} cores "
          f"(load average {load_before:.1f} -> {load_after:.1f}); {n_images} images in {len(groups)} batches of "
          f"<= {args.batch_size} ({len(splits)} splits; prebuilt tensors {mb:.0f} MiB); "
          f"{args.repeats} interleaved repeats")
    print("same work: engine CSV scores == pure forward probabilities for every image (checked)")
    summary("engine", engine_t, n_images)
    summary("pure", pure_t, n_images)
    print("overhead ratio engine/pure (goal <= 1.10):")
    ratios(engine_t, pure_t)
    print(f"scoring, {config.n_boot} bootstrap replicates x {len(config.tasks)} tasks: {scoring_wall:.3f} s "
          f"(once per run, independent of model size)")


if __name__ == "__main__":
    main()
