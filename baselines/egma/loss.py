"""EGMA's losses (Ma et al., NeurIPS 2024; MoMarky/EGMA): FILIP-style fine-grained image–sentence
contrast and the gaze-guided multi-label (ZLPR) loss between sentences and patches."""
from __future__ import annotations

import torch
import torch.nn.functional as F


def zlpr_loss(scores: torch.Tensor, targets: torch.Tensor, valid: torch.Tensor | None = None) -> torch.Tensor:
    """Multi-label categorical CE over the last axis: log(1 + Σ_{neg} e^{s}) + log(1 + Σ_{pos} e^{−s}).

    `targets` are 0/1; entries where `valid` is False take part in neither sum. Returns scores.shape[:-1]."""
    pos = targets > 0.5
    keep = torch.ones_like(pos) if valid is None else valid.expand_as(pos)
    neg_inf = torch.finfo(scores.dtype).min
    zeros = scores.new_zeros(scores.shape[:-1] + (1,))
    neg = scores.masked_fill(pos | ~keep, neg_inf)
    posv = (-scores).masked_fill(~pos | ~keep, neg_inf)
    return torch.logsumexp(torch.cat([neg, zeros], -1), -1) + torch.logsumexp(torch.cat([posv, zeros], -1), -1)


def filip_similarity(patches: torch.Tensor, sentences: torch.Tensor, sentence_mask: torch.Tensor,
                     scale: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Image i × report j similarities from token-level s_pt = scale·⟨v_p, u_t⟩:
    S_I[i, j] = mean_p max_t s_pt and S_T[i, j] = (1/n_j) Σ_t max_p s_pt, over report j's real sentences.

    patches (B, P, D), sentences (B, T, D) zero-padded, sentence_mask (B, T) bool → two (B, B) matrices."""
    s = scale * torch.einsum("ipd,jtd->ijpt", patches, sentences)
    mask = sentence_mask[None, :, None, :]
    image_side = s.masked_fill(~mask, torch.finfo(s.dtype).min).amax(-1).mean(-1)
    per_sentence = s.amax(-2) * sentence_mask[None].to(s.dtype)
    text_side = per_sentence.sum(-1) / sentence_mask.sum(-1).clamp(min=1)[None].to(s.dtype)
    return image_side, text_side


def filip_loss(image_side: torch.Tensor, text_side: torch.Tensor) -> torch.Tensor:
    """½[CE(S_I, diag) + CE(S_T, diag)], both row-wise (image → reports), as in the EGMA code."""
    target = torch.arange(image_side.shape[0], device=image_side.device)
    return 0.5 * (F.cross_entropy(image_side, target) + F.cross_entropy(text_side, target))


def gaze_guided_loss(pair_scores: torch.Tensor, gaze: torch.Tensor, gaze_mask: torch.Tensor,
                     alpha: float) -> torch.Tensor:
    """EGMA's EGF term: for each image, α · mean over its gaze-labelled sentences of ZLPR(sentence → patches)
    + (1−α) · mean over patches of ZLPR(patch → those sentences), averaged over images with any (0 if none).

    pair_scores (B, T, P) = scale·⟨u_t, v_p⟩ of each image with its own sentences; gaze (B, T, P) 0/1
    targets; gaze_mask (B, T) marks the sentences that have a heatmap."""
    has_gaze = gaze_mask.any(-1)
    if not bool(has_gaze.any()):
        return pair_scores.sum() * 0.0
    m = gaze_mask.to(pair_scores.dtype)
    text_to_patch = (zlpr_loss(pair_scores, gaze) * m).sum(-1) / m.sum(-1).clamp(min=1)
    patch_to_text = zlpr_loss(pair_scores.transpose(1, 2), gaze.transpose(1, 2), gaze_mask[:, None, :]).mean(-1)
    per_image = alpha * text_to_patch + (1 - alpha) * patch_to_text
    return per_image[has_gaze].mean()
