"""One precision policy for fit and predict: auto is bf16 on CUDA and fp32 on CPU; bf16 autocast works on
CPU too, so a tiny VLM is fitted and predicts under it here, with its trainable weights kept in fp32."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from fixtures.vlm import SMALL_GAZE, batches, fit_context
from gazebench.errors import ConfigError
from gazebench.reference_model import GazeTokenAdapter
from gazebench.runtime import autocast, inference, resolve_precision


def test_auto_resolves_per_device_and_explicit_choices_stand() -> None:
    cpu, cuda = torch.device("cpu"), torch.device("cuda")
    assert (resolve_precision("auto", cpu), resolve_precision("auto", cuda)) == ("fp32", "bf16")
    assert (resolve_precision("bf16", cpu), resolve_precision("fp32", cuda)) == ("bf16", "fp32")
    with pytest.raises(ConfigError, match="--precision"):
        resolve_precision("fp16", cpu)


def test_cpu_autocast_follows_the_precision() -> None:
    layer = torch.nn.Linear(4, 4)
    x = torch.ones(2, 4)
    cpu = torch.device("cpu")
    with inference(cpu, "bf16"):
        assert layer(x).dtype == torch.bfloat16
    with inference(cpu, "fp32"), autocast(cpu, "auto"):
        assert layer(x).dtype == torch.float32
    assert layer.weight.dtype == torch.float32


def test_tiny_vlm_fits_and_predicts_under_cpu_bf16_autocast(tmp_path: Path) -> None:
    ctx = dataclasses.replace(fit_context(tmp_path / "work", n_train=4, n_val=4), precision="bf16")
    adapter = GazeTokenAdapter("original", **{**SMALL_GAZE, "epochs_stage2": 1})
    seen: set[torch.dtype] = set()
    hook = adapter.model.label_head.register_forward_hook(lambda _m, _i, out: seen.add(out.dtype))
    adapter.fit(ctx)
    hook.remove()
    assert torch.bfloat16 in seen  # the fit's forwards ran under autocast
    trainable = [p for p in adapter.model.parameters() if p.requires_grad]
    assert trainable and all(p.dtype == torch.float32 for p in trainable)
    assert all(v.dtype == torch.float32 for v in adapter.state_dict().values() if v.is_floating_point())
    assert json.loads((ctx.workdir / "config.json").read_text())["precision"] == "bf16"  # keyed into resume
    batch = next(batches(ctx.val, 4, False))
    with inference(ctx.device, "bf16"):
        out = adapter.classify(batch.inputs(adapter.spec))
    probs = np.asarray(out.probs)
    assert probs.shape == (4, 14) and np.isfinite(probs).all() and ((probs >= 0) & (probs <= 1)).all()
