"""Loading a local transformers checkpoint directory offline, with one-line errors: the directory is checked
up front (gazebench.checkpoint_dir), the architecture must have a class of the wanted kind, and the model's
own processor is loaded with the slow (PIL) image processor where the fast one needs torchvision (a
Qwen2.5-VL whose processor cannot be built is read through gazebench's own Qwen input builder). What was
loaded is recorded (input builder, processor and image-processor classes) so a run says which preprocessing
it used."""
from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import torch

from gazebench.checkpoint_dir import LOAD_ERRORS, CheckpointKind, check_checkpoint_dir, load_checked, load_error
from gazebench.errors import ConfigError
from gazebench.vlm.backbone import QWEN_CHAT_TEMPLATE
from gazebench.vlm.inputs import InputBuilder, ProcessorInputs, QwenInputs

TOKENIZER_FILES = (("tokenizer.json",), ("tokenizer.model",), ("vocab.json", "merges.txt"), ("vocab.txt",))
"""A fast tokenizer, a sentencepiece model, a BPE vocabulary, or a WordPiece vocabulary."""
QWEN_TYPES = ("qwen2_5_vl",)
"""Model types whose inputs gazebench can build without their processor (gazebench.vlm.inputs.QwenInputs)."""


@dataclass(frozen=True)
class ModelFamily:
    """One kind of checkpoint the generic adapters load: its role name and transformers' auto mapping."""

    role: str
    """Shown in messages, e.g. "image-text-to-text checkpoint"."""
    mapping: dict[str, str]
    """model_type → model class name (transformers' auto mapping for the task)."""

    def kind(self) -> CheckpointKind:
        """The up-front directory check for this family (every model type transformers maps)."""
        return CheckpointKind(self.role, tuple((t, c) for t, c in sorted(self.mapping.items())), TOKENIZER_FILES)


def image_text_family() -> ModelFamily:
    from transformers.models.auto.modeling_auto import MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING_NAMES

    return ModelFamily("image-text-to-text checkpoint", dict(MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING_NAMES))


def dual_encoder_family() -> ModelFamily:
    """CLIP/SigLIP-style models: the zero-shot image classification mapping (text and image towers)."""
    from transformers.models.auto.modeling_auto import MODEL_FOR_ZERO_SHOT_IMAGE_CLASSIFICATION_MAPPING_NAMES

    return ModelFamily("dual-encoder (CLIP/SigLIP-style) checkpoint",
                       dict(MODEL_FOR_ZERO_SHOT_IMAGE_CLASSIFICATION_MAPPING_NAMES))


def model_type(path: Path) -> str | None:
    """config.json's `model_type` (None when the file or the key is absent; gazebench.checkpoint_dir says so)."""
    config = path / "config.json"
    if not config.is_file():
        return None
    try:
        value = json.loads(config.read_text(encoding="utf-8")).get("model_type")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError) as exc:
        raise ConfigError(f"{config}: unreadable config.json ({exc})") from None
    return value if isinstance(value, str) else None


def check_dir(path: Path, family: ModelFamily) -> None:
    """One-line ConfigError for a missing/incomplete directory or a model_type without a class of `family`
    (naming the model type, and where it is supported, a few supported ones)."""
    if not path.is_dir():
        raise ConfigError(f"{path}: the {family.role} is not a directory")
    kind = model_type(path)
    if kind is not None and kind not in family.mapping:
        raise ConfigError(f"{path}: architecture {kind!r} has no transformers class for the {family.role} "
                          f"({len(family.mapping)} model types do, e.g. {', '.join(sorted(family.mapping)[:6])})")
    check_checkpoint_dir(path, family.kind())


def load_processor(path: Path, family: ModelFamily) -> Any:
    """The checkpoint's own processor, offline, with slow image processors (`use_fast=False`: the fast ones
    need torchvision); a missing optional package is a one-line ConfigError naming it."""
    from transformers import AutoProcessor

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return AutoProcessor.from_pretrained(path, local_files_only=True, use_fast=False)
    except ImportError as exc:
        raise ConfigError(f"{path}: the {family.role}'s processor needs a package that is not installed "
                          f"({_first_line(exc)})") from None
    except AttributeError as exc:  # transformers looks up torchvision-only classes when torchvision is absent
        if _has_torchvision():
            raise load_error(path, family.kind(), exc) from None
        raise ConfigError(f"{path}: the {family.role}'s processor needs torchvision, which is not installed "
                          f"(pip install torchvision; {_first_line(exc)})") from None
    except LOAD_ERRORS as exc:
        raise load_error(path, family.kind(), exc) from None


def load_model(path: Path, family: ModelFamily, auto: Any, dtype: torch.dtype, device: torch.device) -> Any:
    """The model through the `auto` class, offline, safetensors only (gazebench.checkpoint_dir.load_checked),
    sdpa attention, frozen, in eval mode."""
    model = load_checked(path, family.kind(), auto, dtype=dtype, attn_implementation="sdpa")
    model.requires_grad_(False)
    return model.to(device).eval()


def input_builder(path: Path, family: ModelFamily, image_size: int) -> InputBuilder:
    """The checkpoint's own processor; for a Qwen2.5-VL whose processor cannot be built (it needs torchvision
    in transformers 5, or the directory ships none), gazebench's Qwen input builder over its tokenizer."""
    try:
        return ProcessorInputs(load_processor(path, family), image_size)
    except ConfigError:
        if model_type(path) not in QWEN_TYPES:
            raise
    return qwen_inputs(path, family, image_size)


def qwen_inputs(path: Path, family: ModelFamily, image_size: int) -> QwenInputs:
    """QwenInputs over the directory's tokenizer (the official chat template when it ships none), its image pad
    id checked against config.json's `image_token_id`."""
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    except LOAD_ERRORS as exc:
        raise load_error(path, family.kind(), exc) from None
    if tokenizer.chat_template is None:
        tokenizer.chat_template = QWEN_CHAT_TEMPLATE
    pad = cast(int, tokenizer.convert_tokens_to_ids("<|image_pad|>"))
    expected = json.loads((path / "config.json").read_text(encoding="utf-8")).get("image_token_id")
    if pad != expected:
        raise ConfigError(f"{path}: tokenizer's <|image_pad|> id {pad} != config.json image_token_id {expected}")
    return QwenInputs(tokenizer, pad, image_size)


def _has_torchvision() -> bool:
    from importlib.util import find_spec

    return find_spec("torchvision") is not None


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
