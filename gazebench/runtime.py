"""The runtime policy every layer shares (a leaf: it imports only gazebench.errors): one device and precision
policy for every model and for both fit and predict — CUDA when present, bf16 autocast by default on CUDA,
float32 by default on CPU (`--precision` overrides; CPU bf16 autocast works too) — and the torch thread count.
torch is imported inside the functions, so the CLI can name the choices without importing torch."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from gazebench.errors import ConfigError

if TYPE_CHECKING:
    import torch

DEVICES = ("auto", "cpu", "cuda")
"""`--device`: auto is CUDA when available."""
PRECISIONS = ("auto", "fp32", "bf16")
"""`--precision`: auto is bf16 autocast on CUDA and float32 on CPU (the resolved one is hashed)."""


def resolve_device(name: str = "auto") -> torch.device:
    """`auto` picks CUDA when available; asking for CUDA on a machine without it is a user error."""
    import torch

    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ConfigError("--device cuda was asked for but no CUDA device is available (use --device cpu)")
    if name not in ("cpu", "cuda"):
        raise ConfigError(f"unknown device {name!r} (use auto, cpu or cuda)")
    return torch.device(name)


def resolve_precision(requested: str, device: torch.device) -> str:
    """The precision fit and predict run in on `device` ("fp32" or "bf16"; recorded and hashed)."""
    if requested not in PRECISIONS:
        raise ConfigError(f"--precision must be one of {', '.join(PRECISIONS)}, not {requested!r}")
    if requested == "auto":
        return "bf16" if device.type == "cuda" else "fp32"
    return requested


def autocast(device: torch.device, precision: str) -> contextlib.AbstractContextManager[object]:
    """bf16 autocast on `device` (CUDA or CPU) when `precision` resolves to bf16, else no change: parameters
    stay float32 either way (trainable weights are never stored in bf16)."""
    import torch

    if resolve_precision(precision, device) == "bf16":
        return torch.autocast(device.type, dtype=torch.bfloat16)
    return contextlib.nullcontext()


@contextlib.contextmanager
def inference(device: torch.device, precision: str = "auto") -> Iterator[None]:
    """No-grad inference context under the run's precision policy (see `autocast`)."""
    import torch

    with torch.inference_mode(), autocast(device, precision):
        yield


@contextlib.contextmanager
def torch_threads(n: int | None) -> Iterator[int]:
    """Run with `n` torch intra-op threads (None: leave torch's setting), restoring the old count after;
    yields the count in effect."""
    import torch

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
