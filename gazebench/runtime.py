"""The runtime policy every layer shares (a leaf: it imports only gazebench.errors): one device and precision
policy for every model and for both fit and predict — CUDA when present, bf16 autocast by default on CUDA,
float32 by default on CPU (`--precision` overrides; CPU bf16 autocast works too) — and the torch thread count.
torch is imported inside the functions, so the CLI can name the choices without importing torch, and a run that
needs no model forward (a finished one) learns its device kind without it where the installed torch settles it."""
from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from importlib.metadata import PackageNotFoundError, version
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


def device_kind(name: str = "auto") -> str:
    """`resolve_device(name)`'s kind ("cpu" or "cuda"), importing torch only when the answer needs it: not for
    `cpu`, nor for `auto` under a CPU-only torch build (its version carries the `+cpu` local tag of PyTorch's CPU
    wheels, which hold no CUDA runtime) while torch is not imported yet."""
    if name == "cpu" or (name == "auto" and "torch" not in sys.modules and _cpu_only_torch()):
        return "cpu"
    return resolve_device(name).type


def _cpu_only_torch() -> bool:
    try:
        return version("torch").endswith("+cpu")
    except PackageNotFoundError:
        return False


def device_type(device: torch.device | str) -> str:
    """"cpu" or "cuda" of a torch device or of a device name ("cuda:1")."""
    return device.partition(":")[0] if isinstance(device, str) else device.type


def resolve_precision(requested: str, device: torch.device | str) -> str:
    """The precision fit and predict run in on `device` (a torch device or its name; "fp32" or "bf16"; recorded
    and hashed)."""
    if requested not in PRECISIONS:
        raise ConfigError(f"--precision must be one of {', '.join(PRECISIONS)}, not {requested!r}")
    if requested == "auto":
        return "bf16" if device_type(device) == "cuda" else "fp32"
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


def default_batch_size(device: torch.device | str) -> int:
    """Batch size when none is given: larger on GPU, where it pays off."""
    return 128 if device_type(device) == "cuda" else 32
