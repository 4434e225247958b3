"""The public model interface: what a model declares, what it is given, and what it returns.

A new model subclasses `Adapter`, declares its `InputSpec` (the harness builds the input tensors from
it, never the other way round), implements one method per task kind it answers, and optionally `fit`; then
registers with `@register_model("name")` or the `gazebench.models` entry point group. The kinds a model answers
are the methods it implements (gazebench.engine.kinds; each returns its record of gazebench.outputs):
`classify(batch) -> Probabilities`, `report(batch) -> Reports`, `ground(batch) -> Boxes`,
`answer(batch) -> Answers`, `trace(batch) -> Scanpaths`, and a plugin kind's own method.

The predict contract: every kind method gets an `ImageBatch` holding what the spec declares and nothing else —
ids and pixels, the items' queries; test-time radiologist fixations only for `gaze_input=True`; the raw labels
and references only for `privileged=True` (the `oracle` reference). `fit` gets `TrainBatch`es with whole
samples and labels.

Threat model: a model is trusted code running in the harness's process. The contract stops accidental
and casual leakage — the batch, its ids and its pixel tensor carry no reference to a sample, and no
gazebench module keeps samples in a global (tests/unit/engine/test_predict_contract.py tries those
routes). It cannot stop a model that walks the interpreter (`gc.get_objects()`, the caller's stack
frames): against a hostile plugin only process isolation would help, and that is not built or tested.
"""
from __future__ import annotations

from abc import ABC
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from gazebench.labels import CHEXPERT_LABELS, label_indices
from gazebench.registry import Registry

if TYPE_CHECKING:
    import torch

    from gazebench.records import GazeRecord, Sample
    from gazebench.task import Task

Track = Literal["standard", "gaze-at-inference", "privileged"]
TRACKS: tuple[Track, ...] = ("standard", "gaze-at-inference", "privileged")
"""What a model sees at predict time; results record it and every table marks the two non-standard tracks."""


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
    """Order of the probability columns `classify` returns (any subset/order of the 14 CheXpert labels)."""
    patch_size: int | None = None
    """Pixels per gaze cell on the resized image when the model predicts gaze (Qwen2.5-VL: 28)."""
    uses_gaze: bool = False
    """True if training consumes radiologists' gaze (recorded in results, shown in leaderboards)."""
    gaze_input: bool = False
    """True if radiologist fixations are an input at inference (GazeGNN-style, Look & Mark-style):
    `ImageBatch.gaze` then holds each test image's fixations, and results are marked as that track."""
    privileged: bool = False
    """True if the model reads the answers (`ImageBatch.labels`, `ImageBatch.references`): a sanity reference,
    never a competitor."""

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

    @property
    def track(self) -> Track:
        """"privileged" (reads labels), "gaze-at-inference" (reads test-time fixations) or "standard"."""
        if self.privileged:
            return "privileged"
        return "gaze-at-inference" if self.gaze_input else "standard"


@dataclass(frozen=True)
class Provenance:
    """Where a model comes from, recorded with every result (torchxrayvision-style)."""

    source: str = "gazebench"
    license: str = "Apache-2.0"
    citation: str = ""


def _frozen(values: object, dtype: npt.DTypeLike) -> np.ndarray:
    """A read-only copy, so a model cannot write back into the harness's arrays."""
    out = np.array(values, dtype=dtype, copy=True)
    out.flags.writeable = False
    return out


@dataclass(frozen=True, slots=True, eq=False)
class GazeInput:
    """One test image's radiologist fixations, for models that declare `gaze_input`: every reading's
    fixations in reading order, times and positions only (no dictation, no reading ids)."""

    t_start: np.ndarray
    """Start of each fixation, seconds on its reading's clock (read-only float64)."""
    t_end: np.ndarray
    """End of each fixation, seconds (read-only float64)."""
    x: np.ndarray
    """Column in pixels of the `image_size` frame (read-only float64; may lie outside the image)."""
    y: np.ndarray
    """Row in pixels of the `image_size` frame (read-only float64)."""
    reading: np.ndarray
    """0-based ordinal of the reading each fixation belongs to (read-only int64)."""
    image_size: tuple[int, int] | None
    """(width, height) of the frame x and y are in; None when the image has no reading."""


def to_gaze_input(records: Sequence[GazeRecord]) -> GazeInput:
    """One image's readings as a GazeInput, later readings rescaled linearly into the first one's frame."""
    if not records:
        empty = _frozen([], np.float64)
        return GazeInput(empty, empty, empty, empty, _frozen([], np.int64), None)
    width, height = records[0].image_size
    fix = [r.fixations for r in records]
    sx = [width / r.image_size[0] for r in records]
    sy = [height / r.image_size[1] for r in records]
    return GazeInput(t_start=_frozen(np.concatenate([f.t_start for f in fix]), np.float64),
                     t_end=_frozen(np.concatenate([f.t_end for f in fix]), np.float64),
                     x=_frozen(np.concatenate([f.x * k for f, k in zip(fix, sx, strict=True)]), np.float64),
                     y=_frozen(np.concatenate([f.y * k for f, k in zip(fix, sy, strict=True)]), np.float64),
                     reading=_frozen(np.repeat(np.arange(len(fix)), [len(f) for f in fix]), np.int64),
                     image_size=(int(width), int(height)))


