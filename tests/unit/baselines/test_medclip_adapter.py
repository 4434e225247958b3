"""The `medclip` adapter without the engine: hand-built samples and TrainBatches, tiny encoders at 32 px."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file
from transformers import AutoModel, BertConfig, SwinConfig

from gazebench.adapter import FitContext, TrainBatch, get_model
from gazebench.baselines.clip.encoders import TINY_BERT, TINY_SWIN
from gazebench.baselines.clip.tokenizer import tiny_tokenizer
from gazebench.baselines.medclip.adapter import MedCLIPAdapter
from gazebench.errors import ConfigError
from gazebench.labels import LABEL_INDEX
from gazebench.records import Sample
from gazebench.task import get_task

SMALL = {"image_size": 32, "proj_dim": 16, "prompts_per_class": 3, "epochs": 2, "batch_size": 8}
FINDINGS = ("No Finding", "Pleural Effusion", "Cardiomegaly", "Atelectasis")




def make_samples(n: int, split: str) -> tuple[Sample, ...]:
    out = []
    for i in range(n):
        raw = np.full(14, np.nan)
        raw[LABEL_INDEX[FINDINGS[i % len(FINDINGS)]]] = 1.0
        out.append(Sample(f"{split}{i}", f"p{i}", f"s{i}", Path(f"{i}.png"), tuple(raw), split))
    return tuple(out)


def pixels_for(samples: tuple[Sample, ...]) -> torch.Tensor:
    """Deterministic images whose brightness pattern depends on the finding (learnable)."""
    out = []
    for s in samples:
        gen = torch.Generator().manual_seed(int(s.sample_id.lstrip("abcdefghijklmnopqrstuvwxyz")))
        img = torch.randn(3, 32, 32, generator=gen) * 0.3
        k = int(np.nanargmax(s.label_array))
        img[:, (k % 4) * 8 : (k % 4) * 8 + 8, :] += 2.0
        out.append(img)
    return torch.stack(out)


def batches(samples: tuple[Sample, ...], size: int, shuffle: bool):
    order = np.random.default_rng(0).permutation(len(samples)) if shuffle else np.arange(len(samples))
    for a in range(0, len(samples), size):
        chunk = tuple(samples[j] for j in order[a : a + size])
        yield TrainBatch(chunk, pixels_for(chunk))


def context(tmp_path: Path, log: list[str]) -> FitContext:
    return FitContext(task=get_task("mimic-eye"), train=make_samples(16, "train"), val=make_samples(8, "val"),
                      batches=batches, device=torch.device("cpu"), seed=0, workdir=tmp_path, log=log.append)


def test_registered_and_declares_its_input_contract() -> None:
    adapter = get_model("medclip", **SMALL)
    assert isinstance(adapter, MedCLIPAdapter) and adapter.trainable
    assert adapter.spec.image_size == 32 and adapter.spec.channels == 3
    assert adapter.spec.mean == pytest.approx((0.5862785803,) * 3) and not adapter.spec.uses_gaze
    assert adapter.config()["model"] == "medclip" and "MedCLIP" in adapter.provenance.citation
    assert MedCLIPAdapter().spec.image_size == 64  # the tiny CPU default


def test_predict_gives_14_probabilities_independent_of_batch_composition() -> None:
    adapter = get_model("medclip", **SMALL)
    batch = next(batches(make_samples(4, "test"), 4, False)).inputs(adapter.spec)
    probs = adapter.classify(batch).probs
    assert probs.shape == (4, 14) and probs.dtype == np.float64
    assert np.all((probs >= 0) & (probs <= 1))
    single = np.concatenate([adapter.classify(b.inputs(adapter.spec)).probs
                             for b in batches(make_samples(4, "test"), 1, False)])
    assert np.allclose(probs, single, atol=1e-5)


def test_a_few_steps_decrease_the_semantic_matching_loss() -> None:
    torch.manual_seed(0)
    adapter = get_model("medclip", **SMALL)
    batch = next(batches(make_samples(8, "train"), 8, False))
    optimiser = torch.optim.Adam(adapter.model.parameters(), lr=1e-3)
    adapter.model.train()
    losses = []
    for _ in range(6):
        loss = adapter.training_loss(adapter.model, batch, np.random.default_rng(0))  # same sentences every step
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(float(loss.detach()))
    assert losses[-1] < losses[0]


def test_fit_then_state_dict_round_trip_through_safetensors(tmp_path: Path) -> None:
    log: list[str] = []
    adapter = get_model("medclip", **SMALL)
    test = next(batches(make_samples(4, "test"), 4, False)).inputs(adapter.spec)
    before = adapter.classify(test).probs
    adapter.fit(context(tmp_path, log))
    after = adapter.classify(test).probs
    assert not np.allclose(before, after) and any("medclip epoch 2: contrastive=" in m and "val_score=" in m
                                                  for m in log)
    save_file(adapter.state_dict(), str(tmp_path / "m.safetensors"))
    fresh = get_model("medclip", **SMALL)
    fresh.load_state_dict(load_file(str(tmp_path / "m.safetensors")))
    assert np.allclose(fresh.classify(test).probs, after, atol=1e-6)
    # the same file also serves as init_weights
    init = get_model("medclip", **SMALL, init_weights=str(tmp_path / "m.safetensors"))
    assert np.allclose(init.classify(test).probs, after, atol=1e-6)


def test_real_weights_path_loads_local_directories_offline(tmp_path: Path) -> None:
    torch.manual_seed(1)
    vision = AutoModel.from_config(SwinConfig(image_size=32, **TINY_SWIN))
    tokenizer = tiny_tokenizer()
    text = AutoModel.from_config(BertConfig(vocab_size=len(tokenizer), **TINY_BERT))
    vision.save_pretrained(tmp_path / "swin")
    text.save_pretrained(tmp_path / "bert")
    tokenizer.save_pretrained(tmp_path / "bert")
    adapter = get_model("medclip", image_encoder=str(tmp_path / "swin"), text_encoder=str(tmp_path / "bert"),
                        image_size=32, proj_dim=16, prompts_per_class=3)
    assert adapter.cfg.lr == 2e-5 and adapter.cfg.image_size == 32  # real-weights preset, overridable
    loaded = adapter.model.vision_model.model.state_dict()
    assert all(torch.equal(loaded[k], v) for k, v in vision.state_dict().items())
    assert torch.equal(adapter.model.text_model.model.embeddings.word_embeddings.weight,
                       text.embeddings.word_embeddings.weight)
    assert adapter.model.tokenizer("mild atelectasis")["input_ids"] == tokenizer("mild atelectasis")["input_ids"]
    probs = adapter.classify(next(batches(make_samples(2, "test"), 2, False)).inputs(adapter.spec)).probs
    assert probs.shape == (2, 14)
    assert get_model("medclip", image_encoder=str(tmp_path / "swin")).spec.image_size == 224


def test_bad_options_are_one_line_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown option"):
        get_model("medclip", learning_rate=1.0)
    with pytest.raises(ConfigError, match=r"epochs=3.5: expected an integer in \[1, "):
        get_model("medclip", epochs="3.5")
    with pytest.raises(ConfigError, match=r"batch_size=1: expected an integer in \[2, "):
        get_model("medclip", batch_size=1)
    with pytest.raises(ConfigError, match="image encoder is not a directory"):
        get_model("medclip", image_encoder=str(tmp_path / "missing"))
    save_file({"bogus": torch.zeros(1)}, str(tmp_path / "bad.safetensors"))
    with pytest.raises(ConfigError, match="do not match"):
        get_model("medclip", **SMALL, init_weights=str(tmp_path / "bad.safetensors"))
