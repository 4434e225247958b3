"""SIIM RLE: Kaggle's relative, column-major semantics, checked against Kaggle's own rle2mask loop."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gazebench.data.rle import decode_rle, encode_rle


def kaggle_rle2mask(rle: str, width: int, height: int) -> np.ndarray:
    """Kaggle `mask_functions.rle2mask` (then `.T`, as every kernel does): the reference semantics."""
    mask = np.zeros(width * height, dtype=bool)
    values = [int(x) for x in rle.split()]
    position = 0
    for start, length in zip(values[0::2], values[1::2], strict=True):
        position += start
        mask[position:position + length] = True
        position += length
    return mask.reshape(width, height).T


def test_known_example_is_a_column_major_square() -> None:
    mask = decode_rle("1 2 1022 2")
    assert np.argwhere(mask).tolist() == [[1, 0], [1, 1], [2, 0], [2, 1]]
    assert not decode_rle(" -1").any() and not decode_rle("").any()


def test_non_square_frame() -> None:
    mask = decode_rle("3 2", height=4, width=3)  # pixels 3,4 column-major: (3,0) and (0,1)
    assert np.argwhere(mask).tolist() == [[0, 1], [3, 0]]


@pytest.mark.parametrize("bad", ["1 2 3", "1 -2", "a b", "0 1048577"])
def test_bad_rle_is_a_value_error(bad: str) -> None:
    with pytest.raises(ValueError):
        decode_rle(bad)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(1, 30)), max_size=8))
def test_matches_kaggle_and_round_trips(pairs: list[tuple[int, int]]) -> None:
    pairs = [(s if i == 0 else max(s, 1), n) for i, (s, n) in enumerate(pairs)]  # runs never touch
    rle = " ".join(f"{s} {n}" for s, n in pairs)
    if sum(s + n for s, n in pairs) > 32 * 32:
        return
    mask = decode_rle(rle or "-1", 32, 32)
    assert np.array_equal(mask, kaggle_rle2mask(rle, 32, 32))
    assert encode_rle(mask) == (rle or "-1")


def test_union_of_regions() -> None:
    union = decode_rle("0 3", 8, 8) | decode_rle("2 3", 8, 8)
    assert union[:, 0].tolist() == [True] * 5 + [False] * 3
