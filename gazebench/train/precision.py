"""The numeric precision a fit runs in: the run's (FitContext.precision, "fp32" or "bf16"), one policy for fit and
predict (gazebench.runtime.autocast): trainable parameters stay fp32; under "bf16" the forward runs in bf16
autocast (on CUDA and, for tests, on CPU)."""
from __future__ import annotations

from gazebench.adapter import FitContext
from gazebench.runtime import resolve_precision


def fit_precision(ctx: FitContext) -> str:
    """The precision `ctx` asks a fit to run in, resolved for its device ("fp32" or "bf16")."""
    return resolve_precision(ctx.precision, ctx.device)
