"""Answer likelihoods against a hand computation: single-token answers from the next-token distribution,
multi-token answers teacher-forced and summed, and right-padded inputs refused."""
from __future__ import annotations

import math

import pytest
import torch

from gazebench.vlm.likelihood import answer_logprobs, with_answer, yes_probability

V = 5


def bigram(inputs: dict[str, torch.Tensor]) -> torch.Tensor:
    """Logits that depend only on the current token: token t predicts t + 1 with logit 2, everything else 0."""
    ids = inputs["input_ids"]
    logits = torch.zeros(*ids.shape, V)
    logits.scatter_(-1, ((ids + 1) % V).unsqueeze(-1), 2.0)
    return logits


def test_single_and_multi_token_answers() -> None:
    inputs = {"input_ids": torch.tensor([[0, 1], [4, 2]]), "attention_mask": torch.tensor([[0, 1], [1, 1]]),
              "token_type_ids": torch.zeros(2, 2, dtype=torch.long)}
    hit, miss = math.log(math.exp(2) / (math.exp(2) + V - 1)), math.log(1 / (math.exp(2) + V - 1))
    got = answer_logprobs(bigram, inputs, [(2,), (3, 4)])
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
