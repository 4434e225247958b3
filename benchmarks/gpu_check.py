"""GPU check of the reference model at real scale: a Qwen2.5-VL-7B-shaped backbone with random weights, built from
the published config (the values in gazebench/vlm/backbone.py, TEXT_7B / VISION_7B, are those of the
Qwen/Qwen2.5-VL-7B-Instruct model card's config.json; nothing is downloaded), at 448×448 (256 visual tokens), LoRA
r=16 on the LLM, bf16 autocast. One command measures and writes to a JSON, and prints as a markdown block for
docs/benchmarks.md:

- evaluation throughput (images/s) and MFU (model FLOPs / peak bf16 FLOPs of the card);
- LoRA training: micro-step and optimiser-step time (default batch 4 × accumulation 4) and peak memory, with and
  without gradient checkpointing;
- with several GPUs: the same training step and evaluation under `accelerate launch` data parallel (DDP).

    python benchmarks/gpu_check.py --out gpu_check.json            # any CUDA machine
    python benchmarks/gpu_check.py --small --out /tmp/gpu_check.json   # tiny config, runs end to end on CPU

`--small` (automatic without CUDA) uses the `tiny` backbone, so the script cannot rot: a test runs it that way.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from gazebench.reference_model.config import default_config
from gazebench.vlm.backbone import build_backbone
from gazebench.vlm.model import GazeVLM
from gazebench.vlm.report import render_report

PEAK_BF16_TFLOPS = {"H200": 989.0, "H100": 989.0, "A100": 312.0, "L40S": 362.0, "A10": 125.0}
"""Dense bf16 tensor-core peaks from the vendors' data sheets (SXM parts), keyed by a substring of the name."""


def peak_tflops(name: str, given: float | None) -> float | None:
    """The bf16 peak the MFU is taken against: `--peak-tflops`, else the card's data-sheet figure (None on CPU)."""
    return given if given is not None else next((v for k, v in PEAK_BF16_TFLOPS.items() if k in name), None)


