"""The `egma` adapter without the engine: samples with hand-built REFLACX-style gaze and dictation."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

from gazebench.adapter import FitContext, TrainBatch, get_model
from gazebench.baselines.egma.adapter import EGMAAdapter, dictated_record, stable_fraction
from gazebench.errors import ConfigError
from gazebench.labels import LABEL_INDEX
from gazebench.records import Fixations, GazeRecord, Sample, Word
from gazebench.task import get_task

SMALL = {"image_size": 32, "proj_dim": 16, "prompts_per_class": 3, "epochs": 1, "batch_size": 6}
SIZE = 400  # original image side, pixels


def reading(i: int) -> GazeRecord:
    """Two sentences: the first looked at in the top-left quadrant, the second in the bottom-right."""
    fix = Fixations(np.array([0.2, 0.8, 3.0, 3.6]), np.array([0.6, 1.2, 3.4, 4.0]),
                    np.array([50.0, 150.0, 350.0, 360.0]), np.array([50.0, 50.0, 350.0, 340.0]), 10.0)
    words = (Word("pleural", 1.0, 1.3), Word("effusion", 1.3, 1.8), Word(".", 1.8, 1.9),
             Word("heart", 3.5, 3.8), Word("is", 3.8, 3.9), Word("normal", 3.9, 4.2), Word(".", 4.2, 4.3))
    return GazeRecord("reflacx", f"case{i}", (SIZE, SIZE), fix, words)




def make_samples(n: int, split: str, with_gaze: bool = True) -> tuple[Sample, ...]:
    out = []
    for i in range(n):
        raw = np.full(14, np.nan)
        raw[LABEL_INDEX["Pleural Effusion" if i % 2 else "No Finding"]] = 1.0
        gaze = (reading(i),) if with_gaze and i % 3 != 2 else ()  # every third image has no dictation
        out.append(Sample(f"{split}{i}", f"p{i}", f"s{i}", Path(f"{i}.png"), tuple(raw), split, gaze=gaze))
    return tuple(out)


def batches(samples: tuple[Sample, ...], size: int, shuffle: bool):
    order = np.random.default_rng(1).permutation(len(samples)) if shuffle else np.arange(len(samples))
    for a in range(0, len(samples), size):
        chunk = tuple(samples[j] for j in order[a : a + size])
        pix = torch.stack([torch.randn(3, 32, 32, generator=torch.Generator().manual_seed(int(s.sample_id[-1])))
                           + 1.5 * (s.labels[LABEL_INDEX["Pleural Effusion"]] == 1.0) for s in chunk])
        yield TrainBatch(chunk, pix)


def context(tmp_path: Path, log: list[str], with_gaze: bool = True) -> FitContext:
    return FitContext(task=get_task("mimic-eye"), train=make_samples(12, "train", with_gaze),
                      val=make_samples(6, "val"), batches=batches, device=torch.device("cpu"), seed=0,
                      workdir=tmp_path, log=log.append)


def test_registered_with_gaze_in_its_contract() -> None:
    adapter = get_model("egma", **SMALL)
    assert isinstance(adapter, EGMAAdapter) and adapter.spec.uses_gaze and adapter.trainable
    assert adapter.cfg.alpha == 0.8 and EGMAAdapter().cfg.prompts_per_class == 50
    assert get_model("egma", image_encoder="tiny").spec.image_size == 64
    assert "NeurIPS 2024" in adapter.provenance.citation
    with pytest.raises(ConfigError, match=r"gaze_ratio=1.5: expected a number in \[0, 1\] \(egma\)"):
        get_model("egma", gaze_ratio=1.5)


def test_dictated_record_and_stable_fraction() -> None:
    sample = make_samples(2, "train")[0]
    assert dictated_record(sample) is sample.gaze[0]
    bare = GazeRecord("eyegaze", "x", (SIZE, SIZE), Fixations.empty(), sample.gaze[0].words)
    assert dictated_record(Sample("a", "p", "s", Path("a"), (np.nan,) * 14, gaze=(bare,))) is None
    assert stable_fraction(0, "abc") == stable_fraction(0, "abc") != stable_fraction(1, "abc")
    assert 0.0 <= stable_fraction(3, "x") < 1.0


def test_fit_uses_gaze_then_forgets_the_dictation(tmp_path: Path) -> None:
    log: list[str] = []
    adapter = get_model("egma", **SMALL)
    adapter.fit(context(tmp_path, log))
    assert "egma: 8/12 train images with dictation, 8 with gaze targets on a (4, 4) grid" in log
    assert adapter._dictation == {}
    assert all("pleural" not in k and "normal" not in k for k in adapter.state_dict())
    log.clear()
    get_model("egma", **SMALL, gaze_ratio=0.0).fit(context(tmp_path, log))
    assert "egma: 8/12 train images with dictation, 0 with gaze targets on a (4, 4) grid" in log


def test_a_few_steps_decrease_the_egma_loss_and_gaze_adds_a_term(tmp_path: Path) -> None:
    torch.manual_seed(0)
    adapter = get_model("egma", **SMALL)
    samples = make_samples(6, "train")
    grid = adapter.model.patch_grid(32)
    from gazebench.baselines.egma.sentence_heatmaps import binarise, sentence_heatmaps

    for s in samples:
        if s.gaze:
            texts, maps = sentence_heatmaps(s.gaze[0], grid)
            adapter._dictation[s.sample_id] = (texts, binarise(maps))
    gaze_targets = adapter._dictation[samples[0].sample_id][1]
    assert np.flatnonzero(gaze_targets[0]).tolist() == [0, 1] and np.flatnonzero(gaze_targets[1]).tolist() == [15]
    batch = next(batches(samples, 6, False))
    optimiser = torch.optim.Adam(adapter.model.parameters(), lr=1e-3)
    adapter.model.train()
    losses = []
    for _ in range(5):
        loss = adapter.training_loss(adapter.model, batch, np.random.default_rng(0))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(float(loss.detach()))
    assert losses[-1] < losses[0]
    with_gaze = float(adapter.training_loss(adapter.model, batch, np.random.default_rng(0)).detach())
    adapter._dictation = {k: (t, None) for k, (t, _) in adapter._dictation.items()}
    without = float(adapter.training_loss(adapter.model, batch, np.random.default_rng(0)).detach())
    assert with_gaze > without > 0


def test_predict_and_state_dict_round_trip(tmp_path: Path) -> None:
    adapter = get_model("egma", **SMALL)
    adapter.fit(context(tmp_path, [], with_gaze=False))  # label-derived sentences only
    test = next(batches(make_samples(3, "test"), 3, False)).inputs(adapter.spec)
    probs = adapter.classify(test).probs
    assert probs.shape == (3, 14) and np.all((probs >= 0) & (probs <= 1))
    save_file(adapter.state_dict(), str(tmp_path / "egma.safetensors"))
    fresh = get_model("egma", **SMALL)
    fresh.load_state_dict(load_file(str(tmp_path / "egma.safetensors")))
    assert np.allclose(fresh.classify(test).probs, probs, atol=1e-6)
    with pytest.raises(RuntimeError):
        fresh.load_state_dict({"nope": torch.zeros(1)})
