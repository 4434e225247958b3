"""Probe input transforms: what each alters, and that a transform enters the run identity only when set."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gazebench.engine.config import ResolvedConfig, RunConfig
from gazebench.engine.transforms import InputTransform, input_transform, swap_images
from gazebench.errors import ConfigError
from gazebench.records import Fixations, GazeRecord, Sample

NAN14 = (float("nan"),) * 14


def sample(i: int, patient: str, gaze: tuple[GazeRecord, ...] = ()) -> Sample:
    return Sample(f"s{i}", patient, f"st{i}", Path(f"/img/{i}.jpg"), NAN14, gaze=gaze)


def test_swap_gives_every_image_another_patients_image() -> None:
    samples = [sample(i, f"p{i // 2}") for i in range(7)]
    swapped = swap_images(samples, seed=3)
    owner = {s.image_path: s.patient_id for s in samples}
    for before, after in zip(samples, swapped, strict=True):
        assert after.sample_id == before.sample_id and after.labels == before.labels
        assert owner[after.image_path] != before.patient_id
    with pytest.raises(ConfigError, match="two patients"):
        swap_images([sample(0, "p"), sample(1, "p")], seed=0)


def test_pixel_transforms() -> None:
    grey = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4) / 24
    assert np.all(InputTransform("blank", 0).pixels(grey) == 0.5)
    np.testing.assert_array_equal(InputTransform("flip", 0).pixels(grey), grey[:, :, ::-1])
    np.testing.assert_array_equal(InputTransform("swap-image", 0).pixels(grey), grey)


def test_shuffle_gaze_keeps_places_and_times_but_not_order() -> None:
    n = 30
    fx = Fixations(np.arange(n, dtype=float), np.arange(n) + 0.5, np.arange(n, dtype=float), np.arange(n) * 2.0)
    reading = GazeRecord("reflacx", "r1", (100, 100), fx)
    (out,) = InputTransform("shuffle-gaze", 0).samples([sample(0, "p", (reading,))])
    got = out.gaze[0].fixations
    np.testing.assert_array_equal(got.t_start, fx.t_start)
    assert sorted(got.x) == sorted(fx.x) and not np.array_equal(got.x, fx.x)
    np.testing.assert_array_equal(got.y, got.x * 2.0)  # each fixation keeps its (x, y) place


def test_shuffle_gaze_refused_for_models_without_test_time_gaze() -> None:
    from gazebench.adapter import InputSpec

    with pytest.raises(ConfigError, match="no gaze at test time"):
        input_transform("shuffle-gaze", 0, InputSpec())
    with pytest.raises(ConfigError, match="not one of"):
        InputTransform("rotate", 0)


def test_transform_is_hashed_only_when_set() -> None:
    plain = ResolvedConfig(RunConfig(model="cnn", tasks=("rsna",)))
    probed = ResolvedConfig(RunConfig(model="cnn", tasks=("rsna",), input_transform="blank"))
    assert "input_transform" not in plain.hashed_payload()
    assert probed.hashed_payload()["input_transform"] == "blank"
    assert plain.config_hash != probed.config_hash
