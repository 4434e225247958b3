"""Mid-training checkpoints as safetensors + JSON (never pickles): trainable tensors, AdamW state, progress."""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file


def save_tensors(tensors: dict[str, torch.Tensor], path: Path) -> None:
    """Atomic safetensors write (temp file + os.replace)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    save_file({k: v.detach().to("cpu").contiguous() for k, v in tensors.items()}, str(tmp))
    os.replace(tmp, path)


def load_tensors(path: Path) -> dict[str, torch.Tensor]:
    return load_file(str(path), device="cpu")


def save_json(data: dict[str, Any], path: Path) -> None:
    """Atomic JSON write."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True))
    os.replace(tmp, path)


def load_json(path: Path) -> dict[str, Any] | None:
    return json.loads(path.read_text()) if path.is_file() else None


def load_params(params: Mapping[str, torch.Tensor], state: Mapping[str, torch.Tensor]) -> None:
    """Copy `state` into the named parameters (to each one's device and dtype); a missing or an extra name
    is a ValueError listing them, so a checkpoint never half-loads."""
    missing, extra = sorted(set(params) - set(state)), sorted(set(state) - set(params))
    if missing or extra:
        raise ValueError(f"trainable state mismatch: missing {missing[:3]}, unexpected {extra[:3]}")
    with torch.no_grad():
        for name, p in params.items():
            p.copy_(state[name].to(p.device, p.dtype))


def optimizer_tensors(optimizer: torch.optim.Optimizer, names: dict[int, str]) -> dict[str, torch.Tensor]:
    """Flatten per-parameter optimizer state to `{param_name}::{key}` tensors (`names`: id(param) → name)."""
    out: dict[str, torch.Tensor] = {}
    for group in optimizer.param_groups:
        for p in group["params"]:
            for key, value in optimizer.state.get(p, {}).items():
                out[f"{names[id(p)]}::{key}"] = torch.as_tensor(value).detach().cpu().clone()
    return out


def restore_optimizer(optimizer: torch.optim.Optimizer, tensors: dict[str, torch.Tensor],
                      names: dict[int, str]) -> None:
    """Inverse of `optimizer_tensors` (the optimizer must hold the same named parameters)."""
    for group in optimizer.param_groups:
        for p in group["params"]:
            prefix = f"{names[id(p)]}::"
            state = {k[len(prefix):]: v if k.endswith("::step") else v.to(p.device)  # AdamW keeps `step` on CPU
                     for k, v in tensors.items() if k.startswith(prefix)}
            if state:
                optimizer.state[p] = state
