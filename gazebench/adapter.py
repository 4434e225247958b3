"""The public model interface: what a model declares, what it is given, and what it returns.

A new model subclasses `Adapter`, declares its `InputSpec` (the harness builds the input tensors from
it, never the other way round), implements `predict`, and optionally `fit`; then registers with
`@register_model("name")` or the `gazebench.models` entry point group.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gazebench.labels import CHEXPERT_LABELS
from gazebench.registry import Registry

if TYPE_CHECKING:
    import torch

    from gazebench.records import Sample
    from gazebench.task import Task


@dataclass(frozen=True)
class InputSpec:
    """The model's input contract; the harness resizes, replicates channels and normalises to it."""

    image_size: int = 224
    """Square side in pixels the image is resized to (no crop, so gaze maps linearly)."""
    channels: int = 1
    """1 for grey, 3 for RGB (grey replicated)."""
    mean: tuple[float, ...] = (0.5,)
    """Per-channel mean subtracted after scaling pixels to [0, 1]."""
    std: tuple[float, ...] = (0.5,)
    """Per-channel std divided by after subtracting the mean."""
    labels: tuple[str, ...] = CHEXPERT_LABELS
    """Order of the probability columns `predict` returns (any subset/order of the 14 CheXpert labels)."""
    patch_size: int | None = None
    """Pixels per gaze cell on the resized image when the model predicts gaze (Qwen2.5-VL: 28)."""
    uses_gaze: bool = False
    """True if training consumes radiologists' gaze (recorded in results, shown in leaderboards)."""

    def __post_init__(self) -> None:
        if len(self.mean) != self.channels or len(self.std) != self.channels:
            raise ValueError("mean and std need one value per channel")
        if self.patch_size is not None and self.image_size % self.patch_size:
            raise ValueError("image_size must be a multiple of patch_size")

    @property
    def grid(self) -> tuple[int, int] | None:
        """(rows, cols) of the gaze grid, or None if the model predicts no gaze."""
        if self.patch_size is None:
            return None
        side = self.image_size // self.patch_size
        return (side, side)


@dataclass(frozen=True)
class Provenance:
    """Where a model comes from, recorded with every result (torchxrayvision-style)."""

    source: str = "gazebench"
    license: str = "Apache-2.0"
    citation: str = ""


@dataclass(frozen=True, eq=False)
class ImageBatch:
    """Images ready for the model plus the records they came from (ids; labels only for `oracle`)."""

    samples: tuple[Sample, ...]
    pixels: torch.Tensor
    """(B, C, S, S) float32 on the run's device, normalised per the adapter's InputSpec."""

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(s.sample_id for s in self.samples)


@dataclass(frozen=True, eq=False)
class Predictions:
    """What `predict` returns for a batch of B images."""

    probs: np.ndarray
    """(B, len(spec.labels)) probabilities in [0, 1]."""
    gaze: np.ndarray | None = None
    """(B, K) predicted patch indices in temporal order, raster order on spec.grid."""
    saliency: np.ndarray | None = None
    """(B, rows, cols) non-negative attention map on spec.grid."""
    reports: tuple[str, ...] | None = None
    """Generated fixed-format reports (model text only; never patient text)."""
    diagnostics: dict[str, np.ndarray] | None = None
    """Per-image numeric model diagnostics, {name: (B,) floats, NaN where not measured} (e.g. Vanilla's
    `parse_failed` 1/0); saved as `d_<name>` prediction columns and summarised per task in results.json."""


@dataclass(frozen=True, eq=False)
class FitContext:
    """Everything `fit` may use: the in-domain train/validate samples, an image loader, device and seed."""

    task: Task
    train: tuple[Sample, ...]
    val: tuple[Sample, ...]
    batches: Callable[[tuple[Sample, ...], int, bool], Iterator[ImageBatch]]
    """`batches(samples, batch_size, shuffle)` yields ImageBatches built to this adapter's InputSpec."""
    device: torch.device
    seed: int
    workdir: Path
    """Scratch folder for mid-training checkpoints (resume); the engine keeps the final state itself."""
    batch_size: int = 8
    log: Callable[[str], None] = print
    extras: dict[str, Any] = field(default_factory=dict)


class Adapter(ABC):
    """Base class for every benchmarked model."""

    spec: InputSpec = InputSpec()
    provenance: Provenance = Provenance()

    def config(self) -> dict[str, Any]:
        """JSON-ready hyperparameters; hashed (with data manifest and seed) into the checkpoint fingerprint."""
        return {}

    @property
    def trainable(self) -> bool:
        """True if `fit` must run before `predict` (the engine then caches the fitted state)."""
        return False

    def fit(self, ctx: FitContext) -> None:
        """Train on `ctx.train`, using `ctx.val` for early stopping; the default does nothing."""

    @abstractmethod
    def predict(self, batch: ImageBatch) -> Predictions:
        """Probabilities (and optionally gaze) for one batch; must not depend on batch composition."""

    def weights(self) -> dict[str, Path]:
        """Local weight files or checkpoint directories this model loads, by role (e.g. {"backbone": DIR}).

        The engine digests each by content (config, tokenizer/processor and every weight file) into the
        run identity and the fit fingerprint, so a path whose bytes changed is never reused; none by default."""
        return {}

    def to(self, device: torch.device) -> Adapter:
        """Move weights to `device`; adapters holding torch modules override this."""
        return self

    def state_dict(self) -> dict[str, torch.Tensor]:
        """Tensors that restore the fitted model (saved as safetensors)."""
        return {}

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        """Restore what `state_dict` returned."""


MODELS: Registry[Adapter] = Registry("model", group="gazebench.models")
register_model = MODELS.register


def get_model(name: str, **kwargs: Any) -> Adapter:
    """Build the model registered as `name`."""
    return MODELS.create(name, **kwargs)