@dataclass(frozen=True)
class Query:
    """What the engine knows about one item besides its image: the query the model is given (a finding name,
    a phrase or a question, with a question's closed answer set) and the reference, which only a privileged
    model ever receives."""

    prompt: str | None = None
    choices: tuple[str, ...] | None = None
    reference: object = None
    """Box (x1, y1, x2, y2) or centroids (K, 2) in the model's input frame, answer or report text."""


@dataclass(frozen=True, slots=True, eq=False)
class ImageBatch:
    """What a kind method is given: ids and pixels, plus fixations or labels only where the spec declares them."""

    ids: tuple[str, ...]
    """Image ids (plain strings), one per row of `pixels`."""
    pixels: torch.Tensor
    """(B, C, S, S) float32 on the run's device, normalised per the adapter's InputSpec."""
    gaze: tuple[GazeInput, ...] | None = None
    """Each image's test-time fixations; only for a spec with `gaze_input=True`, else None."""
    labels: np.ndarray | None = None
    """(B, len(spec.labels)) raw label codes (1, 0, -1, NaN); only for a spec with `privileged=True`, else None."""
    prompts: tuple[str, ...] | None = None
    """The query of each item (finding name, phrase or question) for grounding and vqa; else None."""
    choices: tuple[tuple[str, ...] | None, ...] | None = None
    """VQA: each question's closed answer set (None where the task declares none); else None."""
    references: tuple[object, ...] | None = None
    """Each item's reference (see Query.reference); only for a spec with `privileged=True`, else None."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "ids", tuple(str(i) for i in self.ids))
        n = len(self.ids)
        if self.pixels.shape[0] != n or any(v is not None and len(v) != n for v in
                                            (self.gaze, self.labels, self.prompts, self.choices, self.references)):
            raise ValueError(f"ImageBatch of {n} ids needs as many pixel rows, gaze inputs, label rows and queries")


def predict_inputs(samples: Sequence[Sample], pixels: torch.Tensor, spec: InputSpec,
                   queries: Sequence[Query] | None = None) -> ImageBatch:
    """The predict-time view of `samples` (items): their ids and `pixels`, the query text of per-query tasks, with
    fixations, labels or references only as `spec` declares."""
    gaze = tuple(to_gaze_input(s.gaze) for s in samples) if spec.gaze_input else None
    labels = references = None
    if spec.privileged:
        raw = np.array([s.labels for s in samples], dtype=np.float64).reshape(len(samples), -1)
        labels = _frozen(raw[:, label_indices(spec.labels)], np.float64)
        references = tuple(q.reference for q in queries) if queries is not None else None
    prompts = choices = None
    if queries is not None and any(q.prompt is not None for q in queries):
        prompts = tuple(str(q.prompt) for q in queries)
        choices = tuple(q.choices for q in queries)
    return ImageBatch(ids=tuple(s.sample_id for s in samples), pixels=pixels, gaze=gaze, labels=labels,
                      prompts=prompts, choices=choices, references=references)


@dataclass(frozen=True, eq=False)
class TrainBatch:
    """What `fit` is given: images ready for the model plus the whole records (labels, gaze) they came from."""

    samples: tuple[Sample, ...]
    pixels: torch.Tensor
    """(B, C, S, S) float32 on the run's device, normalised per the adapter's InputSpec."""

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(s.sample_id for s in self.samples)

    def inputs(self, spec: InputSpec) -> ImageBatch:
        """This batch as a kind method would see it under `spec` (for validation inside `fit`)."""
        return predict_inputs(self.samples, self.pixels, spec)


@dataclass(frozen=True, eq=False)
class FitContext:
    """Everything `fit` may use: the in-domain train/validate samples, an image loader, device and seed."""

    task: Task
    train: tuple[Sample, ...]
    val: tuple[Sample, ...]
    batches: Callable[[tuple[Sample, ...], int, bool], Iterator[TrainBatch]]
    """`batches(samples, batch_size, shuffle)` yields TrainBatches built to this adapter's InputSpec."""
    device: torch.device
    seed: int
    workdir: Path
    """Scratch folder for mid-training checkpoints (resume); the engine keeps the final state itself."""
    batch_size: int = 8
    log: Callable[[str], None] = print
    extras: dict[str, Any] = field(default_factory=dict)
    precision: str = "fp32"
    """"fp32" or "bf16": train under bf16 autocast (gazebench.runtime.autocast), trainable weights fp32."""


class Adapter(ABC):  # noqa: B024  (the kind methods a model implements are its abstract part)
    """Base class for every benchmarked model. Its kind methods (see the module docstring) must not depend on
    batch composition."""

    spec: InputSpec = InputSpec()
    provenance: Provenance = Provenance()

    def config(self) -> dict[str, Any]:
        """JSON-ready hyperparameters; hashed (with data manifest and seed) into the checkpoint fingerprint."""
        return {}

    @property
    def trainable(self) -> bool:
        """True if `fit` must run before predicting (the engine then caches the fitted state)."""
        return False

    def fit(self, ctx: FitContext) -> None:
        """Train on `ctx.train`, using `ctx.val` for early stopping; the default does nothing."""

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
