"""Measure the reference model at real scale: a Qwen2.5-VL-7B-shaped backbone with random weights (published
config, built in code — no download) at 448×448 (256 visual tokens), LoRA r=16 on the LLM, bf16 on one GPU.

Prints peak GPU memory and median time of a training micro-step (forward + backward + AdamW) and of an
inference batch. Usage (on a CUDA machine):

    python benchmarks/reference_7b.py --batch-size 4 --steps 6
    python benchmarks/reference_7b.py --no-grad-ckpt          # memory/time without gradient checkpointing
    python benchmarks/reference_7b.py --backbone tiny --device cpu --image-size 224   # smoke test of the script

The estimate these numbers check is in docs/reference_model.md ("Real scale").
"""
from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np
import torch

from gazebench.reference_model.config import default_config
from gazebench.vlm.backbone import build_backbone
from gazebench.vlm.model import GazeVLM
from gazebench.vlm.report import render_report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backbone", default="qwen2.5-vl-7b-shape")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--image-size", type=int, default=448)
    ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--no-grad-ckpt", action="store_true")
    args = ap.parse_args()
    device = torch.device(args.device)
    cuda = device.type == "cuda"
    dtype = torch.bfloat16 if cuda else torch.float32
    cfg = default_config(args.backbone, image_size=args.image_size, gradient_checkpointing=not args.no_grad_ckpt)
    t0 = time.perf_counter()
    backbone = build_backbone(cfg.backbone, cfg.k, cfg.seed, dtype, device)
    model = GazeVLM(backbone, cfg).to(device)
    build_s = time.perf_counter() - t0
    n_total = sum(p.numel() for p in model.parameters())
    n_train = sum(p.numel() for p in model.parameters() if p.requires_grad)
    b = args.batch_size
    rng = np.random.default_rng(0)
    pixels = torch.randn(b, 3, cfg.image_size, cfg.image_size, device=device)
    reports = [render_report(rng.random(14) > 0.7) for _ in range(b)]
    labels = torch.from_numpy((rng.random((b, 14)) > 0.7).astype(np.float32)).to(device)
    gaze = torch.from_numpy(rng.integers(0, cfg.grid[0] * cfg.grid[1], (b, cfg.k))).to(device)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=cfg.lr)
    autocast = torch.autocast("cuda", dtype=torch.bfloat16) if cuda else torch.autocast("cpu", enabled=False)

    def sync() -> None:
        if cuda:
            torch.cuda.synchronize()

    def train_step() -> None:
        model.train()
        with autocast:
            out = model(pixels, reports)
            loss = (torch.nn.functional.binary_cross_entropy_with_logits(out.label_logits.float(), labels)
                    + cfg.lambda_lm * out.lm_loss
                    + cfg.lambda_gaze * torch.nn.functional.cross_entropy(out.gaze_logits.flatten(0, 1).float(),
                                                                          gaze.flatten()))
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    def infer() -> None:
        model.eval()
        with torch.inference_mode(), autocast:
            model(pixels)

    if cuda:
        torch.cuda.reset_peak_memory_stats()
    times = {}
    for name, fn in (("train_step", train_step), ("inference", infer)):
        fn()  # warm-up
        sync()
        runs = []
        for _ in range(args.steps):
            t = time.perf_counter()
            fn()
            sync()
            runs.append(time.perf_counter() - t)
        times[name] = statistics.median(runs)
    seq_len = len(model.prompts.build(reports).input_ids[0])
    print(json.dumps({
        "backbone": cfg.backbone, "device": torch.cuda.get_device_name(device) if cuda else "cpu",
        "image_size": cfg.image_size, "visual_tokens": cfg.grid[0] * cfg.grid[1], "seq_len": seq_len,
        "batch_size": b, "gradient_checkpointing": cfg.gradient_checkpointing,
        "params_total": n_total, "params_trainable": n_train, "build_seconds": round(build_s, 1),
        "train_step_seconds": round(times["train_step"], 4),
        "train_images_per_second": round(b / times["train_step"], 2),
        "inference_batch_seconds": round(times["inference"], 4),
        "inference_images_per_second": round(b / times["inference"], 2),
        "peak_memory_gib": round(torch.cuda.max_memory_allocated(device) / 2**30, 2) if cuda else None,
    }, indent=2))


if __name__ == "__main__":
    main()