def timed(fn: Callable[[], None], steps: int, sync: Callable[[], None]) -> float:
    """Median seconds of `fn` over `steps` runs after one warm-up."""
    fn()
    sync()
    runs = []
    for _ in range(steps):
        t = time.perf_counter()
        fn()
        sync()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def forward_flops(model: GazeVLM, seq_len: int, image_size: int) -> float:
    """Matmul FLOPs of one image's forward: 2 × (LLM non-embedding params × sequence length + vision-tower params
    × its 14-px patches); attention scores and the embedding lookup are left out (small at this length)."""
    visual = sum(p.numel() for p in model.qwen.model.visual.parameters())
    embed = model.qwen.model.get_input_embeddings().weight.numel()
    llm = sum(p.numel() for p in model.qwen.model.language_model.parameters()) - embed
    return 2.0 * (llm * seq_len + visual * (image_size // 14) ** 2)


def set_checkpointing(model: GazeVLM, on: bool) -> None:
    """Turn activation checkpointing on or off in place (transformers 5 name, else the older alias)."""
    name = "activation_checkpointing_" + ("enable" if on else "disable")
    fn = getattr(model.lm, name, None) or getattr(model.lm, "gradient_checkpointing_" + name.rsplit("_", 1)[1])
    fn({"use_reentrant": False}) if on else fn()


def measure(small: bool, steps: int, peak: float | None, ranks: tuple[int, int]) -> dict[str, Any]:
    """Every figure on this process's device; under a launcher the training step is DDP over the ranks."""
    rank, world = ranks
    cuda = torch.cuda.is_available()
    device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', '0'))}" if cuda else "cpu")
    if cuda:
        torch.cuda.set_device(device)
    backbone_name = "tiny" if small else "qwen2.5-vl-7b-shape"
    overrides = {"batch_size": 2, "grad_accum": 2, "image_size": 224} if small else {}
    cfg = default_config(backbone_name, gradient_checkpointing=True, **overrides)
    t0 = time.perf_counter()
    model = GazeVLM(build_backbone(cfg.backbone, cfg.k, cfg.seed, torch.bfloat16 if cuda else torch.float32,
                                   device), cfg).to(device)
    build_s = time.perf_counter() - t0
    b, accum = cfg.batch_size, cfg.grad_accum
    rng = np.random.default_rng(rank)
    pixels = torch.randn(b, 3, cfg.image_size, cfg.image_size, device=device)
    reports = [render_report(rng.random(14) > 0.7) for _ in range(b)]
    labels = torch.from_numpy((rng.random((b, 14)) > 0.7).astype(np.float32)).to(device)
    gaze = torch.from_numpy(rng.integers(0, cfg.grid[0] * cfg.grid[1], (b, cfg.k))).to(device)
    trainable = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(trainable, lr=cfg.lr)
    net: torch.nn.Module = model
    if world > 1:
        net = torch.nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if cuda else None,
                                                        find_unused_parameters=True)
    ctx = (lambda: torch.autocast("cuda", dtype=torch.bfloat16)) if cuda else (lambda: torch.autocast("cpu",
                                                                                                     enabled=False))

    def sync() -> None:
        if cuda:
            torch.cuda.synchronize()

    def micro() -> None:
        net.train()
        with ctx():
            out = net(pixels, reports)
            loss = (torch.nn.functional.binary_cross_entropy_with_logits(out.label_logits.float(), labels)
                    + cfg.lambda_lm * out.lm_loss
                    + cfg.lambda_gaze * torch.nn.functional.cross_entropy(out.gaze_logits.flatten(0, 1).float(),
                                                                          gaze.flatten()))
        (loss / accum).backward()

    def step() -> None:
        for _ in range(accum):
            micro()
        opt.step()
        opt.zero_grad(set_to_none=True)

    def infer() -> None:
        model.eval()
        with torch.inference_mode(), ctx():
            model(pixels)

    seq_len = len(model.prompts.build(None, batch_size=1).input_ids[0])
    flops = forward_flops(model, seq_len, cfg.image_size)
    eval_s = timed(infer, steps, sync)
    out: dict[str, Any] = {
        "backbone": cfg.backbone, "device": torch.cuda.get_device_name(device) if cuda else "cpu",
        "processes": world, "image_size": cfg.image_size, "visual_tokens": cfg.grid[0] * cfg.grid[1],
        "eval_seq_len": seq_len, "batch_size": b, "grad_accum": accum, "build_seconds": round(build_s, 1),
        "params_total": sum(p.numel() for p in model.parameters()),
        "params_trainable": sum(p.numel() for p in trainable),
        "forward_gflops_per_image": round(flops / 1e9, 1),
        "eval_images_per_second": round(world * b / eval_s, 2),
        "eval_mfu": None if peak is None else round(flops * b / eval_s / (peak * 1e12), 3),
        "peak_tflops": peak,
    }
    for ckpt in (True, False):
        set_checkpointing(model, ckpt)
        if cuda:
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats(device)
        tag = "ckpt" if ckpt else "no_ckpt"
        try:
            micro_s = timed(lambda: (micro(), opt.zero_grad(set_to_none=True)), steps, sync)
            step_s = timed(step, max(1, steps // accum), sync)
        except torch.cuda.OutOfMemoryError:
            out[f"train_{tag}"] = "out of memory"
            continue
        out[f"train_{tag}"] = {
            "micro_step_seconds": round(micro_s, 4), "optimizer_step_seconds": round(step_s, 4),
            "train_images_per_second": round(world * b * accum / step_s, 2),
            "peak_memory_gib": round(torch.cuda.max_memory_allocated(device) / 2**30, 2) if cuda else None}
    return out


def markdown(results: list[dict[str, Any]]) -> str:
    """The block for docs/benchmarks.md: one row per (processes, checkpointing)."""
    rows = ["| device | processes | eval images/s | eval MFU | grad. ckpt | micro-step s (batch) | "
            "optimiser step s (× accum) | train images/s | peak GiB |", "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        for tag, label in (("train_ckpt", "on"), ("train_no_ckpt", "off")):
            t = r[tag]
            if isinstance(t, str):
                rows.append(f"| {r['device']} | {r['processes']} | {r['eval_images_per_second']} | {r['eval_mfu']} | "
                            f"{label} | {t} | | | |")
                continue
            rows.append(f"| {r['device']} | {r['processes']} | {r['eval_images_per_second']} | {r['eval_mfu']} | "
                        f"{label} | {t['micro_step_seconds']} ({r['batch_size']}) | {t['optimizer_step_seconds']} "
                        f"(× {r['grad_accum']}) | {t['train_images_per_second']} | {t['peak_memory_gib']} |")
    head = results[0]
    return (f"{head['backbone']}, {head['image_size']}² ({head['visual_tokens']} visual tokens), "
            f"{head['params_total'] / 1e6:.1f} M parameters ({head['params_trainable'] / 1e6:.1f} M trainable), "
            f"{head['forward_gflops_per_image']} GFLOP per image forward, bf16 peak {head['peak_tflops']} TFLOP/s\n\n"
            + "\n".join(rows))


def launched(args: argparse.Namespace, n: int) -> dict[str, Any]:
    """This script again under `accelerate launch --multi_gpu --num_processes n`; rank 0's figures."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = str(sock.getsockname()[1])
    part = Path(args.out).with_suffix(f".{n}gpu.json")
    cmd = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", str(n),
           "--main_process_port", port, __file__, "--rank-part", str(part), "--steps", str(args.steps)]
    if args.small:
        cmd.append("--small")
    subprocess.run(cmd, check=True)
    return dict(json.loads(part.read_text()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="gpu_check.json", help="JSON file the figures are written to")
    ap.add_argument("--small", action="store_true", help="tiny config (automatic without CUDA)")
    ap.add_argument("--steps", type=int, default=6, help="timed repeats of each measurement (median)")
    ap.add_argument("--peak-tflops", type=float, default=None, help="bf16 peak for the MFU (default: by card name)")
    ap.add_argument("--rank-part", default=None, help=argparse.SUPPRESS)  # set when launched by this script
    args = ap.parse_args()
    cuda = torch.cuda.is_available()
    args.small = args.small or not cuda
    peak = peak_tflops(torch.cuda.get_device_name(0), args.peak_tflops) if cuda else None
    if args.rank_part is not None:  # one rank of the data-parallel measurement
        import torch.distributed as dist
        from accelerate import PartialState

        state = PartialState(cpu=not cuda)
        result = measure(args.small, args.steps, peak, (state.process_index, state.num_processes))
        if state.is_main_process:
            Path(args.rank_part).write_text(json.dumps(result))
        dist.barrier()
        return
    results = [measure(args.small, args.steps, peak, (0, 1))]
    if cuda and torch.cuda.device_count() > 1:
        results.append(launched(args, torch.cuda.device_count()))
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(markdown(results))


if __name__ == "__main__":
    main()
