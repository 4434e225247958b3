"""The `medclip` adapter: a dual encoder fine-tuned on the in-domain train split with MedCLIP's
semantic-matching loss on label-derived sentences, then scored zero-shot by prompt ensembles."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from gazebench.adapter import Provenance, TrainBatch, register_model
from gazebench.baselines.clip.adapter import ClipAdapter
from gazebench.baselines.clip.config import ClipConfig
from gazebench.baselines.clip.label_text import label_sentence
from gazebench.baselines.clip.model import DualEncoder
from gazebench.baselines.medclip.loss import label_codes, semantic_matching_loss
from gazebench.options import dataclass_options, with_options
from gazebench.records import Sample


def medclip_batch_loss(model: DualEncoder, image: torch.Tensor, samples: Sequence[Sample],
                       rng: np.random.Generator) -> torch.Tensor:
    """Semantic matching of normalised global image embeddings (B, D) against one label-derived sentence
    per image, with soft targets from the images' and sentences' label vectors."""
    raw = np.stack([s.label_array for s in samples])
    texts, text_labels = zip(*(label_sentence(r, rng) for r in raw), strict=True)
    logits = model.scale() * image @ model.encode_text(texts).T
    return semantic_matching_loss(logits, torch.as_tensor(label_codes(raw)), torch.as_tensor(np.stack(text_labels)))


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

    def training_loss(self, batch: TrainBatch, rng: np.random.Generator) -> torch.Tensor:
        """One label-derived sentence per image; semantic matching against label-similarity soft targets."""
        image = self.model.encode_image(batch.pixels.to(self.device))[0]
        return medclip_batch_loss(self.model, image, batch.samples, rng)
