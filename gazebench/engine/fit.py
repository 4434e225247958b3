"""Fit once, reuse forever: fitted adapters are cached as safetensors + JSON under a fingerprint.

fingerprint = sha256(model name, adapter.config(), train-data manifest sha256, seed, content digests of the
local weights the model loads, device kind, precision, gazebench version); meta.json records the same facts.
The paths of those weights are not keyed (each is its role's placeholder in the config: gazebench.weight_paths).
Loading reads tensors only (safetensors), never unpickles. The torch thread count is recorded in meta.json
but not keyed: torch's CPU reductions may round differently with it, so a fresh fit can differ in the last
float bits, and the cache is what keeps later runs on identical weights. The key needs no torch (a finished
run computes it for its identity); torch and safetensors are imported where weights are read or written.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gazebench.adapter import Adapter, FitContext
from gazebench.data.digest import path_digest
from gazebench.engine.config import RunConfig
from gazebench.engine.rundir import atomic_write_json
from gazebench.paths import cache_dir
from gazebench.runtime import device_type, resolve_precision
from gazebench.weight_paths import redact

if TYPE_CHECKING:
    import torch


def fingerprint(model: str, adapter_config: dict[str, Any], train_data_sha: str, seed: int,
                weights: dict[str, str], device_kind: str, precision: str) -> str:
    """The checkpoint key: anything that could change the fitted weights is in it, including the content
    digests of the local weights the model starts from (by role), the device kind and the resolved precision,
    so a bf16 CUDA fit is never reused on CPU in fp32, nor the reverse."""
    import gazebench

    payload = {"model": model, "config": adapter_config, "data": train_data_sha, "seed": seed,
               "weights": weights, "device_kind": device_kind, "precision": precision,
               "gazebench": gazebench.__version__}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def run_fingerprint(config: RunConfig, adapter: Adapter, train_data_sha: str, device: torch.device | str) -> str:
    """`fingerprint` of `adapter` fitted under `config` on `device` (a torch device or its name: only its kind
    counts; the key `evaluate` and the lm-eval bridge both cache fits by)."""
    return fingerprint(config.model, fit_config(adapter), train_data_sha, config.seed, weights_digests(adapter),
                       device_type(device), resolve_precision(config.precision, device))


def fit_config(adapter: Adapter) -> dict[str, Any]:
    """`adapter.config()` with the paths of its local weights as role placeholders: the weights count by
    content (`weights_digests`), so a copy of a checkpoint in another folder reuses the fit."""
    return dict(redact(adapter.config(), adapter.weights()))


def weight_locations(adapter: Adapter) -> dict[str, str]:
    """Where each local weight file or folder of `adapter` lies (absolute), by role: recorded, never keyed."""
    return {role: os.path.abspath(path) for role, path in sorted(adapter.weights().items())}


def weights_digests(adapter: Adapter) -> dict[str, str]:
    """Content digest of each local weight file or checkpoint folder the adapter loads, by role (cached, so
    a snapshot is read once)."""
    return {role: path_digest(path) for role, path in sorted(adapter.weights().items())}


def checkpoint_dir(fp: str) -> Path:
    return cache_dir() / "checkpoints" / fp


def load_or_fit(adapter: Adapter, fp: str, make_context: Callable[[Path], FitContext],
                log: Callable[[str], None]) -> bool:
    """Restore `adapter` from the cache if `fp` is there, else fit and cache it; True if it was reused."""
    import torch
    from safetensors.torch import load_file

    target = checkpoint_dir(fp)
    weights = target / "model.safetensors"
    if weights.is_file() and (target / "meta.json").is_file():
        adapter.load_state_dict(load_file(str(weights), device="cpu"))
        log(f"reusing fitted model {fp[:12]} from {target}")
        return True
    workdir = target.parent / f"{fp}.work"
    workdir.mkdir(parents=True, exist_ok=True)
    ctx = make_context(workdir)
    started = time.perf_counter()
    adapter.fit(ctx)
    meta = {"fingerprint": fp, "adapter": type(adapter).__qualname__, "config": fit_config(adapter),
            "seed": ctx.seed, "n_train": len(ctx.train), "n_val": len(ctx.val),
            "fit_seconds": round(time.perf_counter() - started, 3), "torch_threads": torch.get_num_threads(),
            "weights_sha256": weights_digests(adapter), "device_kind": ctx.device.type, "precision": ctx.precision}
    save_checkpoint(adapter.state_dict(), meta, target)
    shutil.rmtree(workdir, ignore_errors=True)
    log(f"fitted in {meta['fit_seconds']} s; cached as {target}")
    return False


def save_checkpoint(state: dict[str, torch.Tensor], meta: dict[str, Any], target: Path) -> None:
    """Write weights + meta into a temp folder, then rename it into place (a racing writer's copy wins)."""
    from safetensors.torch import save_file

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        save_file({k: v.detach().to("cpu").contiguous() for k, v in state.items()}, str(tmp / "model.safetensors"))
        atomic_write_json(tmp / "meta.json", meta)
        try:
            os.rename(tmp, target)
        except OSError:
            if not (target / "model.safetensors").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

