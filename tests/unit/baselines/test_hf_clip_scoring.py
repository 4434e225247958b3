"""hf-clip's zero-shot rule against a hand computation: the two-way softmax of scaled cosine similarities for
CLIP-style encoders, normalised sigmoid match probabilities for SigLIP-style ones."""
from __future__ import annotations

import math

import pytest
import torch

from gazebench.baselines.hf.clip import PROMPTS, positive_probability
from gazebench.labels import CHEXPERT_LABELS
from gazebench.vlm.prompts import CLIP_PROMPTS


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def test_prompt_rows_pair_each_label() -> None:
    assert len(PROMPTS) == 2 * len(CHEXPERT_LABELS)
    assert (PROMPTS[2], PROMPTS[3]) == CLIP_PROMPTS[CHEXPERT_LABELS[1]]


def test_softmax_and_sigmoid_rules() -> None:
    image = torch.tensor([[2.0, 0.0]])  # unnormalised: only directions count
    text = torch.tensor([[1.0, 0.0], [0.0, 3.0], [1.0, 1.0], [-1.0, 0.0]])  # cos: 1, 0 | 1/sqrt2, -1
    scale = torch.tensor(10.0)
    soft = positive_probability(image, text, scale, None)[0].tolist()
    assert soft[0] == pytest.approx(sigmoid(10 * (1 - 0)))
    assert soft[1] == pytest.approx(sigmoid(10 * (1 / math.sqrt(2) + 1)))
    sig = positive_probability(image, text, scale, torch.tensor(-5.0))[0].tolist()
    q = [sigmoid(10 * c - 5) for c in (1, 0, 1 / math.sqrt(2), -1)]
    assert sig == pytest.approx([q[0] / (q[0] + q[1]), q[2] / (q[2] + q[3])])
