"""The `medclip` adapter: a dual encoder fine-tuned on the in-domain train split with MedCLIP's
semantic-matching loss on label-derived sentences, then scored zero-shot by prompt ensembles."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from gazebench.adapter import Provenance, TrainBatch, register_model
from gazebench.baselines.clip.adapter import ClipAdapter
from gazebench.baselines.clip.config import ClipConfig
from gazebench.baselines.clip.label_text import label_sentence
from gazebench.baselines.medclip.loss import label_codes, semantic_matching_loss
from gazebench.options import dataclass_options, with_options
from gazebench.records import Sample


def label_texts(samples: Sequence[Sample], rng: np.random.Generator) -> tuple[list[str], np.ndarray, np.ndarray]:
    """One label-derived sentence per image: (sentences, the images' raw label vectors, the sentences' labels)."""
    raw = np.stack([s.label_array for s in samples])
    texts, text_labels = zip(*(label_sentence(r, rng) for r in raw), strict=True)
    return list(texts), raw, np.stack(text_labels)


def medclip_batch_loss(image: torch.Tensor, text: torch.Tensor, scale: torch.Tensor, raw: np.ndarray,
                       text_labels: np.ndarray) -> torch.Tensor:
    """Semantic matching of normalised global image embeddings (B, D) against one sentence embedding per image
    (B, D), with soft targets from the images' (`raw`) and sentences' label vectors."""
    logits = scale * image @ text.T
    return semantic_matching_loss(logits, torch.as_tensor(label_codes(raw)), torch.as_tensor(text_labels))


@register_model("medclip")
@with_options(dataclass_options(ClipConfig))
class MedCLIPAdapter(ClipAdapter):
    """MedCLIP-ViT: Swin image encoder, BERT text encoder (layers 1, 2, last), 512-d projections with real
    weights; `tiny` encoders by default. Options: see `ClipConfig`."""

    name = "medclip"
    provenance = Provenance(
        source="gazebench re-implementation of MedCLIP (github.com/RyanWangZf/MedCLIP); real-weights path: "
               "local microsoft/swin-tiny-patch4-window7-224 + emilyalsentzer/Bio_ClinicalBERT directories",
        license="Apache-2.0 (this code); upstream MedCLIP code MIT; Swin-tiny Apache-2.0; Bio_ClinicalBERT MIT",
        citation="Wang Z, Wu Z, Agarwal D, Sun J. MedCLIP: Contrastive Learning from Unpaired Medical Images "
                 "and Text. EMNLP 2022. arXiv:2210.10163",
    )

    def training_loss(self, encoder: nn.Module, batch: TrainBatch, rng: np.random.Generator) -> torch.Tensor:
        """One label-derived sentence per image; semantic matching against label-similarity soft targets."""
        texts, raw, text_labels = label_texts(batch.samples, rng)
        image, _, text, scale = encoder(batch.pixels.to(self.device), texts)
        return medclip_batch_loss(image, text, scale, raw, text_labels)
