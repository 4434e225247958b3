"""GazeVLM shapes, learning on a small batch, LoRA leaving the backbone untouched and full tuning training all of
it, save/load round-trip."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from fixtures.vlm import SMALL_GAZE, batches
from gazebench.adapter import ImageBatch
from gazebench.errors import ConfigError
from gazebench.reference_model import GazeTokenAdapter, default_config
from gazebench.train import label_targets
from gazebench.vlm.backbone import build_backbone
from gazebench.vlm.model import GazeVLM
from gazebench.vlm.objective import Supervision, VLMObjective
from gazebench.vlm.report import parse_report


def test_forward_shapes() -> None:
    model = GazeTokenAdapter("original").model
    out = model(torch.zeros(3, 3, 224, 224))
    assert out.gaze_logits.shape == (3, 4, 64) and out.label_logits.shape == (3, 14) and out.lm_loss is None
    big = GazeTokenAdapter("original", image_size=336, k=2).model(torch.zeros(1, 3, 336, 336))
    assert big.gaze_logits.shape == (1, 2, 144)
    plain = GazeVLM(build_backbone("tiny", k=0), default_config("tiny", k=0))  # the baselines' plain VLM
    out = plain(torch.zeros(2, 3, 224, 224))
    assert out.gaze_logits is None and out.label_logits.shape == (2, 14) and plain.gaze_head is None
    pointed = GazeVLM(build_backbone("tiny", k=0), default_config("tiny", k=0), pointer=True)  # one query
    assert pointed(torch.zeros(2, 3, 224, 224)).gaze_logits.shape == (2, 1, 64)


def test_training_steps_lower_the_loss_and_leave_the_backbone_alone(fit_context) -> None:  # noqa: ANN001
    adapter = GazeTokenAdapter("original", lora_dropout=0.0)
    model = adapter.model
    frozen = {n: p.detach().clone() for n, p in model.named_parameters() if not p.requires_grad}
    trained = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
    train = fit_context.train
    labels = label_targets(fit_context, train)
    sup = Supervision({s.sample_id: labels[i] for i, s in enumerate(train)}, adapter.target_terms(train, 0))
    objective = VLMObjective(sup, torch.device("cpu"), with_reports=True)
    batch = next(batches(fit_context.train, 4, False))
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=5e-3)
    model.train()
    history = []
    for _ in range(10):
        terms = objective(model, batch)
        loss = terms["gaze"] + terms["bce"] + terms["lm"]
        history.append({k: float(v.detach()) for k, v in terms.items()})
        opt.zero_grad()
        loss.backward()
        opt.step()
    for key, factor in (("gaze", 0.8), ("bce", 0.8), ("lm", 0.95)):  # the LM learns through rank-8 LoRA only
        assert history[-1][key] < factor * history[0][key], (key, history[0][key], history[-1][key])
    for n, p in model.named_parameters():
        if not p.requires_grad:
            assert torch.equal(p, frozen[n]), n
    changed = [n for n, p in model.named_parameters() if p.requires_grad and not torch.equal(p, trained[n])]
    assert any("lora_B" in n for n in changed) and any("trainable_tokens_delta" in n for n in changed)
    assert any(n.startswith("gaze_head") for n in changed) and any(n.startswith("label_head") for n in changed)


def test_full_tuning_trains_every_backbone_weight_and_saves_them(fit_context) -> None:  # noqa: ANN001
    assert GazeTokenAdapter("original").cfg.tuning == "lora"  # the default (measured better on tiny, see config)
    adapter = GazeTokenAdapter("original", tuning="full")
    assert adapter.config()["tuning"] == "full"  # in the run identity
    model = adapter.model
    assert all(p.requires_grad for p in model.parameters()) and not any("lora_" in n for n, _ in
                                                                        model.named_parameters())
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    train = fit_context.train
    labels = label_targets(fit_context, train)
    sup = Supervision({s.sample_id: labels[i] for i, s in enumerate(train)}, adapter.target_terms(train, 0))
    batch = next(batches(train, 4, False))
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3)
    model.train()
    terms = VLMObjective(sup, torch.device("cpu"), with_reports=True)(model, batch)
    (terms["gaze"] + terms["bce"] + terms["lm"]).backward()
    opt.step()
    changed = {n for n, p in model.named_parameters() if not torch.equal(p, before[n])}
    assert any(".visual." in n for n in changed) and any("language_model.layers.1." in n for n in changed)
    state = adapter.state_dict()
    assert sum(v.numel() for k, v in state.items() if not k.startswith("__")) == sum(
        p.numel() for p in model.parameters())
    again = GazeTokenAdapter("original", tuning="full")
    again.load_state_dict(state)
    assert all(torch.equal(p, dict(model.named_parameters())[n]) for n, p in again.model.named_parameters())
    with pytest.raises(ConfigError, match="different config.*tuning"):
        GazeTokenAdapter("original").load_state_dict(state)


def test_state_dict_round_trip_and_predictions(fit_context) -> None:  # noqa: ANN001
    a = GazeTokenAdapter("shuffled", **SMALL_GAZE)
    with torch.no_grad():
        for p in a.model.parameters():
            if p.requires_grad:
                p.add_(0.05 * torch.randn_like(p))
    state = a.state_dict()
    assert all("base_layer" not in k and "lora_" in k or "head" in k or "delta" in k or k.startswith("__")
               for k in state)
    assert sum(v.numel() for v in state.values()) < 0.5 * sum(p.numel() for p in a.model.parameters())
    b = GazeTokenAdapter("shuffled", **SMALL_GAZE)
    b.load_state_dict(state)
    batch: ImageBatch = next(batches(fit_context.val, 4, False)).inputs(a.spec)
    pa, pb = a.classify(batch), b.classify(batch)
    np.testing.assert_allclose(pa.probs, pb.probs, rtol=1e-5, atol=1e-6)
    assert np.array_equal(pa.gaze, pb.gaze) and pa.gaze.shape == (4, 4) and pa.gaze.max() < 64
    assert pa.saliency.shape == (4, 8, 8)
    np.testing.assert_allclose(pa.saliency.sum(axis=(1, 2)), 1.0, rtol=1e-5)
    for probs, report in zip(pa.probs, a.infer(batch.pixels).reports, strict=True):
        assert (parse_report(report) == (probs >= 0.5)).all()
    with pytest.raises(ConfigError, match="different config"):
        GazeTokenAdapter("random", **SMALL_GAZE).load_state_dict(state)
    with pytest.raises(ConfigError, match="k >= 1"):
        GazeTokenAdapter("original", k=0)


def test_inference_gives_patch_centres(fit_context) -> None:  # noqa: ANN001
    adapter = GazeTokenAdapter("original")
    res = adapter.infer(next(batches(fit_context.val, 2, False)).pixels)
    rows, cols = adapter.cfg.grid
    assert res.gaze_xy.shape == (2, 4, 2)
    np.testing.assert_allclose(res.gaze_xy[..., 0], (res.gaze % cols + 0.5) * 28)
    np.testing.assert_allclose(res.gaze_xy[..., 1], (res.gaze // cols + 0.5) * 28)


def test_a_checkpointed_build_and_training_step_raise_no_checkpointing_future_warning() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for tuning in ("lora", "full"):
            model = GazeVLM(build_backbone("tiny", k=4), default_config("tiny", gradient_checkpointing=True,
                                                                         tuning=tuning))
            assert model.qwen.is_activation_checkpointing
            model.train()
            model(torch.zeros(2, 3, 224, 224)).label_logits.sum().backward()
            assert model.label_head.linear.weight.grad is not None
    stale = [str(w.message) for w in caught
             if issubclass(w.category, FutureWarning) and "checkpointing" in str(w.message)]
    assert not stale
