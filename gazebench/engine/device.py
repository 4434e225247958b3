"""One device and precision policy for every model: CUDA with bf16 autocast when present, else CPU float32."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

from gazebench.errors import ConfigError


def resolve_device(name: str = "auto") -> torch.device:
    """`auto` picks CUDA when available; asking for CUDA on a machine without it is a user error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ConfigError("--device cuda was asked for but no CUDA device is available (use --device cpu)")
    if name not in ("cpu", "cuda"):
        raise ConfigError(f"unknown device {name!r} (use auto, cpu or cuda)")
    return torch.device(name)


def precision(device: torch.device) -> str:
    """The numeric precision predictions are computed in on `device` (recorded and hashed)."""
    return "bf16-autocast" if device.type == "cuda" else "float32"


@contextlib.contextmanager
def inference(device: torch.device) -> Iterator[None]:
    """No-grad inference context, with bf16 autocast on CUDA."""
    with torch.inference_mode():
        if device.type == "cuda":
            with torch.autocast("cuda", dtype=torch.bfloat16):
                yield
        else:
            yield


@contextlib.contextmanager
def torch_threads(n: int | None) -> Iterator[int]:
    """Run with `n` torch intra-op threads (None: leave torch's setting), restoring the old count after;
    yields the count in effect."""
    before = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(n)
    try:
        yield torch.get_num_threads()
    finally:
        torch.set_num_threads(before)


def default_batch_size(device: torch.device) -> int:
    """Batch size when none is given: larger on GPU, where it pays off."""
    return 128 if device.type == "cuda" else 32
