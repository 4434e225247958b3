"""The `sft` / `sft-heatmap` baselines: heatmap KL against hand-computed values, targets, config defaults
tied to the reference model, and a short fit on hand-built samples (checkpoint round trip, stage 1 trains
only the heatmap head)."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from fixtures.vlm import SMALL_SFT, batches, fit_context, make_sample
from gazebench.adapter import get_model, predict_inputs
from gazebench.baselines.sft import SFTAdapter, sft_config
from gazebench.baselines.sft.heatmap import heatmap_kl, heatmap_target, heatmap_targets
from gazebench.errors import ConfigError
from gazebench.reference_model.config import default_config


def test_heatmap_kl_matches_hand_computation() -> None:
    logits = torch.tensor([[0.0, math.log(2.0), math.log(5.0)], [1.0, 1.0, 1.0]])
    target = torch.tensor([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]])
    # row 0: p = (1, 2, 5)/8; KL = .5 ln(.5/(1/8)) + .5 ln(.5/(2/8)) + 0 = .5 ln 4 + .5 ln 2
    kl0 = 0.5 * math.log(4.0) + 0.5 * math.log(2.0)
    # row 1: p uniform; KL = Σ q ln(3q)
    kl1 = sum(q * math.log(3 * q) for q in (0.2, 0.3, 0.5))
    both = heatmap_kl(logits, target, torch.tensor([True, True]))
    assert float(both) == pytest.approx((kl0 + kl1) / 2, rel=1e-6)
    assert float(heatmap_kl(logits, target, torch.tensor([True, False]))) == pytest.approx(kl0, rel=1e-6)
    none = heatmap_kl(logits.requires_grad_(), target, torch.tensor([False, False]))
    assert float(none.detach()) == 0.0 and none.requires_grad
    same = heatmap_kl(torch.log(target[1:] * 7), target[1:], torch.tensor([True]))  # p = q up to scale
    assert float(same) == pytest.approx(0.0, abs=1e-6)


def test_heatmap_kl_gradient_is_p_minus_q() -> None:
    logits = torch.tensor([[0.3, -1.0, 2.0, 0.0]], requires_grad=True)
    q = torch.tensor([[0.1, 0.0, 0.6, 0.3]])
    heatmap_kl(logits, q, torch.tensor([True])).backward()
    assert torch.allclose(logits.grad, torch.softmax(logits.detach(), -1) - q, atol=1e-6)


def test_heatmap_targets_follow_the_reading() -> None:
    sample = make_sample(0)
    q = heatmap_target(sample, (8, 8))
    assert q is not None and q.shape == (64,) and q.sum() == pytest.approx(1.0)
    corners = q[[0, 7, 56, 63]]
    assert int(np.argmax(q)) in (0, 7, 56, 63) and corners == pytest.approx(corners[0], rel=1e-6)  # equal dwell
    assert heatmap_target(make_sample(1, with_gaze=False), (8, 8)) is None
    assert set(heatmap_targets([make_sample(0), make_sample(1, with_gaze=False)], (8, 8))) == {"s0"}


def test_config_inherits_the_reference_budget() -> None:
    ref = default_config("tiny")
    sft, heat = sft_config("tiny"), sft_config("tiny", heatmap=True)
    assert (sft.epochs, sft.epochs_heatmap, sft.lambda_heatmap) == (ref.epochs_stage2, 0, 0.0)
    assert (heat.epochs, heat.epochs_heatmap, heat.lambda_heatmap) == (ref.epochs_stage2, ref.epochs_stage1,
                                                                       ref.lambda_gaze)
    assert (sft.lr, sft.batch_size, sft.lambda_lm, sft.lora_r) == (ref.lr, ref.batch_size, ref.lambda_lm, ref.lora_r)
    real = sft_config("/models/qwen")
    assert (real.image_size, real.lora_vision, real.gradient_checkpointing) == (448, False, True)
    with pytest.raises(ConfigError, match="unknown option"):
        sft_config("tiny", k=4)
    with pytest.raises(ConfigError, match="heatmap=True"):
        sft_config("tiny", lambda_heatmap=0.5)


def test_models_registered_with_their_contracts() -> None:
    sft, heat = get_model("sft"), get_model("sft-heatmap")
    assert isinstance(sft, SFTAdapter) and isinstance(heat, SFTAdapter)
    assert sft.trainable and sft.spec.patch_size is None and not sft.spec.uses_gaze
    assert heat.spec.grid == (8, 8) and heat.spec.uses_gaze
    assert "Qwen2.5-VL" in sft.provenance.citation and "local" in sft.provenance.source


def test_sft_differs_from_sft_heatmap_only_by_the_heatmap_head() -> None:
    plain = set(SFTAdapter(False).model.trainable_state())
    heat = set(SFTAdapter(True).model.trainable_state())
    assert heat - plain == {"gaze_head.query.weight", "gaze_head.query.bias", "gaze_head.key.weight",
                            "gaze_head.key.bias"} and plain <= heat
    assert not any("embed_tokens" in k for k in heat)  # no gaze tokens
    assert any("lora_A" in k for k in plain) and any(k.startswith("label_head") for k in plain)
    full = set(SFTAdapter(False, tuning="full").model.trainable_state())
    assert any("language_model.layers.0.mlp.up_proj.weight" in k for k in full) and not any("lora_" in k for k in full)


def test_sft_heatmap_fit_predict_and_checkpoint(tmp_path: Path) -> None:
    ctx = fit_context(tmp_path / "work")
    adapter = SFTAdapter(True, epochs_heatmap=1, **SMALL_SFT)
    init_head = adapter.model.label_head.linear.weight.detach().clone()
    adapter.fit(ctx)
    stage1 = load_file(str(ctx.workdir / "stage1-heatmap" / "last.safetensors"))
    assert torch.equal(stage1["label_head.linear.weight"], init_head)  # stage 1 trains "where" only
    assert not torch.equal(stage1["gaze_head.query.weight"], SFTAdapter(True).model.gaze_head.query.weight)
    assert (ctx.workdir / "stage2-labels" / "progress.json").is_file()

    group = ctx.val
    x = next(batches(group, 4, False)).pixels
    out = adapter.classify(predict_inputs(group, x, adapter.spec))
    assert out.probs.shape == (4, 14) and out.saliency.shape == (4, 8, 8)
    assert np.allclose(out.saliency.sum(axis=(1, 2)), 1.0, atol=1e-5)
    assert adapter.infer(x).reports[0].count("\n") == 14  # the label head rendered as the fixed report

    fresh = SFTAdapter(True, epochs_heatmap=1, **SMALL_SFT)
    fresh.load_state_dict(adapter.state_dict())
    assert np.allclose(fresh.classify(predict_inputs(group, x, fresh.spec)).probs, out.probs, atol=1e-6)
    with pytest.raises(ConfigError, match="different config"):
        SFTAdapter(True, epochs_heatmap=2, **SMALL_SFT).load_state_dict(adapter.state_dict())
    with pytest.raises(ConfigError, match="no SFTConfig"):
        SFTAdapter(True).load_state_dict({})


def test_sft_fit_has_one_label_stage(tmp_path: Path) -> None:
    ctx = fit_context(tmp_path / "work", n_train=4)
    adapter = SFTAdapter(False, **(SMALL_SFT | {"epochs": 1}))
    adapter.fit(ctx)
    assert sorted(p.name for p in ctx.workdir.iterdir() if p.is_dir()) == ["stage2-labels"]
    out = adapter.classify(next(batches(ctx.val, 4, False)).inputs(adapter.spec))
    assert out.saliency is None and ((out.probs >= 0) & (out.probs <= 1)).all()
