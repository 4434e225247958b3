"""`hf-clip`: any local CLIP/SigLIP-style dual encoder (`--model-arg path=DIR`), loaded offline (safetensors
only, the checkpoint's own processor with its slow image processor), zero-shot by prompt similarity. Per label
the image is compared with the positive and the negative description of the versioned prompt table
(gazebench.vlm.prompts.CLIP_PROMPTS), and with cosine similarities c_pos, c_neg and the model's learned logit
scale t (s = exp(t), as the model's own forward applies it):

- softmax-trained encoders (CLIP, Radford et al. 2021, and the other contrastive ones):
  P(pos) = exp(s·c_pos) / (exp(s·c_pos) + exp(s·c_neg)) = sigmoid(s·(c_pos − c_neg)), the two-way zero-shot
  softmax of the CLIP paper;
- sigmoid-trained encoders (SigLIP / SigLIP 2, Zhai et al. 2023, with a learned bias b): each description
  gets the model's own match probability q = sigmoid(s·c + b), and P(pos) = q_pos / (q_pos + q_neg).

Text embeddings are computed once; images are embedded in batches, each independently of the others, so
batch size cannot change a score."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import torch

from gazebench.adapter import Adapter, ImageBatch, InputSpec, Provenance, register_model
from gazebench.baselines.hf.loading import check_dir, dual_encoder_family, load_model, load_processor, model_type
from gazebench.errors import ConfigError
from gazebench.labels import CHEXPERT_LABELS
from gazebench.options import MAX_IMAGE_SIZE, dataclass_options, option, with_options
from gazebench.outputs import Probabilities
from gazebench.vlm.backbone import default_dtype
from gazebench.vlm.inputs import to_uint8_images
from gazebench.vlm.prompts import CLIP_PROMPTS, PROMPTS_VERSION

SIGMOID_TYPES = ("siglip", "siglip2")
"""Model types trained with the sigmoid loss: scored by normalised match probabilities, and their text padded
to the full text length, as they were trained (the transformers SigLIP docs: `padding="max_length"`)."""
PROMPTS: tuple[str, ...] = tuple(p for label in CHEXPERT_LABELS for p in CLIP_PROMPTS[label])
"""Positive, negative description of each label in CHEXPERT_LABELS order: row 2j is label j's positive."""


@dataclass(frozen=True)
class HFCLIPConfig:
    """What decides the numbers besides the checkpoint's content (digested separately)."""

    path: str = ""
    """The local checkpoint directory (required)."""
    image_size: int = option(224, ge=14, le=MAX_IMAGE_SIZE)
    """Side of the square image handed to the model's own image processor (which then resizes it its own way)."""


def pooled(output: Any) -> torch.Tensor:
    """The projected embeddings of get_image_features / get_text_features: a tensor in transformers 4, the
    `pooler_output` of the returned model output in transformers 5."""
    return output if isinstance(output, torch.Tensor) else output.pooler_output


def positive_probability(image: torch.Tensor, text: torch.Tensor, scale: torch.Tensor,
                         bias: torch.Tensor | None) -> torch.Tensor:
    """(B, D) image and (2L, D) text embeddings (rows: label j positive at 2j, negative at 2j + 1), the logit
    scale s and, for a sigmoid-trained encoder, the bias b → (B, L) P(pos) (module docstring formulas)."""
    cos = torch.nn.functional.normalize(image.float(), dim=-1) @ torch.nn.functional.normalize(text.float(), dim=-1).T
    logits = (cos * scale.float()).reshape(image.shape[0], -1, 2)
    if bias is None:
        return torch.softmax(logits, dim=-1)[..., 0]
    match = torch.sigmoid(logits + bias.float())
    return match[..., 0] / match.sum(-1)


