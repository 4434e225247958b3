"""Closed-set VQA training questions for an image, in the Medical-CXR-VQA question forms (Hu et al., 2023,
"Medical-CXR-VQA"; the `cxr-vqa` task's format): view, abnormality and per-label presence, answered from the
image's labels under the task's label policy and its view. An image's own `Sample.questions` are used where
present. The presence question of each label is also what classification asks (gazex reads P(yes) from it)."""
from __future__ import annotations

import numpy as np

from gazebench.gaze.controls import sample_rng
from gazebench.labels import CHEXPERT_LABELS
from gazebench.records import Sample

ENTITY: dict[str, str] = {label: label.lower() for label in CHEXPERT_LABELS} | {
    "Enlarged Cardiomediastinum": "enlarged cardiomediastinum", "Pleural Other": "pleural thickening"}
"""CheXpert label → the entity name Medical-CXR-VQA questions use."""
ABNORMALITY = "is there evidence of any abnormalities in this image?"
"""Answered "no" exactly when No Finding is positive; classification reads No Finding as P(no) to it."""


def presence_question(label: str) -> str:
    """The question whose P(yes) scores `label` (No Finding: the abnormality question, read as P(no))."""
    return ABNORMALITY if label == "No Finding" else f"is there evidence of {ENTITY[label]} in this image?"


def label_questions(targets: np.ndarray, view: str) -> list[tuple[str, str]]:
    """(question, answer) pairs from one image's (14,) 0/1/NaN label targets (NaN: not asked) and its view."""
    out = [("which view is this image taken?", f"{view.lower()} view")] if view else []
    for label, value in zip(CHEXPERT_LABELS, targets, strict=True):
        if np.isfinite(value):
            yes = value > 0.5 if label != "No Finding" else value < 0.5
            out.append((presence_question(label), "yes" if yes else "no"))
    return out


def training_questions(sample: Sample, targets: np.ndarray, k: int, seed: int) -> list[tuple[str, str]]:
    """Up to `k` (question, answer) pairs for `sample`: its own questions if it has any, else generated from
    its labels and view; chosen per sample by a seeded draw."""
    pairs = ([(q.text, q.answer) for q in sample.questions] if sample.questions
             else label_questions(targets, sample.view))
    chosen = sample_rng(seed, "gazex-vqa", sample.sample_id).permutation(len(pairs))[:k]
    return [pairs[i] for i in sorted(chosen)]
