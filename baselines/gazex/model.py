"""`GazeXModel`: Qwen2.5-VL (fully trained on a random-weight backbone, frozen + LoRA on real weights) trained by
the LM loss on text targets alone (no heads); one image
and one instruction per row, rows of different instructions batched together (right-padded for training,
left-padded for greedy generation and answer likelihoods)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
from torch import nn

from gazebench.train.checkpoint import load_params
from gazebench.vlm.backbone import RANDOM_CONFIGS, Backbone, QwenVL
from gazebench.vlm.chat import IGNORE, PromptBatch, PromptBuilder
from gazebench.vlm.config import VLMConfig
from gazebench.vlm.generate import greedy
from gazebench.vlm.likelihood import answer_logprobs, answer_token_ids
from gazebench.vlm.model import encode, lm_loss, trainable_backbone, unwrap
from gazebench.vlm.vision_input import to_qwen_pixels


def pack(rows: Sequence[list[int]], targets: Sequence[list[int]], pad_id: int, image_token_id: int,
         left: bool) -> PromptBatch:
    """Token rows padded to one length (on the left for generation, else on the right), with their LM labels."""
    length = max(len(r) for r in rows)
    ids = torch.full((len(rows), length), pad_id, dtype=torch.long)
    labels = torch.full((len(rows), length), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(rows), length), dtype=torch.long)
    for i, (row, tgt) in enumerate(zip(rows, targets, strict=True)):
        span = slice(length - len(row), length) if left else slice(0, len(row))
        ids[i, span] = torch.tensor(row)
        labels[i, span] = torch.tensor(tgt)
        mask[i, span] = 1
    return PromptBatch(ids, mask, (ids == image_token_id).to(torch.int32), labels)


class GazeXModel(nn.Module):
    """Qwen2.5-VL answering instructions in text, trained as `cfg.tuning` says (LoRA on the random-weight tiny
    backbone also trains its word embeddings and LM head: random rows carry no meaning to adapt)."""

    def __init__(self, backbone: Backbone, cfg: VLMConfig) -> None:
        super().__init__()
        self.tokenizer = backbone.tokenizer
        self.image_token_id = backbone.image_token_id
        rows, cols = cfg.grid
        self.n_visual = rows * cols
        self.lm = trainable_backbone(backbone, cfg)
        if backbone.name in RANDOM_CONFIGS:  # LoRA on a random backbone: its word rows are random too, train them
            self.qwen.get_input_embeddings().requires_grad_(True)
            self.qwen.lm_head.requires_grad_(True)
        self._prefixes: dict[str, list[int]] = {}
        pad = self.tokenizer.pad_token_id
        self.pad_id = int(pad) if pad is not None else 0

    @property
    def qwen(self) -> QwenVL:
        return unwrap(self.lm)

    def prefix(self, instruction: str) -> list[int]:
        """Chat prompt ids for one image and `instruction`, up to the assistant turn (cached per instruction)."""
        if instruction not in self._prefixes:
            builder = PromptBuilder(self.tokenizer, self.image_token_id, (), self.n_visual, instruction)
            self._prefixes[instruction] = builder.prefix_ids
        return self._prefixes[instruction]

    def text_ids(self, text: str) -> list[int]:
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def forward(self, pixels: torch.Tensor, instructions: Sequence[str], targets: Sequence[str],
                image_index: torch.Tensor) -> torch.Tensor:
        """Mean next-token CE of each row's target text (and the closing <|im_end|>) after its prompt; row i asks
        about image `image_index[i]` of `pixels` (each image is encoded once)."""
        end = self.text_ids("<|im_end|>")
        rows, labels = [], []
        for instruction, target in zip(instructions, targets, strict=True):
            head, tail = self.prefix(instruction), self.text_ids(target) + end
            rows.append(head + tail)
            labels.append([IGNORE] * len(head) + tail)
        prompt = pack(rows, labels, self.pad_id, self.image_token_id, left=False).to(pixels.device)
        return lm_loss(self.qwen, encode(self.qwen, pixels, prompt, image_index.to(pixels.device)), prompt.lm_labels)

    def prompts(self, instructions: Sequence[str], device: torch.device) -> PromptBatch:
        rows = [self.prefix(i) for i in instructions]
        return pack(rows, [[IGNORE] * len(r) for r in rows], self.pad_id, self.image_token_id, left=True).to(device)

    def generate(self, pixels: torch.Tensor, instructions: Sequence[str], max_new_tokens: int) -> list[str]:
        """Greedy continuations of each row's prompt, decoded without special tokens."""
        return greedy(self.qwen, self.tokenizer, self.prompts(instructions, pixels.device), pixels, max_new_tokens)

    def answer_probability(self, pixels: torch.Tensor, questions: Sequence[str],
                           answers: Sequence[str]) -> torch.Tensor:
        """(B, A) probability of each answer among `answers` after each row's question (answer likelihood)."""
        prompt = self.prompts(questions, pixels.device)
        pixel_values, grid_thw = to_qwen_pixels(pixels)
        inputs = {"input_ids": prompt.input_ids, "attention_mask": prompt.attention_mask,
                  "mm_token_type_ids": prompt.mm_token_type_ids}

        def forward(batch: Mapping[str, torch.Tensor], keep: int) -> torch.Tensor:
            return self.qwen(**batch, pixel_values=pixel_values, image_grid_thw=grid_thw, use_cache=False,
                             logits_to_keep=keep).logits

        with torch.no_grad():
            logprobs = answer_logprobs(forward, inputs, answer_token_ids(self.tokenizer, answers))
        return torch.softmax(logprobs.float(), dim=-1)

    def trainable_state(self) -> dict[str, torch.Tensor]:
        """What trains: every backbone weight (full tuning) or the LoRA weights (and, on a random-weight backbone,
        its word embeddings and LM head)."""
        return {n: p.detach().cpu().contiguous() for n, p in self.named_parameters() if p.requires_grad}

    def load_trainable_state(self, state: dict[str, torch.Tensor]) -> None:
        load_params({n: p for n, p in self.named_parameters() if p.requires_grad}, state)