class HFCLIPAdapter(Adapter):
    """A generic dual encoder scored zero-shot by positive-vs-negative description similarity."""

    provenance = Provenance(
        source="a local transformers dual-encoder (CLIP/SigLIP-style) checkpoint chosen by the user "
               "(gazebench generic adapter)",
        license="that of the checkpoint (see its model card)",
        citation="the checkpoint's own paper; zero-shot by prompt similarity as in CLIP (Radford et al., ICML "
                 "2021) and SigLIP (Zhai et al., ICCV 2023)",
    )

    def __init__(self, **options: Any) -> None:
        self.cfg = HFCLIPConfig(**dataclass_options(HFCLIPConfig).parse(options, "hf-clip"))
        if not self.cfg.path:
            raise ConfigError("hf-clip needs --model-arg path=DIR (a local CLIP/SigLIP-style checkpoint)")
        self.path = Path(self.cfg.path).expanduser()
        self.family = dual_encoder_family()
        check_dir(self.path, self.family)  # before any data is read
        self.sigmoid = model_type(self.path) in SIGMOID_TYPES
        self.processor = load_processor(self.path, self.family)
        for part in ("tokenizer", "image_processor"):
            if getattr(self.processor, part, None) is None:
                raise ConfigError(f"{self.path}: the processor {type(self.processor).__name__} has no {part}")
        self.spec = InputSpec(image_size=self.cfg.image_size, channels=3, mean=(0.0,) * 3, std=(1.0,) * 3)
        self.device = torch.device("cpu")

    @cached_property
    def model(self) -> Any:
        """Loaded on first use (bf16 on CUDA, fp32 elsewhere); it must embed text and images and hold a scale."""
        from transformers import AutoModelForZeroShotImageClassification

        model = load_model(self.path, self.family, AutoModelForZeroShotImageClassification,
                           default_dtype(self.device), self.device)
        lacking = [a for a in ("get_text_features", "get_image_features", "logit_scale") if not hasattr(model, a)]
        if self.sigmoid and not hasattr(model, "logit_bias"):
            lacking.append("logit_bias")
        if lacking:
            raise ConfigError(f"{self.path}: {type(model).__name__} is not a dual encoder gazebench can score "
                              f"(no {', '.join(lacking)})")
        return model

    @cached_property
    def text_embeddings(self) -> torch.Tensor:
        """(28, D) embeddings of PROMPTS, computed once; a description longer than the text tower is an error."""
        tokenizer = self.processor.tokenizer
        limit = int(self.model.config.get_text_config().max_position_embeddings)
        longest = max(PROMPTS, key=lambda p: len(tokenizer(p)["input_ids"]))
        if len(tokenizer(longest)["input_ids"]) > limit:
            raise ConfigError(f"{self.path}: prompt {longest!r} is longer than the text tower's {limit} positions")
        padding: dict[str, Any] = {"padding": "max_length", "max_length": limit} if self.sigmoid else {"padding": True}
        text = tokenizer(list(PROMPTS), return_tensors="pt", **padding)
        with torch.no_grad():
            return pooled(self.model.get_text_features(**{k: v.to(self.device) for k, v in text.items()}))

    def config(self) -> dict[str, Any]:
        image = self.processor.image_processor
        return asdict(self.cfg) | {"prompts_version": PROMPTS_VERSION, "scoring": "sigmoid" if self.sigmoid else
                                   "softmax", "processor": type(self.processor).__name__,
                                   "image_processor": type(image).__name__}

    def weights(self) -> dict[str, Path]:
        """The checkpoint directory, digested into the run identity."""
        return {"checkpoint": self.path}

    def to(self, device: torch.device) -> HFCLIPAdapter:
        self.device = torch.device(device)
        self.__dict__.pop("text_embeddings", None)
        if "model" in self.__dict__:
            self.model.to(self.device)
        return self

    def classify(self, batch: ImageBatch) -> Probabilities:
        """(B, 14) P(positive description) per label, one batched image forward."""
        pixels = self.processor.image_processor(images=to_uint8_images(batch.pixels), return_tensors="pt")
        values = pixels["pixel_values"].to(self.device, next(self.model.parameters()).dtype)
        with torch.no_grad():
            image = pooled(self.model.get_image_features(pixel_values=values))
            bias = self.model.logit_bias if self.sigmoid else None
            probs = positive_probability(image, self.text_embeddings, self.model.logit_scale.exp(), bias)
        return Probabilities(probs=probs.cpu().numpy().astype(np.float64))


@register_model("hf-clip")
@with_options(dataclass_options(HFCLIPConfig))
def hf_clip(**kwargs: Any) -> HFCLIPAdapter:
    """Any local CLIP/SigLIP-style dual encoder, zero-shot by positive-vs-negative prompt similarity."""
    return HFCLIPAdapter(**kwargs)
