"""Answer likelihood: how probable a generative VLM finds each candidate answer after a prompt, so a Yes/No
question gives a probability (P(Yes) / (P(Yes) + P(No))) and a ranking metric such as AUROC, not only a
thresholded answer (the scoring CheXbench uses for generative models). A multi-token answer scores the sum of
its tokens' log-probabilities, teacher-forced after the prompt. The one code path every generative VLM
(`hf-vlm`, `vanilla`) scores through: `token_logprobs` reads answer tokens from logits, `yes_probability`
turns a (Yes, No) pair into P(Yes)."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import torch
from transformers import PreTrainedTokenizerBase

from gazebench.errors import ConfigError

Forward = Callable[[Mapping[str, torch.Tensor], int], torch.Tensor]
"""(model inputs, keep) → (B, keep, V) logits of the last `keep` positions."""


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


def token_logprobs(logits: torch.Tensor, token_ids: Sequence[Sequence[int]]) -> torch.Tensor:
    """(B, S, V) logits at S positions and, per position, A candidate token ids → (B, S, A) log-probabilities
    of each candidate as the next token there (log-softmax over the whole vocabulary, in float32)."""
    index = torch.tensor([list(row) for row in token_ids], device=logits.device)
    if index.dim() != 2 or index.shape[0] != logits.shape[1]:
        raise ValueError(f"need one row of candidate ids per position ({logits.shape[1]}), got {tuple(index.shape)}")
    logp = torch.log_softmax(logits.float(), dim=-1)
    return logp.gather(-1, index.unsqueeze(0).expand(logits.shape[0], -1, -1))


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
                last = forward(inputs, 1)[:, -1:]
            cols.append(token_logprobs(last, [answer])[:, 0, 0])
            continue
        logits = forward(with_answer(inputs, answer), len(answer) + 1)[:, :-1]
        cols.append(token_logprobs(logits, [[t] for t in answer])[..., 0].sum(-1))
    return torch.stack(cols, dim=1)


def yes_probability(logprobs: torch.Tensor) -> torch.Tensor:
    """(..., 2) log-likelihoods of (Yes, No) → (...) P(Yes) / (P(Yes) + P(No))."""
    return torch.softmax(logprobs.float(), dim=-1)[..., 0]
