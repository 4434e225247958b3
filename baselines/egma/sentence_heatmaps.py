"""Sentence-level gaze heatmaps (EGMA): the dictation is split into sentences at "." tokens, and each
sentence gets the duration-weighted gaze heatmap of the fixations made while it was prepared and spoken,
pooled on the image encoder's patch grid and binarised into multi-label patch targets.

Window: a fixation belongs to a sentence if it overlaps [t_start − `before`, t_end] (default `before` = 2 s,
as in GazeX's sentence heatmaps: radiologists look first, then dictate). Sentence text stays in memory."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gazebench.gaze.heatmap import gaze_heatmap
from gazebench.gaze.scanpath import EmptyScanpath
from gazebench.records import Fixations, GazeRecord, Word

SENTENCE_END = "."
WINDOW_BEFORE_S = 2.0


@dataclass(frozen=True)
class Sentence:
    """One dictated sentence and the time span of its words (the closing "." included)."""

    text: str
    t_start: float
    t_end: float


def split_sentences(words: Sequence[Word]) -> tuple[Sentence, ...]:
    """Sentences ending at "." tokens; "," and "." are not sentence words; a trailing unfinished sentence
    counts; sentences with no words are dropped."""
    sentences: list[Sentence] = []
    current: list[Word] = []
    for word in (*words, None):
        if word is not None and word.text.strip() != SENTENCE_END:
            current.append(word)
            continue
        spoken = [w.text.strip() for w in current if w.text.strip() not in {",", SENTENCE_END, ""}]
        if spoken:
            end = word.t_end if word is not None else current[-1].t_end
            sentences.append(Sentence(" ".join(spoken), current[0].t_start, end))
        current = []
    return tuple(sentences)


def fixations_between(fix: Fixations, start: float, end: float) -> Fixations:
    """The fixations whose [t_start, t_end] overlaps [start, end]."""
    keep = (fix.t_end >= start) & (fix.t_start <= end)
    return Fixations(fix.t_start[keep], fix.t_end[keep], fix.x[keep], fix.y[keep], fix.pixels_per_degree)


def sentence_heatmaps(record: GazeRecord, grid: tuple[int, int],
                      before: float = WINDOW_BEFORE_S) -> tuple[tuple[str, ...], np.ndarray]:
    """(sentence texts, (T, rows, cols) heatmaps each summing to 1, or all zeros when no on-image fixation
    falls in the sentence's window)."""
    sentences = split_sentences(record.words)
    maps = np.zeros((len(sentences), *grid))
    for i, s in enumerate(sentences):
        try:
            maps[i] = gaze_heatmap(fixations_between(record.fixations, s.t_start - before, s.t_end),
                                   record.image_size, grid)
        except EmptyScanpath:
            pass
    return tuple(s.text for s in sentences), maps


GAZE_THRESHOLD = 1e-4
"""EGMA binarises `hm > 0` on truncated Gaussians; pooled exact-CDF heatmaps also hold float tails far
below any real mass (e.g. Φ(−20) ≈ 1e-89), so cells under 1e-4 × the peak count as unlooked-at."""


def binarise(maps: np.ndarray, threshold: float = GAZE_THRESHOLD) -> np.ndarray:
    """(T, rows, cols) heatmaps → (T, rows·cols) 0/1 targets: cell > threshold × the sentence's maximum
    (threshold 0 is EGMA's literal `hm > 0`); an all-zero map gives an all-zero row."""
    flat = maps.reshape(len(maps), -1)
    peak = flat.max(axis=1, keepdims=True) if flat.size else np.zeros((len(maps), 1))
    return ((flat > threshold * peak) & (flat > 0)).astype(np.float32)
