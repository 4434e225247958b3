"""MedCLIP's semantic-matching loss and soft targets against hand computations."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from gazebench.baselines.medclip.loss import label_codes, semantic_matching_loss, soft_targets


def _softmax(row: list[float]) -> list[float]:
    e = [math.exp(v) for v in row]
    return [v / sum(e) for v in e]


IMAGE_LABELS = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, -1.0], [1.0, 1.0, 0.0]])
TEXT_LABELS = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
LOGITS = torch.tensor([[2.0, 0.0, -1.0], [0.5, 1.0, 3.0], [1.0, -2.0, 0.0]])


def test_soft_targets_are_row_softmax_of_label_dot_products() -> None:
    # dot products: image 0 → [1, 0, 0]; image 1 → [0, -1, 1]; image 2 → [1, 0, 1]
    expected = [_softmax([1, 0, 0]), _softmax([0, -1, 1]), _softmax([1, 0, 1])]
    got = soft_targets(IMAGE_LABELS, TEXT_LABELS)
    assert np.allclose(got.numpy(), np.array(expected), atol=1e-6)
    assert got[0].tolist() == pytest.approx([math.e / (math.e + 2), 1 / (math.e + 2), 1 / (math.e + 2)], abs=1e-6)


def test_semantic_matching_loss_matches_hand_computation_on_3x3() -> None:
    dots = [[1, 0, 0], [0, -1, 1], [1, 0, 1]]  # image i · text j
    logits = LOGITS.tolist()

    def soft_xent(scores: list[list[float]], sims: list[list[float]]) -> float:
        total = 0.0
        for s_row, y_row in zip(scores, sims, strict=True):
            target = _softmax(y_row)
            log_z = math.log(sum(math.exp(v) for v in s_row))
            total -= sum(t * (s - log_z) for t, s in zip(target, s_row, strict=True))
        return total / len(scores)

    transpose = [list(col) for col in zip(*logits, strict=True)]
    dots_t = [list(col) for col in zip(*dots, strict=True)]
    expected = 0.5 * (soft_xent(logits, dots) + soft_xent(transpose, dots_t))
    got = semantic_matching_loss(LOGITS, IMAGE_LABELS, TEXT_LABELS)
    assert float(got) == pytest.approx(expected, rel=1e-6)


def test_semantic_matching_loss_with_one_hot_labels_is_the_clip_loss() -> None:
    eye = torch.eye(3) * 50.0  # near-hard targets: softmax of 50·I is one-hot to float precision
    clip = 0.5 * (torch.nn.functional.cross_entropy(LOGITS, torch.arange(3))
                  + torch.nn.functional.cross_entropy(LOGITS.T, torch.arange(3)))
    got = semantic_matching_loss(LOGITS, eye, torch.eye(3))
    assert float(got) == pytest.approx(float(clip), rel=1e-5)


def test_label_codes_turn_blanks_into_zero_and_keep_uncertain() -> None:
    raw = np.array([1.0, np.nan, -1.0, 0.0])
    assert label_codes(raw).tolist() == [1.0, 0.0, -1.0, 0.0]
