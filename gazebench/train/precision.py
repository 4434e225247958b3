"""The numeric precision a fit runs in ("fp32" or "bf16" autocast), one policy for fit and predict: trainable
parameters stay fp32; under "bf16" the forward runs in bf16 autocast (on CUDA and, for tests, on CPU)."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

from gazebench.adapter import FitContext
from gazebench.errors import ConfigError

PRECISIONS = ("fp32", "bf16")


def default_precision(device: torch.device) -> str:
    """bf16 on CUDA, fp32 elsewhere (the run's default when no precision is asked for)."""
    return "bf16" if device.type == "cuda" else "fp32"


def fit_precision(ctx: FitContext) -> str:
    """The precision `ctx` asks a fit to run in: `ctx.extras["precision"]`, else the device default."""
    return str(ctx.extras.get("precision", default_precision(ctx.device)))


@contextlib.contextmanager
def autocast(device: torch.device, precision: str) -> Iterator[None]:
    """bf16 autocast on `device` under "bf16", nothing under "fp32"; any other value is a ConfigError."""
    if precision not in PRECISIONS:
        raise ConfigError(f"precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
    if precision == "fp32":
        yield
        return
    with torch.autocast(device.type, dtype=torch.bfloat16):
        yield
