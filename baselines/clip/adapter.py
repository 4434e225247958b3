"""The adapter skeleton MedCLIP and EGMA share: dual encoder, input spec, zero-shot prompt-ensemble
prediction for all 14 labels, checkpoint state and the training loop; subclasses add only their loss."""
from __future__ import annotations

from abc import abstractmethod
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
from safetensors.torch import load_file
from torch import nn

from gazebench.adapter import Adapter, FitContext, ImageBatch, InputSpec, TrainBatch
from gazebench.baselines.clip.config import MEDCLIP_MEAN, MEDCLIP_STD, ClipConfig
from gazebench.baselines.clip.encoders import TINY
from gazebench.baselines.clip.model import DualEncoder
from gazebench.baselines.clip.training import fit_contrastive
from gazebench.baselines.clip.zero_shot import PromptBank, zero_shot_probabilities
from gazebench.errors import ConfigError
from gazebench.labels import CHEXPERT_LABELS
from gazebench.outputs import Probabilities


class ClipAdapter(Adapter):
    """A contrastively fine-tuned dual encoder scored zero-shot by prompt ensembles."""

    name: ClassVar[str]
    config_class: ClassVar[type[ClipConfig]] = ClipConfig
    uses_gaze: ClassVar[bool] = False

    def __init__(self, **options: Any) -> None:
        self.cfg = self.config_class.resolve(self.name, **options)
        cfg = self.cfg
        self.model = DualEncoder(cfg.image_encoder, cfg.text_encoder, cfg.image_size, cfg.proj_dim,
                                 cfg.text_layers, cfg.max_text_length)
        if cfg.init_weights:
            self._load_init_weights(cfg.init_weights)
        self.model.eval()
        self.spec = InputSpec(image_size=cfg.image_size, channels=3, mean=(MEDCLIP_MEAN,) * 3,
                              std=(MEDCLIP_STD,) * 3, labels=CHEXPERT_LABELS, uses_gaze=self.uses_gaze)
        self.bank = PromptBank.build(cfg.prompts_per_class, cfg.prompt_seed)
        self._prompt_emb: torch.Tensor | None = None

    def _load_init_weights(self, path: str) -> None:
        try:
            state = load_file(path, device="cpu")
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{path}: cannot read safetensors init weights: {exc}") from exc
        missing, unexpected = self.model.load_state_dict(state, strict=False)
        unexpected = [k for k in unexpected if not k.endswith("position_ids")]  # buffers old checkpoints saved
        if missing or unexpected:
            raise ConfigError(f"{path}: init weights do not match the dual encoder "
                              f"({len(missing)} missing, {len(unexpected)} unexpected keys, e.g. "
                              f"{(missing or unexpected)[0]})")

    @property
    def trainable(self) -> bool:
        return True

    def config(self) -> dict[str, Any]:
        return {"model": self.name, **self.cfg.to_dict()}

    def weights(self) -> dict[str, Path]:
        """Local encoder directories and the init-weights file, by role (digested into the run identity)."""
        cfg = self.cfg
        roles = {"image_encoder": cfg.image_encoder, "text_encoder": cfg.text_encoder,
                 "init_weights": cfg.init_weights}
        return {role: Path(source).expanduser() for role, source in roles.items() if source and source != TINY}

    def to(self, device: torch.device) -> ClipAdapter:
        self.model.to(device)
        self.forget_prompts()
        return self

    @property
    def device(self) -> torch.device:
        return self.model.logit_scale.device

    def forget_prompts(self) -> None:
        """Drop cached prompt embeddings (after weights change)."""
        self._prompt_emb = None

    def prompt_embeddings(self) -> torch.Tensor:
        """(U, D) normalised embeddings of the prompt bank, computed once per set of weights."""
        if self._prompt_emb is None:
            with torch.no_grad():
                self._prompt_emb = self.model.encode_text(self.bank.texts).float()
        return self._prompt_emb

    def classify(self, batch: ImageBatch) -> Probabilities:
        was_training = self.model.training
        self.model.eval()
        with torch.no_grad():
            image = self.model.encode_image(batch.pixels.to(self.device))[0].float()
            probs = zero_shot_probabilities(image, self.prompt_embeddings(), self.model.scale().float(), self.bank)
        self.model.train(was_training)
        return Probabilities(probs=probs.cpu().numpy().astype(np.float64))

    def fit(self, ctx: FitContext) -> None:
        """Contrastive fine-tuning on the in-domain train split (zero-shot scoring chooses the epoch)."""
        fit_contrastive(self, ctx)

    @abstractmethod
    def training_loss(self, encoder: nn.Module, batch: TrainBatch, rng: np.random.Generator) -> torch.Tensor:
        """The baseline's loss on one training batch, computed through one call of `encoder` (the dual encoder,
        or its data-parallel wrapper, whose forward returns every embedding the loss needs)."""

    def state_dict(self) -> dict[str, torch.Tensor]:
        return {k: v.detach() for k, v in self.model.state_dict().items()}

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        self.model.load_state_dict(state)
        self.forget_prompts()
