"""Zero-shot classification by prompt ensembles: per label, the mean logit over its positive prompts vs
the mean over its negative prompts, softmaxed over the two (= sigmoid of their difference)."""
from __future__ import annotations

from dataclasses import dataclass

import torch

from gazebench.baselines.clip.prompts import prompt_sets
from gazebench.labels import CHEXPERT_LABELS


@dataclass(frozen=True, eq=False)
class PromptBank:
    """Unique prompt texts plus (L, U) averaging matrices that turn per-prompt logits into per-label
    ensemble means for the positive and the negative set."""

    texts: tuple[str, ...]
    positive: torch.Tensor
    negative: torch.Tensor

    @staticmethod
    def build(n: int, seed: int, labels: tuple[str, ...] = CHEXPERT_LABELS) -> PromptBank:
        """`n` prompts per set, sampled with `seed` (prompts.prompt_sets)."""
        sets = prompt_sets(n, seed)
        texts = tuple(dict.fromkeys(t for label in labels for side in sets[label] for t in side))
        where = {t: i for i, t in enumerate(texts)}

        def averaging(side: int) -> torch.Tensor:
            m = torch.zeros(len(labels), len(texts))
            for row, label in enumerate(labels):
                chosen = [where[t] for t in sets[label][side]]
                m[row, chosen] = 1.0 / len(chosen)
            return m

        return PromptBank(texts, averaging(0), averaging(1))


def ensemble_probabilities(logits: torch.Tensor, positive: torch.Tensor, negative: torch.Tensor) -> torch.Tensor:
    """(B, U) image-prompt logits → (B, L) P(positive) = softmax([mean_neg, mean_pos])[1]."""
    return torch.sigmoid(logits @ positive.T.to(logits) - logits @ negative.T.to(logits))


def zero_shot_probabilities(image_emb: torch.Tensor, prompt_emb: torch.Tensor, scale: torch.Tensor,
                            bank: PromptBank) -> torch.Tensor:
    """(B, D) normalised image embeddings and (U, D) prompt embeddings → (B, L) probabilities."""
    return ensemble_probabilities(scale * image_emb @ prompt_emb.T, bank.positive, bank.negative)
