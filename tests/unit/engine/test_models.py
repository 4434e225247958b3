from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from gazebench.adapter import FitContext, get_model
from gazebench.engine.loader import batches, shuffled_batches
from gazebench.models.random import hashed_uniform
from gazebench.records import Sample
from gazebench.task import get_task

CPU = torch.device("cpu")


def test_builtins_are_registered() -> None:
    for name in ("random", "oracle", "cnn"):
        assert get_model(name).spec.labels


def test_random_is_a_stable_hash() -> None:
    assert hashed_uniform(0, "a", "Edema") == hashed_uniform(0, "a", "Edema")
    assert hashed_uniform(0, "a", "Edema") != hashed_uniform(1, "a", "Edema")
    values = np.array([hashed_uniform(0, str(i), "x") for i in range(4000)])
    assert 0 <= values.min() and values.max() < 1 and abs(values.mean() - 0.5) < 0.02


def test_random_depends_on_sample_not_batch(samples: tuple[Sample, ...]) -> None:
    model = get_model("random", seed=3)
    alone = model.classify(next(batches(samples[5:6], model.spec, 1, CPU)).inputs(model.spec)).probs
    within = np.vstack([model.classify(b.inputs(model.spec)).probs for b in batches(samples, model.spec, 8, CPU)])
    assert np.array_equal(alone[0], within[5])


def test_oracle_maps_codes(samples: tuple[Sample, ...]) -> None:
    model = get_model("oracle")
    probs = model.classify(next(batches(samples[:8], model.spec, 8, CPU)).inputs(model.spec)).probs
    raw = np.array([s.labels for s in samples[:8]])
    assert np.array_equal(probs[raw == 1.0], np.ones((raw == 1.0).sum()))
    assert np.all(probs[raw == 0.0] == 0) and np.all(probs[raw == -1.0] == 0.5) and np.all(probs[np.isnan(raw)] == 0)


def test_cnn_fits_and_predicts_deterministically(samples: tuple[Sample, ...], tmp_path: Path) -> None:
    def fitted(work: str) -> np.ndarray:  # a fresh workdir each: the second fit must not resume the first
        model = get_model("cnn", image_size=16, width=4, epochs=3, patience=2, train_batch_size=8)
        ctx = FitContext(task=get_task("mimic-eye"), train=samples[:16], val=samples[16:],
                         batches=shuffled_batches(0, model.spec, CPU), device=CPU, seed=0, workdir=tmp_path / work,
                         log=lambda _: None)
        model.fit(ctx)
        with torch.inference_mode():
            return np.vstack([model.classify(b.inputs(model.spec)).probs for b in batches(samples, model.spec, 5, CPU)])

    a, b = fitted("a"), fitted("b")
    assert a.shape == (len(samples), 14) and np.all((a >= 0) & (a <= 1))
    assert np.array_equal(a, b)


def test_cnn_state_round_trips() -> None:
    a, b = get_model("cnn", width=4), get_model("cnn", width=4)
    b.load_state_dict(a.state_dict())
    x = torch.randn(2, 1, 128, 128)
    a.net.eval()
    b.net.eval()
    assert torch.equal(a.net(x), b.net(x))


@pytest.mark.parametrize("name", ["random", "oracle", "cnn"])
def test_trainable_flag(name: str) -> None:
    assert get_model(name).trainable is (name == "cnn")
