"""The `sft` / `sft-heatmap` baselines: heatmap KL against hand-computed values, targets, config defaults
tied to the reference model, and a short fit on hand-built samples (checkpoint round trip, stage 1 trains
only the heatmap head)."""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from gazebench.baselines.sft import SFTAdapter, sft_config
from gazebench.baselines.sft.heatmap import heatmap_kl, heatmap_target, heatmap_targets
from gazebench.reference_model.config import default_config
from safetensors.torch import load_file

from gazebench.adapter import FitContext, ImageBatch, get_model
from gazebench.errors import ConfigError
from gazebench.labels import CHEXPERT_LABELS
from gazebench.records import Fixations, GazeRecord, Sample
from gazebench.task import get_task

SMALL = {"epochs": 2, "batch_size": 4, "patience": 5}


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny models run faster single-threaded on a shared, loaded CPU; restored afterwards."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def make_sample(i: int, split: str = "train", with_gaze: bool = True) -> Sample:
    """Label 0 positive for odd i; the radiologist looks at the top-left then bottom-right of a 1000×800 image."""
    rng = np.random.default_rng(i)
    labels = [float(rng.integers(0, 2)) for _ in CHEXPERT_LABELS]
    labels[0] = float(i % 2)
    t = np.array([0.0, 1.0])
    fix = Fixations(t, t + 0.5, np.array([62.5, 937.5]), np.array([50.0, 750.0]), pixels_per_degree=20.0)
    gaze = (GazeRecord("reflacx", f"R{i}", (1000, 800), fix),) if with_gaze else ()
    return Sample(f"s{i}", f"p{i}", f"st{i}", Path(f"/nonexistent/{i}.png"), tuple(labels), split, "PA", gaze)


def batches(samples: tuple[Sample, ...], batch_size: int, shuffle: bool) -> Iterator[ImageBatch]:
    for k in range(0, len(samples), batch_size):
        group = samples[k:k + batch_size]
        x = torch.stack([torch.randn(3, 224, 224, generator=torch.Generator().manual_seed(int(s.sample_id[1:])))
                         + 2.0 * s.labels[0] for s in group])
        yield ImageBatch(group, x)


def context(tmp_path: Path) -> FitContext:
    train = tuple(make_sample(i, with_gaze=i != 3) for i in range(8))
    val = tuple(make_sample(100 + i, "validate") for i in range(4))
    return FitContext(task=get_task("mimic-eye"), train=train, val=val, batches=batches,
                      device=torch.device("cpu"), seed=0, workdir=tmp_path / "work", log=lambda _: None)


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
    assert int(np.argmax(q)) in (0, 63) and q[0] == pytest.approx(q[63], rel=1e-6)  # equal dwell, two corners
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
    assert heat - plain == {"heatmap_head.query.weight", "heatmap_head.query.bias", "heatmap_head.key.weight",
                            "heatmap_head.key.bias"} and plain <= heat
    assert not any("embed_tokens" in k for k in heat)  # no gaze tokens
    assert any("lora_A" in k for k in plain) and any(k.startswith("label_head") for k in plain)


def test_sft_heatmap_fit_predict_and_checkpoint(tmp_path: Path) -> None:
    ctx = context(tmp_path)
    adapter = SFTAdapter(True, epochs_heatmap=1, **SMALL)
    init_head = adapter.model.label_head.linear.weight.detach().clone()
    adapter.fit(ctx)
    stage1 = load_file(str(ctx.workdir / "stage1-heatmap" / "last.safetensors"))
    assert torch.equal(stage1["label_head.linear.weight"], init_head)  # stage 1 trains "where" only
    assert not torch.equal(stage1["heatmap_head.query.weight"], SFTAdapter(True).model.heatmap_head.query.weight)
    assert (ctx.workdir / "stage2-labels" / "progress.json").is_file()

    group = ctx.val
    x = next(batches(group, 4, False)).pixels
    out = adapter.predict(ImageBatch(group, x))
    assert out.probs.shape == (4, 14) and out.saliency.shape == (4, 8, 8)
    assert np.allclose(out.saliency.sum(axis=(1, 2)), 1.0, atol=1e-5)
    assert out.reports is not None and out.reports[0].count("\n") == 14

    fresh = SFTAdapter(True, epochs_heatmap=1, **SMALL)
    fresh.load_state_dict(adapter.state_dict())
    assert np.allclose(fresh.predict(ImageBatch(group, x)).probs, out.probs, atol=1e-6)
    with pytest.raises(ConfigError, match="different config"):
        SFTAdapter(True, epochs_heatmap=2, **SMALL).load_state_dict(adapter.state_dict())
    with pytest.raises(ConfigError, match="no SFT config"):
        SFTAdapter(True).load_state_dict({})


def test_sft_fit_has_one_label_stage(tmp_path: Path) -> None:
    ctx = dataclasses.replace(context(tmp_path), train=tuple(make_sample(i) for i in range(4)))
    adapter = SFTAdapter(False, **(SMALL | {"epochs": 1}))
    adapter.fit(ctx)
    assert sorted(p.name for p in ctx.workdir.iterdir() if p.is_dir()) == ["stage2-labels"]
    out = adapter.predict(next(batches(ctx.val, 4, False)))
    assert out.saliency is None and ((out.probs >= 0) & (out.probs <= 1)).all()
