"""`VLMAdapter`: the plumbing every LoRA-tuned Qwen2.5-VL adapter shares (the reference model's variants,
SFT, SFT-Heatmap): the model built lazily from its config, device moves, training through the shared
driver and objective, predictions, and checkpoints that carry their config. A subclass supplies only what
makes it a different model: its config, gaze tokens, pointer head, gaze target terms and stages.
torch, the training driver and the model are imported where they run, so constructing an adapter (a run's
identity; all a finished run needs) imports none of them."""
from __future__ import annotations

import json
from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Self, TypeVar

import numpy as np

from gazebench.adapter import Adapter, FitContext, ImageBatch
from gazebench.errors import ConfigError
from gazebench.outputs import Probabilities
from gazebench.records import Sample
from gazebench.train.stage import Stage
from gazebench.vlm.backbone import backbone_weights, build_backbone, check_backbone, default_dtype
from gazebench.vlm.config import BackboneConfig, VLMConfig
from gazebench.vlm.report import render_report
from gazebench.vlm.vision_input import qwen_input_spec

if TYPE_CHECKING:
    import torch

    from gazebench.vlm.model import GazeVLM
    from gazebench.vlm.objective import TargetTerm, VLMObjective

C = TypeVar("C", bound=VLMConfig)


@dataclass(frozen=True, eq=False)
class Inference:
    """Everything the model says about B images."""

    probs: np.ndarray
    """(B, 14) probabilities in CHEXPERT_LABELS order."""
    gaze: np.ndarray | None
    """(B, K) predicted patch indices, raster order on the merged-token grid (None without gaze tokens)."""
    gaze_xy: np.ndarray | None
    """(B, K, 2) centres (x, y) of those patches in pixels of the resized (S×S) image."""
    saliency: np.ndarray | None
    """(B, rows, cols) pointer attention averaged over its queries, summing to 1 (None without a pointer head)."""
    reports: tuple[str, ...]
    """Fixed-format reports; their Yes/No lines are exactly probs >= threshold."""


def fit_device(ctx: FitContext) -> torch.device:
    """The device a fit runs on: `ctx.device`, or on CUDA under `accelerate launch` this process's own GPU."""
    if ctx.device.type == "cuda":
        from accelerate import PartialState

        return PartialState().device
    return ctx.device


class LazyVLMAdapter(Adapter):
    """What every adapter of a lazily built, LoRA-tuned Qwen2.5-VL shares (VLMAdapter, the GazeX-style model):
    its config, its local weights, device moves and being trainable."""

    cfg: Any
    """A frozen config of the VLM config family (`to_dict`, `backbone`)."""
    _model: torch.nn.Module | None
    _device: str = "cpu"
    """Where the model is (or will be built): a torch device name, so that no torch is needed before it runs."""

    @property
    def device(self) -> torch.device:
        import torch

        return torch.device(self._device)

    @device.setter
    def device(self, value: torch.device | str) -> None:
        self._device = str(value)

    def config(self) -> dict[str, Any]:
        return dict(self.cfg.to_dict())

    def weights(self) -> dict[str, Path]:
        """The backbone directory when it is a local checkpoint (digested into the run identity)."""
        return backbone_weights(self.cfg.backbone)

    @property
    def trainable(self) -> bool:
        return True

    def to(self, device: torch.device) -> Self:
        self.device = device
        if self._model is not None:
            self._model.to(self.device)
        return self


