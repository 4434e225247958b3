"""What a generative VLM is fed: the `InputBuilder` interface (harness pixels + one prompt, optionally an
assistant-turn continuation → model inputs, left-padded) and its two implementations: the checkpoint's own
processor and chat template (`ProcessorInputs`), and Qwen2.5-VL inputs built without a processor
(`QwenInputs`: gazebench.vlm.vision_input + gazebench.vlm.chat), so answer-likelihood scoring and generation
have one code path for every architecture."""
from __future__ import annotations

from typing import Any, Protocol, cast

import numpy as np
import torch
from transformers import PreTrainedTokenizerBase

from gazebench.adapter import InputSpec
from gazebench.errors import ConfigError
from gazebench.vlm.chat import PromptBuilder
from gazebench.vlm.vision_input import MERGE, PATCH, merged_grid, qwen_input_spec, to_qwen_pixels


class InputBuilder(Protocol):
    """Pixels (normalised to `spec`) + one prompt for every row → the model's input tensors, left-padded so
    every row ends at the last column (where the next-token distribution is read)."""

    @property
    def spec(self) -> InputSpec:
        """The harness-side input contract the pixels arrive in."""
        ...

    @property
    def tokenizer(self) -> PreTrainedTokenizerBase:
        """The tokenizer of the prompt (answers and generated text use it too)."""
        ...

    def build(self, pixels: torch.Tensor, prompt: str, continuation: str = "") -> dict[str, torch.Tensor]:
        """(B, 3, S, S) images, the user prompt (one image before it), and text already in the assistant turn."""
        ...

    def record(self) -> dict[str, str]:
        """What built the inputs (classes used), for the run's config."""
        ...


def to_uint8_images(pixels: torch.Tensor) -> list[np.ndarray]:
    """(B, 3, S, S) images in [0, 1] → (S, S, 3) uint8 arrays, the input every image processor accepts."""
    arr = (pixels.detach().float().clamp(0, 1) * 255).round().to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy()
    return list(arr)


class ProcessorInputs:
    """The checkpoint's own processor: its chat template (one image, then the prompt), its image processor on
    [0, 1] pixels, its tokenizer set to pad on the left."""

    def __init__(self, processor: Any, image_size: int) -> None:
        tokenizer = getattr(processor, "tokenizer", None)
        if tokenizer is None:
            raise ConfigError(f"the processor {type(processor).__name__} has no tokenizer")
        tokenizer.padding_side = "left"
        self.processor = processor
        self._tokenizer = cast(PreTrainedTokenizerBase, tokenizer)
        self._spec = InputSpec(image_size=image_size, channels=3, mean=(0.0,) * 3, std=(1.0,) * 3)

    @property
    def spec(self) -> InputSpec:
        return self._spec

    @property
    def tokenizer(self) -> PreTrainedTokenizerBase:
        return self._tokenizer

    def prompt_text(self, prompt: str) -> str:
        """The prompt in the chat template with one image; a processor without a template (e.g. PaliGemma)
        gets the bare prompt and places the image tokens itself."""
        if getattr(self.processor, "chat_template", None) is None:
            return prompt
        messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": prompt}]}]
        return cast(str, self.processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False))

    def build(self, pixels: torch.Tensor, prompt: str, continuation: str = "") -> dict[str, torch.Tensor]:
        images = [[image] for image in to_uint8_images(pixels)]
        text = self.prompt_text(prompt) + continuation
        out = self.processor(text=[text] * len(images), images=images, padding=True, return_tensors="pt")
        # PaliGemma's processor also returns LM `labels`: a loss is not wanted, and it would not match kept logits
        return {k: v for k, v in out.items() if isinstance(v, torch.Tensor) and k != "labels"}

    def record(self) -> dict[str, str]:
        image = getattr(self.processor, "image_processor", self.processor)
        return {"input_builder": type(self).__name__, "processor": type(self.processor).__name__,
                "image_processor": type(image).__name__}


class QwenInputs:
    """Qwen2.5-VL inputs without its processor (which needs torchvision in transformers 5): the tokenizer's chat
    template with the image pad expanded to the merged-token count, `mm_token_type_ids` (without which Qwen
    falls back to 1-D positions), and pixels patchified as the Qwen2-VL image processor does. Every row has the
    same prompt and image size, so the same length: no padding is ever needed."""

    def __init__(self, tokenizer: PreTrainedTokenizerBase, image_token_id: int, image_size: int) -> None:
        if image_size % (PATCH * MERGE):
            raise ConfigError(f"image_size={image_size}: Qwen2.5-VL inputs need a multiple of {PATCH * MERGE}")
        self._tokenizer = tokenizer
        self.image_token_id = image_token_id
        self.image_size = image_size
        self._spec = qwen_input_spec(image_size, predicts_gaze=False)
        self._prefixes: dict[str, tuple[int, ...]] = {}

    @property
    def spec(self) -> InputSpec:
        return self._spec

    @property
    def tokenizer(self) -> PreTrainedTokenizerBase:
        return self._tokenizer

    def prefix_ids(self, prompt: str) -> tuple[int, ...]:
        """The chat-template prompt with the image pad expanded, ending at the assistant turn (memoised)."""
        if prompt not in self._prefixes:
            rows, cols = merged_grid(self.image_size)
            builder = PromptBuilder(self.tokenizer, self.image_token_id, (), rows * cols, prompt)
            self._prefixes[prompt] = tuple(builder.prefix_ids)
        return self._prefixes[prompt]

    def build(self, pixels: torch.Tensor, prompt: str, continuation: str = "") -> dict[str, torch.Tensor]:
        tail = list(self.tokenizer(continuation, add_special_tokens=False)["input_ids"]) if continuation else []
        row = torch.tensor([*self.prefix_ids(prompt), *tail], dtype=torch.long)
        ids = row.unsqueeze(0).expand(pixels.shape[0], -1).contiguous()
        pixel_values, grid = to_qwen_pixels(pixels)
        return {"input_ids": ids, "attention_mask": torch.ones_like(ids),
                "mm_token_type_ids": (ids == self.image_token_id).to(torch.int32),
                "pixel_values": pixel_values, "image_grid_thw": grid}

    def record(self) -> dict[str, str]:
        return {"input_builder": type(self).__name__, "tokenizer": type(self.tokenizer).__name__}
