"""Contract tests over every registered model (timm-style): a declared input contract and track, and
predictions of the right shape and range that do not depend on which other images share the batch."""
from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

import numpy as np
import pytest
import torch

from gazebench.adapter import MODELS, TRACKS, Adapter, get_model, predict_inputs
from gazebench.engine.loader import pixels
from gazebench.labels import CHEXPERT_LABELS
from gazebench.task import get_task

INSTALLED = sorted({ep.name for ep in entry_points(group=MODELS.group)})
"""Every model installed through the entry-point group (not the models tests register in-process)."""


@pytest.fixture(scope="module")
def samples(small_root: Path) -> tuple:
    dataset = get_task("mimic-eye").load(small_root)
    return dataset.samples[:3]


def _predict(model: Adapter, samples: tuple) -> object:
    with torch.no_grad():
        return model.classify(predict_inputs(samples, pixels(samples, model.spec), model.spec))


@pytest.mark.parametrize("name", INSTALLED)
def test_model_honours_its_contract(name: str, samples: tuple, model_args: dict[str, dict[str, object]]) -> None:
    model = get_model(name, **model_args.get(name, {}))
    spec = model.spec
    assert spec.image_size > 0 and spec.channels in (1, 3)
    assert set(spec.labels) <= set(CHEXPERT_LABELS) and len(set(spec.labels)) == len(spec.labels)
    assert model.provenance.source and model.provenance.license

    out = _predict(model, samples)
    assert out.probs.shape == (len(samples), len(spec.labels))
    assert np.isfinite(out.probs).all() and (out.probs >= 0).all() and (out.probs <= 1).all()
    if out.gaze is not None:
        rows, cols = spec.grid
        assert out.gaze.shape[0] == len(samples)
        assert out.gaze.min() >= 0 and out.gaze.max() < rows * cols
    if out.saliency is not None:
        assert out.saliency.shape == (len(samples), *spec.grid)
        assert (out.saliency >= 0).all()

    alone = _predict(model, samples[1:2])
    np.testing.assert_allclose(alone.probs[0], out.probs[1], atol=1e-5,
                               err_msg=f"{name}: a prediction depends on the rest of its batch")


@pytest.mark.parametrize("name", INSTALLED)
def test_model_declares_a_track_and_only_oracle_reads_labels(name: str,
                                                            model_args: dict[str, dict[str, object]]) -> None:
    spec = get_model(name, **model_args.get(name, {})).spec
    assert spec.track in TRACKS
    assert spec.privileged is (name == "oracle"), f"{name}: only the oracle reference may read the labels"
