"""The `egma` adapter: dictation sentences (in memory only) aligned to image patches with the FILIP loss
plus the gaze-guided ZLPR loss from sentence heatmaps; label-derived sentences stand in for images without
dictation; zero-shot prompt-ensemble scoring as in MedCLIP."""
from __future__ import annotations

import hashlib

import numpy as np
import torch
from torch import nn

from gazebench.adapter import FitContext, Provenance, TrainBatch, register_model
from gazebench.baselines.clip.adapter import ClipAdapter
from gazebench.baselines.clip.label_text import label_sentences
from gazebench.baselines.egma.config import EgmaConfig
from gazebench.baselines.egma.loss import filip_loss, filip_similarity, gaze_guided_loss
from gazebench.baselines.egma.sentence_heatmaps import binarise, sentence_heatmaps
from gazebench.baselines.medclip.adapter import label_texts, medclip_batch_loss
from gazebench.options import dataclass_options, with_options
from gazebench.records import GazeRecord, Sample


def stable_fraction(seed: int, key: str) -> float:
    """A number in [0, 1) fixed by (seed, key), independent of Python's hash randomisation."""
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def dictated_record(sample: Sample) -> GazeRecord | None:
    """The first gaze record with both dictation and fixations (REFLACX-style), if any."""
    return next((g for g in sample.gaze if g.words and len(g.fixations)), None)


@register_model("egma")
@with_options(dataclass_options(EgmaConfig))
class EGMAAdapter(ClipAdapter):
    """EGMA on MedCLIP-style encoders; `tiny` by default. Options: see `EgmaConfig`."""

    name = "egma"
    config_class = EgmaConfig
    uses_gaze = True
    provenance = Provenance(
        source="gazebench re-implementation of EGMA (github.com/MoMarky/EGMA, built on MedCLIP); real-weights "
               "path: local microsoft/swin-tiny-patch4-window7-224 + emilyalsentzer/Bio_ClinicalBERT directories",
        license="Apache-2.0 (this code); EGMA repo has no licence file; MedCLIP code MIT; Swin-tiny Apache-2.0; "
                "Bio_ClinicalBERT MIT",
        citation="Ma C, Jiang H, Chen W, et al. Eye-gaze Guided Multi-modal Alignment for Medical "
                 "Representation Learning. NeurIPS 2024. arXiv:2403.12416",
    )
    cfg: EgmaConfig

    def __init__(self, **options: object) -> None:
        super().__init__(**options)
        self._dictation: dict[str, tuple[tuple[str, ...], np.ndarray | None]] = {}

    def fit(self, ctx: FitContext) -> None:
        """Build each train image's sentences and gaze targets, train, then drop the dictation from memory."""
        grid = self.model.patch_grid(self.cfg.image_size)
        self._dictation = {}
        for sample in ctx.train:
            record = dictated_record(sample)
            if record is None:
                continue
            texts, maps = sentence_heatmaps(record, grid, self.cfg.gaze_window_s)
            if not texts:
                continue
            keep = slice(0, self.cfg.max_sentences)
            use_gaze = stable_fraction(ctx.seed, sample.sample_id) < self.cfg.gaze_ratio
            self._dictation[sample.sample_id] = (
                texts[keep], binarise(maps[keep], self.cfg.gaze_threshold) if use_gaze else None)
        ctx.log(f"egma: {len(self._dictation)}/{len(ctx.train)} train images with dictation, "
                f"{sum(g is not None for _, g in self._dictation.values())} with gaze targets on a {grid} grid")
        try:
            super().fit(ctx)
        finally:
            self._dictation = {}

    def training_loss(self, encoder: nn.Module, batch: TrainBatch, rng: np.random.Generator) -> torch.Tensor:
        """FILIP contrast over each image's sentences + the gaze-guided loss where targets exist
        (+ MedCLIP's loss on the global embeddings, weighted by `medclip_weight`)."""
        texts: list[tuple[str, ...]] = []
        targets: list[np.ndarray | None] = []
        for s in batch.samples:
            own_sentences, own_gaze = self._dictation.get(s.sample_id) or (
                tuple(label_sentences(s.label_array, rng, self.cfg.max_sentences)), None)
            texts.append(own_sentences)
            targets.append(own_gaze)
        flat_texts = [t for group in texts for t in group]
        extra = label_texts(batch.samples, rng) if self.cfg.medclip_weight else None
        glob, patches, flat, scale = encoder(batch.pixels.to(self.device), flat_texts + (extra[0] if extra else []))
        n_img, n_patch, dim = patches.shape
        width = max(len(t) for t in texts)
        sentences = flat.new_zeros(n_img, width, dim)
        mask = torch.zeros(n_img, width, dtype=torch.bool, device=self.device)
        gaze = torch.zeros(n_img, width, n_patch, device=self.device)
        gaze_mask = torch.zeros_like(mask)
        start = 0
        for i, (group, target) in enumerate(zip(texts, targets, strict=True)):
            sentences[i, : len(group)] = flat[start : start + len(group)]
            mask[i, : len(group)] = True
            start += len(group)
            if target is not None:
                gaze[i, : len(group)] = torch.as_tensor(target, device=self.device)
                gaze_mask[i, : len(group)] = torch.as_tensor(target.any(axis=1), device=self.device)
        loss = filip_loss(*filip_similarity(patches, sentences, mask, scale))
        pair_scores = scale * torch.einsum("btd,bpd->btp", sentences, patches)
        loss = loss + gaze_guided_loss(pair_scores, gaze, gaze_mask, self.cfg.alpha)
        if extra is not None:
            _, raw, text_labels = extra
            loss = loss + self.cfg.medclip_weight * medclip_batch_loss(glob, flat[len(flat_texts):], scale, raw,
                                                                       text_labels)
        return loss
