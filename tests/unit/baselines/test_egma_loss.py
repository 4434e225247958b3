"""EGMA's ZLPR multi-label loss, FILIP similarity/loss and gaze-guided loss against hand computations."""
from __future__ import annotations

import math

import pytest
import torch

from gazebench.baselines.egma.loss import filip_loss, filip_similarity, gaze_guided_loss, zlpr_loss


def log1p_sum(*exponents: float) -> float:
    return math.log(1.0 + sum(math.exp(e) for e in exponents))


def test_zlpr_matches_the_formula() -> None:
    scores = torch.tensor([[2.0, -1.0, 0.5], [0.0, 3.0, -2.0]])
    targets = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])
    got = zlpr_loss(scores, targets).tolist()
    assert got[0] == pytest.approx(log1p_sum(-1.0, 0.5) + log1p_sum(-2.0), rel=1e-6)
    assert got[1] == pytest.approx(log1p_sum(0.0) + log1p_sum(-3.0, 2.0), rel=1e-6)


def test_zlpr_edge_cases_and_masking() -> None:
    scores = torch.tensor([2.0, -1.0, 0.5])
    assert float(zlpr_loss(scores, torch.zeros(3))) == pytest.approx(log1p_sum(2.0, -1.0, 0.5), rel=1e-6)
    assert float(zlpr_loss(scores, torch.ones(3))) == pytest.approx(log1p_sum(-2.0, 1.0, -0.5), rel=1e-6)
    valid = torch.tensor([True, True, False])
    got = zlpr_loss(scores, torch.tensor([1.0, 0.0, 0.0]), valid)
    assert float(got) == pytest.approx(log1p_sum(-1.0) + log1p_sum(-2.0), rel=1e-6)
    scores.requires_grad_(True)
    zlpr_loss(scores * 1.0, torch.tensor([1.0, 0.0, 1.0]), valid).backward()
    assert torch.isfinite(scores.grad).all() and float(scores.grad[2]) == 0.0


PATCHES = torch.tensor([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [1.0, 0.0]]])
SENTENCES = torch.tensor([[[-1.0, 0.0], [0.0, 0.0]], [[0.0, 1.0], [1.0, 0.0]]])
MASK = torch.tensor([[True, False], [True, True]])


def test_filip_similarity_by_hand_ignores_padded_sentences() -> None:
    image_side, text_side = filip_similarity(PATCHES, SENTENCES, MASK, torch.tensor(2.0))
    # scale 1: S_I = [[-0.5, 1], [-1, 1]], S_T = [[0, 1], [-1, 0.5]]; a padded zero sentence would give 0s
    assert image_side.tolist() == [[-1.0, 2.0], [-2.0, 2.0]]
    assert text_side.tolist() == [[0.0, 2.0], [-2.0, 1.0]]


def test_filip_loss_is_the_mean_of_two_row_wise_cross_entropies() -> None:
    image_side, text_side = filip_similarity(PATCHES, SENTENCES, MASK, torch.tensor(1.0))

    def ce(rows: list[list[float]]) -> float:
        return sum(math.log(sum(math.exp(v) for v in r)) - r[i] for i, r in enumerate(rows)) / len(rows)

    expected = 0.5 * (ce([[-0.5, 1.0], [-1.0, 1.0]]) + ce([[0.0, 1.0], [-1.0, 0.5]]))
    assert float(filip_loss(image_side, text_side)) == pytest.approx(expected, rel=1e-6)


def test_gaze_guided_loss_by_hand() -> None:
    scores = torch.tensor([[[1.0, -1.0, 0.0], [0.5, 2.0, -2.0]]])
    gaze = torch.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]]])
    t0 = log1p_sum(-1.0, 0.0) + log1p_sum(-1.0)
    t1 = log1p_sum(0.5) + log1p_sum(-2.0, 2.0)
    p0 = log1p_sum(0.5) + log1p_sum(-1.0)
    p1 = log1p_sum(-1.0) + log1p_sum(-2.0)
    p2 = log1p_sum(0.0) + log1p_sum(2.0)
    expected = 0.8 * (t0 + t1) / 2 + 0.2 * (p0 + p1 + p2) / 3
    got = gaze_guided_loss(scores, gaze, torch.tensor([[True, True]]), alpha=0.8)
    assert float(got) == pytest.approx(expected, rel=1e-6)

    # only sentence 0 has a heatmap; a second image without gaze does not count
    scores2 = torch.cat([scores, torch.randn(1, 2, 3)])
    gaze2 = torch.cat([gaze, torch.ones(1, 2, 3)])
    mask2 = torch.tensor([[True, False], [False, False]])
    expected2 = 0.5 * t0 + 0.5 * (log1p_sum(-1.0) + log1p_sum(-1.0) + log1p_sum(0.0)) / 3
    assert float(gaze_guided_loss(scores2, gaze2, mask2, alpha=0.5)) == pytest.approx(expected2, rel=1e-6)


def test_gaze_guided_loss_without_gaze_is_zero_and_differentiable() -> None:
    scores = torch.randn(2, 3, 4, requires_grad=True)
    loss = gaze_guided_loss(scores, torch.zeros(2, 3, 4), torch.zeros(2, 3, dtype=torch.bool), alpha=0.8)
    loss.backward()
    assert float(loss.detach()) == 0.0 and scores.grad is not None
