"""The bf16 path on CPU: a tiny VLM fits and predicts under bf16 autocast, its trainable parameters stay fp32."""
from __future__ import annotations

import dataclasses
import json

import numpy as np
import torch
from torch import nn

from fixtures.vlm import SMALL_GAZE, batches
from gazebench.adapter import FitContext
from gazebench.reference_model import GazeTokenAdapter
from gazebench.train import autocast


def test_fit_and_predict_under_bf16_autocast_keep_fp32_parameters(fit_context: FitContext) -> None:
    adapter = GazeTokenAdapter("original", **(SMALL_GAZE | {"epochs_stage2": 1}))
    seen: set[torch.dtype] = set()
    linears = [m for m in adapter.model.modules() if isinstance(m, nn.Linear)]
    hooks = [m.register_forward_hook(lambda _m, _i, out: seen.add(out.dtype)) for m in linears]
    adapter.fit(dataclasses.replace(fit_context, extras={"precision": "bf16"}))
    assert torch.bfloat16 in seen  # the fit's forward ran under bf16 autocast
    trainable = [p for p in adapter.model.parameters() if p.requires_grad]
    assert trainable and all(p.dtype == torch.float32 for p in trainable)
    assert json.loads((fit_context.workdir / "config.json").read_text())["precision"] == "bf16"

    seen.clear()
    with torch.inference_mode(), autocast(torch.device("cpu"), "bf16"):
        probs = np.concatenate([adapter.predict(b).probs for b in batches(fit_context.val, 2, False)])
    for hook in hooks:
        hook.remove()
    assert torch.bfloat16 in seen  # and so did predict
    assert probs.shape == (len(fit_context.val), 14) and np.all((probs >= 0) & (probs <= 1))
