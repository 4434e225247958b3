"""Training text derived from labels only (never from reports): MedCLIP's class-prompt sentences,
each with the 14-d label vector of what it states."""
from __future__ import annotations

import numpy as np

from gazebench.baselines.clip.prompts import NO_FINDING, all_prompts
from gazebench.labels import CHEXPERT_LABELS, LABEL_INDEX


def positive_findings(raw: np.ndarray) -> list[str]:
    """Labels coded 1 (positive) in a raw 14-code vector, No Finding excluded, in CHEXPERT_LABELS order."""
    return [label for i, label in enumerate(CHEXPERT_LABELS) if raw[i] == 1.0 and label != NO_FINDING]


def prompt_for(label: str, rng: np.random.Generator) -> str:
    """One random prompt of `label`'s table."""
    pool = all_prompts(label)
    return pool[int(rng.integers(len(pool)))]


def label_sentence(raw: np.ndarray, rng: np.random.Generator) -> tuple[str, np.ndarray]:
    """A sentence about one randomly chosen positive finding (a normal-study sentence when there is none)
    and its one-hot text label, as MedCLIP samples class prompts for images without report sentences."""
    found = positive_findings(raw)
    label = found[int(rng.integers(len(found)))] if found else NO_FINDING
    text_label = np.zeros(len(CHEXPERT_LABELS))
    text_label[LABEL_INDEX[label]] = 1.0
    return prompt_for(label, rng), text_label


def label_sentences(raw: np.ndarray, rng: np.random.Generator, limit: int) -> list[str]:
    """One sentence per positive finding (at most `limit`), or one normal-study sentence: a label-derived
    stand-in report for images without dictation."""
    found = positive_findings(raw) or [NO_FINDING]
    return [prompt_for(label, rng) for label in found[:limit]]
