"""EGMA sentence-level gaze heatmaps from a hand-built scanpath and word timings."""
from __future__ import annotations

import numpy as np
import pytest

from gazebench.baselines.egma.sentence_heatmaps import (
    Sentence,
    binarise,
    fixations_between,
    sentence_heatmaps,
    split_sentences,
)
from gazebench.records import Fixations, GazeRecord, Word


def words(*spec: tuple[str, float]) -> tuple[Word, ...]:
    return tuple(Word(text, t, t + 0.2) for text, t in spec)


DICTATION = words(
    ("small", 5.0), (",", 5.2), ("left", 5.4), ("effusion", 5.8), (".", 6.0),
    ("heart", 10.0), ("normal", 10.8), (".", 11.0),
    ("no", 20.0), ("pneumothorax", 20.5), (".", 21.0),
    ("lines", 30.0), ("unchanged", 30.4),
)
# 800×800 image on a 4×4 grid (200-px cells); sigma = 5 px keeps each fixation inside its cell
FIXATIONS = Fixations(
    t_start=np.array([0.0, 3.5, 5.2, 8.5, 10.5, 12.0, 29.0]),
    t_end=np.array([0.5, 4.0, 5.6, 9.0, 11.0, 12.5, 29.5]),
    x=np.array([100.0, 300.0, 500.0, 700.0, 100.0, -50.0, 500.0]),
    y=np.array([100.0, 100.0, 500.0, 700.0, 700.0, 100.0, 100.0]),
    pixels_per_degree=5.0,
)
RECORD = GazeRecord("reflacx", "case", (800, 800), FIXATIONS, DICTATION)


def test_split_sentences_at_full_stops() -> None:
    got = split_sentences(DICTATION)
    assert got == (
        Sentence("small left effusion", 5.0, 6.2),
        Sentence("heart normal", 10.0, 11.2),
        Sentence("no pneumothorax", 20.0, 21.2),
        Sentence("lines unchanged", 30.0, 30.4 + 0.2),
    )
    assert split_sentences(words((".", 1.0), (".", 2.0))) == ()


def test_fixations_between_keeps_overlapping_fixations() -> None:
    got = fixations_between(FIXATIONS, 3.0, 6.2)
    assert got.t_start.tolist() == [3.5, 5.2] and got.pixels_per_degree == 5.0
    assert fixations_between(FIXATIONS, 0.4, 0.45).t_start.tolist() == [0.0]


def test_sentence_heatmaps_use_the_window_before_each_sentence() -> None:
    texts, maps = sentence_heatmaps(RECORD, (4, 4), before=2.0)
    assert texts == ("small left effusion", "heart normal", "no pneumothorax", "lines unchanged")
    assert maps.shape == (4, 4, 4)
    targets = binarise(maps)
    # sentence 1: fixations at 3.5 s (cell 1) and 5.2 s (cell 10); the one at 0 s is too early
    assert np.flatnonzero(targets[0]).tolist() == [1, 10]
    assert maps[0].reshape(-1)[1] == pytest.approx(0.5 / 0.9, abs=1e-4)  # duration-weighted
    # sentence 2: 8.5 s (cell 15) and 10.5 s (cell 12)
    assert np.flatnonzero(targets[1]).tolist() == [12, 15]
    # sentence 3: no fixation within [18, 21.2] → empty map; sentence 4: 29 s (cell 2)
    assert maps[2].sum() == 0 and targets[2].sum() == 0
    assert np.flatnonzero(targets[3]).tolist() == [2]
    assert np.allclose(maps[[0, 1, 3]].sum(axis=(1, 2)), 1.0)
    # a shorter look-back drops the 3.5 s fixation from sentence 1
    _, narrow = sentence_heatmaps(RECORD, (4, 4), before=0.5)
    assert np.flatnonzero(binarise(narrow)[0]).tolist() == [10]


def test_binarise_threshold_is_relative_to_each_sentence_peak() -> None:
    maps = np.array([[[0.6, 0.3], [0.1, 1e-80]], [[0.0, 0.0], [0.0, 0.0]]])
    assert binarise(maps).tolist() == [[1, 1, 1, 0], [0, 0, 0, 0]]
    assert binarise(maps, 0.0).tolist() == [[1, 1, 1, 1], [0, 0, 0, 0]]
    assert binarise(maps, 0.4).tolist() == [[1, 1, 0, 0], [0, 0, 0, 0]]
    assert binarise(maps).dtype == np.float32
