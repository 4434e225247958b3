"""Answer likelihood: how probable a generative VLM finds each candidate answer after a prompt, so a Yes/No
question gives a probability (P(Yes) / (P(Yes) + P(No))) and a ranking metric such as AUROC, not only a
thresholded answer (the scoring CheXbench uses for generative models). A multi-token answer scores the sum of
its tokens' log-probabilities, teacher-forced after the prompt."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import torch
from transformers import PreTrainedTokenizerBase

from gazebench.errors import ConfigError

Forward = Callable[[Mapping[str, torch.Tensor]], torch.Tensor]
"""Model inputs → (B, L, V) logits."""


def answer_token_ids(tokenizer: PreTrainedTokenizerBase, answers: Sequence[str]) -> tuple[tuple[int, ...], ...]:
    """Each answer's token ids as the tokenizer writes it after a generation prompt (no special tokens)."""
    out = tuple(tuple(int(i) for i in tokenizer(a, add_special_tokens=False)["input_ids"]) for a in answers)
    empty = [a for a, ids in zip(answers, out, strict=True) if not ids]
    if empty:
        raise ConfigError(f"tokenizer {type(tokenizer).__name__} writes answer {empty[0]!r} as no tokens")
    return out


def with_answer(inputs: Mapping[str, torch.Tensor], answer: Sequence[int]) -> dict[str, torch.Tensor]:
    """`inputs` (left-padded, so every row ends at the last column) with `answer` appended to every row:
    input_ids extended, attention_mask with ones, every other per-token tensor (token type ids) with zeros."""
    ids = inputs["input_ids"]
    tail = torch.tensor(list(answer), dtype=ids.dtype, device=ids.device).expand(ids.shape[0], -1)
    out = dict(inputs)
    for name, value in inputs.items():
        if isinstance(value, torch.Tensor) and value.dim() == 2 and value.shape == ids.shape:
            fill = tail if name == "input_ids" else torch.full_like(tail, 1 if name == "attention_mask" else 0)
            out[name] = torch.cat([value, fill.to(value.dtype)], dim=1)
    return out


def answer_logprobs(forward: Forward, inputs: Mapping[str, torch.Tensor],
                    answers: Sequence[Sequence[int]]) -> torch.Tensor:
    """(B, A) log P(answer | prompt) for left-padded `inputs`: one forward reads every single-token answer from
    the next-token distribution; each multi-token answer is teacher-forced in its own forward and summed."""
    if not inputs["attention_mask"][:, -1].all():
        raise ValueError("answer likelihoods need left-padded inputs (every row ends at the last column)")
    cols: list[torch.Tensor] = []
    last: torch.Tensor | None = None
    for answer in answers:
        if len(answer) == 1:
            if last is None:
                last = torch.log_softmax(forward(inputs)[:, -1].float(), dim=-1)
            cols.append(last[:, answer[0]])
            continue
        logits = forward(with_answer(inputs, answer))[:, -len(answer) - 1:-1].float()
        index = torch.tensor(list(answer), device=logits.device).expand(logits.shape[0], -1).unsqueeze(-1)
        cols.append(torch.log_softmax(logits, dim=-1).gather(-1, index).squeeze(-1).sum(-1))
    return torch.stack(cols, dim=1)


def yes_probability(logprobs: torch.Tensor) -> torch.Tensor:
    """(B, 2) log-likelihoods of (Yes, No) → (B,) P(Yes) / (P(Yes) + P(No))."""
    return torch.softmax(logprobs.float(), dim=-1)[:, 0]
