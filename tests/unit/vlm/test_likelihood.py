"""Answer likelihoods against a hand computation: single-token answers from the next-token distribution,
multi-token answers teacher-forced and summed, per-position candidates (the vanilla report's answer slots),
only the kept positions asked of the model, and right-padded inputs refused."""
from __future__ import annotations

import math

import pytest
import torch

from gazebench.vlm.likelihood import answer_logprobs, token_logprobs, with_answer, yes_probability

V = 5


KEPT: list[int] = []
"""How many positions each call of `bigram` was asked to keep."""


def bigram(inputs: dict[str, torch.Tensor], keep: int) -> torch.Tensor:
    """Logits that depend only on the current token: token t predicts t + 1 with logit 2, everything else 0;
    the last `keep` positions only."""
    KEPT.append(keep)
    ids = inputs["input_ids"][:, -keep:]
    logits = torch.zeros(*ids.shape, V)
    logits.scatter_(-1, ((ids + 1) % V).unsqueeze(-1), 2.0)
    return logits


def test_single_and_multi_token_answers() -> None:
    inputs = {"input_ids": torch.tensor([[0, 1], [4, 2]]), "attention_mask": torch.tensor([[0, 1], [1, 1]]),
              "token_type_ids": torch.zeros(2, 2, dtype=torch.long)}
    hit, miss = math.log(math.exp(2) / (math.exp(2) + V - 1)), math.log(1 / (math.exp(2) + V - 1))
    KEPT.clear()
    got = answer_logprobs(bigram, inputs, [(2,), (3, 4)])
    assert KEPT == [1, 3]  # the next token; then the prompt's last position and the answer's first
    # row 0 ends in 1: P(2) is a hit; 3 after 1 a miss, then 4 after 3 a hit. Row 1 ends in 2: the reverse.
    assert got[0].tolist() == pytest.approx([hit, miss + hit])
    assert got[1].tolist() == pytest.approx([miss, hit + hit])
    assert yes_probability(got)[0].item() == pytest.approx(math.exp(hit) / (math.exp(hit) + math.exp(miss + hit)))
    extended = with_answer(inputs, (3, 4))
    assert extended["attention_mask"][:, -2:].tolist() == [[1, 1], [1, 1]]
    assert extended["token_type_ids"].shape == (2, 4) and extended["token_type_ids"].sum() == 0


def test_right_padding_is_refused() -> None:
    inputs = {"input_ids": torch.tensor([[1, 0]]), "attention_mask": torch.tensor([[1, 0]])}
    with pytest.raises(ValueError, match="left-padded"):
        answer_logprobs(bigram, inputs, [(2,)])


def test_token_logprobs_per_position_and_two_way_softmax() -> None:
    logits = torch.tensor([[[1.0, 9.0, 3.0, -2.0], [0.5, 0.0, -1.0, 2.0]]])  # (B=1, S=2, V=4)
    got = token_logprobs(logits, [(2, 0), (2, 3)])
    assert got.shape == (1, 2, 2)
    assert got[0, 0].tolist() == pytest.approx(torch.log_softmax(logits[0, 0], -1)[[2, 0]].tolist())
    p = yes_probability(got)[0].tolist()
    # slot 0: yes = logit 3, no = logit 1; slot 1: yes = -1, no = 2 (the vocabulary's other logits cancel)
    assert p[0] == pytest.approx(math.exp(3) / (math.exp(3) + math.exp(1)))
    assert p[1] == pytest.approx(math.exp(-1) / (math.exp(-1) + math.exp(2)))
    with pytest.raises(ValueError, match="one row of candidate ids per position"):
        token_logprobs(logits, [(2, 0)])