class VLMAdapter(LazyVLMAdapter, Generic[C]):
    """Qwen2.5-VL + LoRA + heads, trained in stages; `gaze_tokens` gaze tokens in the assistant turn and,
    with `pointer`, a pointer head over the visual tokens (whose attention is the predicted saliency)."""

    config_key: ClassVar[str]
    """state_dict entry holding the config JSON as uint8, checked on load (no silent mismatched weights)."""

    def __init__(self, cfg: C, gaze_tokens: int, pointer: bool) -> None:
        check_backbone(cfg.backbone)  # a broken local directory fails now, not after the data is read
        self.cfg = cfg
        self.gaze_tokens = gaze_tokens
        self.pointer = pointer
        self.spec = qwen_input_spec(cfg.image_size, predicts_gaze=pointer)
        self._model: GazeVLM | None = None

    @abstractmethod
    def stages(self) -> list[Stage]:
        """The training stages in order, each weighting the loss terms by name ("bce", "lm", target terms)."""

    @abstractmethod
    def target_terms(self, samples: Sequence[Sample], seed: int) -> tuple[TargetTerm, ...]:
        """The gaze target terms on `samples` under run `seed` (none for a model trained without gaze)."""

    def stage(self, name: str, epochs: int, weights: tuple[tuple[str, float], ...],
              validated: bool = False) -> Stage:
        """A stage with the config's optimiser settings; a validated stage early-stops after `patience`."""
        return Stage(name, epochs, self.cfg.lr, weights, self.cfg.weight_decay, self.cfg.grad_accum,
                     self.cfg.patience if validated else None, validated=validated)

    @property
    def model(self) -> GazeVLM:
        """Built on first use (on `self.device`, bf16 backbone on CUDA), so construction stays cheap."""
        if self._model is None:
            import torch

            from gazebench.vlm.model import GazeVLM

            with torch.random.fork_rng(devices=[]):
                backbone = build_backbone(self.cfg.backbone, self.gaze_tokens, self.cfg.seed,
                                          default_dtype(self.device), self.device)
                torch.manual_seed(self.cfg.seed)
                self._model = GazeVLM(backbone, self.cfg, self.pointer).to(self.device).eval()
        return self._model

    def fit(self, ctx: FitContext) -> None:
        """The stages on `ctx`; under `accelerate launch` each process builds its replica on its own GPU."""
        from gazebench.train import auroc_validator, fit_stages, label_targets
        from gazebench.vlm.objective import Supervision, VLMObjective, label_probs

        self.to(fit_device(ctx))
        train = tuple(ctx.train)
        labels = label_targets(ctx, train)
        sup = Supervision({s.sample_id: labels[i] for i, s in enumerate(train)},
                          self.target_terms(train, ctx.seed))

        def objective(stage: Stage, device: torch.device) -> VLMObjective:
            return VLMObjective(sup, device, with_reports=dict(stage.weights).get("lm", 0.0) > 0)

        validate = auroc_validator(ctx, self.cfg.batch_size, label_probs) if ctx.val else None
        fit_stages(self.model, ctx, self.stages(), objective, validate, self.cfg.to_dict(), self.cfg.batch_size,
                   sup.summary(len(train)))

    def infer(self, pixels: torch.Tensor) -> Inference:
        """Probabilities, ordered gaze (indices and pixel centres), saliency and reports for (B, 3, S, S)."""
        import torch

        model = self.model
        with torch.no_grad():
            out = model(pixels.to(self.device))
        probs = torch.sigmoid(out.label_logits.float()).cpu().numpy()
        reports = tuple(render_report(p >= self.cfg.threshold) for p in probs)
        if out.gaze_logits is None:
            return Inference(probs, None, None, None, reports)
        attn = torch.softmax(out.gaze_logits.float(), dim=-1)
        rows, cols = self.cfg.grid
        saliency = attn.mean(1).view(-1, rows, cols).cpu().numpy()
        if not model.gaze_token_ids:
            return Inference(probs, None, None, saliency, reports)
        gaze = attn.argmax(-1).cpu().numpy().astype(np.int64)
        cell = self.cfg.image_size / cols
        xy = np.stack([(gaze % cols + 0.5) * cell, (gaze // cols + 0.5) * cell], axis=-1)
        return Inference(probs, gaze, xy, saliency, reports)

    def classify(self, batch: ImageBatch) -> Probabilities:
        res = self.infer(batch.pixels)
        return Probabilities(probs=res.probs, gaze=res.gaze, saliency=res.saliency)

    def state_dict(self) -> dict[str, torch.Tensor]:
        """LoRA + gaze-token embedding rows + heads, plus the config (the frozen backbone is not saved)."""
        return with_config(self.model.trainable_state(), self.config_key, self.cfg)

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        self.model.load_trainable_state(without_config(state, self.config_key, self.cfg, type(self).__name__))


def with_config(state: dict[str, torch.Tensor], key: str, cfg: BackboneConfig) -> dict[str, torch.Tensor]:
    """`state` plus `cfg` as JSON bytes under `key`, so a checkpoint always says how it was made."""
    import torch

    return dict(state) | {key: torch.frombuffer(bytearray(cfg.to_json().encode()), dtype=torch.uint8)}


def without_config(state: dict[str, torch.Tensor], key: str, cfg: BackboneConfig,
                   owner: str) -> dict[str, torch.Tensor]:
    """`state` less its config entry, which must equal `cfg`: a ConfigError naming the fields that differ (or
    saying the entry is missing: the checkpoint was not written by `owner`), never silently mismatched weights."""
    state = dict(state)
    blob = state.pop(key, None)
    if blob is None:
        raise ConfigError(f"checkpoint has no {type(cfg).__name__}; it was not written by {owner}")
    saved = type(cfg).from_dict(json.loads(bytes(blob.numpy().tobytes()).decode()))
    if saved != cfg:
        diff = sorted(k for k, v in saved.to_dict().items() if cfg.to_dict()[k] != v)
        raise ConfigError(f"checkpoint was trained with a different config ({', '.join(diff)})")
    return state
