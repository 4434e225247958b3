"""Control targets: shuffled is never the original order, random cells are uniform and reproducible."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gazebench.errors import ConfigError
from gazebench.gaze.controls import CONTROL_KINDS, make_targets, random_targets, sample_rng, shuffled
from gazebench.gaze.targets import ordered_targets
from gazebench.records import Fixations


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=1, max_size=8), st.integers(0, 2**32 - 1))
def test_shuffled_is_a_permutation_that_never_keeps_the_sequence(seq: list[int], seed: int) -> None:
    out = shuffled(np.array(seq), np.random.default_rng(seed))
    assert sorted(out.tolist()) == sorted(seq)
    if len(set(seq)) > 1:
        assert out.tolist() != seq
    else:
        assert out.tolist() == seq


def test_shuffled_reaches_every_other_order() -> None:
    seen = {tuple(shuffled(np.array([1, 2, 3]), np.random.default_rng(s)).tolist()) for s in range(200)}
    assert len(seen) == 5 and (1, 2, 3) not in seen


def test_random_targets_are_uniform_and_reproducible() -> None:
    a = random_targets((16, 16), 4000, np.random.default_rng(5))
    b = random_targets((16, 16), 4000, np.random.default_rng(5))
    assert np.array_equal(a, b) and a.dtype == np.int64
    assert a.min() >= 0 and a.max() < 256
    counts = np.bincount(a, minlength=256)
    assert counts.min() > 0 and counts.max() < 40  # expected 15.6 per cell


def test_random_targets_inside_a_chest_box() -> None:
    box = (500.0, 600.0, 1500.0, 2000.0)  # on a 2000 x 2500 image, 16 x 16 grid: 125 x 156.25 px cells
    cells = random_targets((16, 16), 500, np.random.default_rng(0), box=box, image_size=(2000, 2500))
    rows, cols = np.divmod(cells, 16)
    cx, cy = (cols + 0.5) * 125, (rows + 0.5) * 156.25
    assert ((cx >= 500) & (cx <= 1500) & (cy >= 600) & (cy <= 2000)).all()
    assert len(np.unique(cells)) == 8 * 9  # cols 4..11, rows 4..12


def test_tiny_box_uses_the_cells_it_touches() -> None:
    cells = random_targets((16, 16), 50, np.random.default_rng(0), box=(30, 30, 40, 40), image_size=(448, 448))
    assert set(cells.tolist()) == {17}


def test_box_needs_an_image_size() -> None:
    with pytest.raises(ValueError, match="image_size"):
        random_targets((16, 16), 4, np.random.default_rng(0), box=(0, 0, 10, 10))


def scanpath() -> Fixations:
    t = np.arange(8.0)
    x = np.array([14, 100, 200, 300, 400, 300, 200, 100.0])
    return Fixations(t, t + 0.9, x, x[::-1].copy(), 5.0)


def test_make_targets_per_kind() -> None:
    fix = scanpath()
    original = ordered_targets(fix, (448, 448), (16, 16))
    got = {kind: make_targets(kind, fix, (448, 448), (16, 16), 4, seed=0, sample_key="s1") for kind in CONTROL_KINDS}
    assert got["original"].tolist() == original.tolist()
    assert sorted(got["shuffled"].tolist()) == sorted(original.tolist())
    assert got["shuffled"].tolist() != original.tolist()
    assert got["random"].shape == (4,)
    without_gaze = make_targets("random", None, (448, 448), (16, 16), 4, seed=0, sample_key="s1")
    assert without_gaze.tolist() == got["random"].tolist()


def test_make_targets_is_fixed_per_sample_and_varies_across_samples() -> None:
    fix = scanpath()
    def draw(key: str, seed: int = 3) -> list[int]:
        return make_targets("random", fix, (448, 448), (16, 16), 4, seed=seed, sample_key=key).tolist()

    draws = [draw(f"s{i}") for i in range(20)]
    assert draws == [draw(f"s{i}") for i in range(20)]
    assert len({tuple(d) for d in draws}) > 15
    assert draw("s0", seed=4) != draws[0]


def test_sample_seed_does_not_depend_on_python_hash_salt() -> None:
    code = (
        "from gazebench.gaze.controls import sample_rng;"
        "print(sample_rng(7, 'random', 'dicom-42').integers(0, 2**62))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert int(out) == sample_rng(7, "random", "dicom-42").integers(0, 2**62)


def test_unknown_kind_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="shuffled"):
        make_targets("cross-image", scanpath(), (448, 448), (16, 16), 4, seed=0, sample_key="s")


def test_gaze_controls_need_fixations() -> None:
    with pytest.raises(ValueError, match="needs fixations"):
        make_targets("shuffled", None, (448, 448), (16, 16), 4, seed=0, sample_key="s")


def test_box_larger_than_the_image_covers_the_grid() -> None:
    cells = random_targets((4, 4), 200, np.random.default_rng(1), box=(-50, -50, 2000, 2000), image_size=(400, 400))
    assert set(cells.tolist()) == set(range(16))
