"""`GazeVLM`: Qwen2.5-VL, fully trained (a random-weight backbone) or frozen + LoRA (peft, pretrained weights),
+ trainable gaze-token embedding rows + pointer gaze head + 14-label head. One forward gives pointer logits
(B, Q, N), label logits (B, 14) and, given reports, the LM loss.
The same module is the SFT baselines' model: built on a backbone without gaze tokens it pools the last prompt
token, and its optional pointer head (SFT-Heatmap) has that one token as its single query."""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, cast

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from torch import nn
from torch.nn import functional as F

from gazebench.train.checkpoint import load_params
from gazebench.vlm.backbone import Backbone, QwenVL
from gazebench.vlm.chat import IGNORE, PromptBatch, PromptBuilder
from gazebench.vlm.config import LANGUAGE_LORA_TARGETS, VISION_LORA_TARGETS, VLMConfig
from gazebench.vlm.heads import LabelHead, PointerGazeHead
from gazebench.vlm.layout import layout_cache
from gazebench.vlm.vision_input import to_qwen_pixels


@dataclass(frozen=True, eq=False)
class VLMOutput:
    """What one forward returns; `gaze_logits` is None for a model without a pointer head."""

    label_logits: torch.Tensor
    gaze_logits: torch.Tensor | None
    """(B, Q, N) pointer logits over the visual tokens: Q = K gaze tokens, or 1 (the pooled token) without."""
    lm_loss: torch.Tensor | None


def lora_wrap(backbone: Backbone, cfg: VLMConfig) -> PeftModel:
    """The backbone with LoRA on the LLM (and the vision tower when `cfg.lora_vision`), its gaze-token embedding
    rows trainable, and gradient checkpointing when `cfg` asks for it (docs/reference_model.md, LoRA)."""
    targets = LANGUAGE_LORA_TARGETS + (f"|{VISION_LORA_TARGETS}" if cfg.lora_vision else "")
    new_rows = {"embed_tokens": list(backbone.gaze_token_ids)} if backbone.gaze_token_ids else None
    lora = LoraConfig(r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
                      target_modules=targets, trainable_token_indices=new_rows)
    with warnings.catch_warnings():
        # peft 0.21 reads transformers' deprecated `is_gradient_checkpointing` (a FutureWarning) while wrapping;
        # checkpointing is enabled below, after wrapping, through the current API
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
        lm = cast(PeftModel, get_peft_model(backbone.model, lora))
    if cfg.gradient_checkpointing:
        enable_checkpointing(lm)
    return lm


def enable_checkpointing(model: QwenVL | PeftModel) -> None:
    """Gradient (activation) checkpointing without re-entrant autograd."""
    # transformers 5 renamed gradient_checkpointing_enable (now a deprecated alias) to activation_...
    enable = getattr(model, "activation_checkpointing_enable", None) or model.gradient_checkpointing_enable
    enable({"use_reentrant": False})


def trainable_backbone(backbone: Backbone, cfg: VLMConfig) -> nn.Module:
    """What trains of `backbone` under `cfg.tuning`: the whole model (`full`: a random-weight backbone has no
    pretrained features to keep) or LoRA on the frozen weights (`lora_wrap`); gradient checkpointing when asked."""
    if cfg.tuning == "lora":
        return lora_wrap(backbone, cfg)
    model = backbone.model.requires_grad_(True)
    if cfg.gradient_checkpointing:
        enable_checkpointing(model)
    return model


def unwrap(lm: nn.Module) -> QwenVL:
    """The Qwen2_5_VLForConditionalGeneration of `trainable_backbone`'s result (inside the peft wrapper, whose
    LoRA layers are injected in place, or the model itself when fully trained)."""
    return cast(QwenVL, lm.base_model.model if isinstance(lm, PeftModel) else lm)


def encode(qwen: QwenVL, pixels: torch.Tensor, prompt: PromptBatch,
           image_index: torch.Tensor | None = None) -> torch.Tensor:
    """Last-layer hidden states (B, L, d) of `qwen` for images (B, 3, S, S) and their token sequences; with
    `image_index` (B,), row i reads image `image_index[i]` of `pixels` (N, 3, S, S), and the vision tower runs
    once per image rather than once per row (a multitask model asks several instructions of one image).
    The grid- and layout-only tensors both forwards would recompute come from `layout_cache` (same values)."""
    pixel_values, grid_thw = to_qwen_pixels(pixels)
    layout = layout_cache(qwen.model)
    features = qwen.model.get_image_features(pixel_values, grid_thw, return_dict=True,
                                             **layout.vision_inputs(grid_thw))
    embeds: torch.Tensor | None = None
    encoded: dict[str, Any] | None = {"image": features}
    row_grid = grid_thw
    if image_index is not None:
        per_image = torch.stack(tuple(features.pooler_output))  # (N, n_visual, d)
        tokens = qwen.model.get_input_embeddings()(prompt.input_ids)
        visual = per_image[image_index].reshape(-1, tokens.shape[-1]).to(tokens.dtype)
        slots = (prompt.input_ids == qwen.config.image_token_id).unsqueeze(-1).expand_as(tokens)
        embeds, encoded, row_grid = tokens.masked_scatter(slots, visual), None, grid_thw[:1].expand(len(image_index), 3)
    position_ids, qwen.model.rope_deltas = layout.rope_index(prompt.input_ids, prompt.mm_token_type_ids,
                                                             prompt.attention_mask, row_grid)
    out = qwen.model(
        input_ids=prompt.input_ids, inputs_embeds=embeds, attention_mask=prompt.attention_mask,
        position_ids=position_ids, mm_token_type_ids=prompt.mm_token_type_ids, image_grid_thw=row_grid,
        mm_encoder_outputs=encoded, use_cache=False,
    )
    return out.last_hidden_state


def lm_loss(qwen: QwenVL, hidden: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Next-token CE on the positions `labels` keeps (not IGNORE); lm_head applied to those rows only."""
    target = labels[:, 1:]
    keep = target != IGNORE
    logits = qwen.lm_head(hidden[:, :-1][keep])
    return F.cross_entropy(logits.float(), target[keep])


class GazeVLM(nn.Module):
    """The trainable model; `trainable_state()` holds everything that is not the frozen backbone. `pointer`
    adds the pointer head (default: exactly when the backbone has gaze tokens)."""

    def __init__(self, backbone: Backbone, cfg: VLMConfig, pointer: bool | None = None) -> None:
        super().__init__()
        self.cfg = cfg
        self.gaze_token_ids = backbone.gaze_token_ids
        self.image_token_id = backbone.image_token_id
        rows, cols = cfg.grid
        self.prompts = PromptBuilder(backbone.tokenizer, backbone.image_token_id, backbone.gaze_token_ids,
                                     rows * cols)
        self.lm = trainable_backbone(backbone, cfg)
        d = backbone.hidden_size
        with_pointer = bool(backbone.gaze_token_ids) if pointer is None else pointer
        self.gaze_head = PointerGazeHead(d, cfg.key_dim) if with_pointer else None
        self.label_head = LabelHead(d)

    @property
    def qwen(self) -> QwenVL:
        return unwrap(self.lm)

    def encode(self, pixels: torch.Tensor, prompt: PromptBatch) -> torch.Tensor:
        """Last-layer hidden states (B, L, d) for images (B, 3, S, S) and their token sequences."""
        return encode(self.qwen, pixels, prompt)

    def forward(self, pixels: torch.Tensor, reports: list[str] | None = None) -> VLMOutput:
        """Pointer logits over the visual tokens, label logits, and the report LM loss when `reports` is given.
        The gaze tokens' states are the pointer's queries and their mean the pooled state; without gaze tokens
        the last prompt token's state is both."""
        b = pixels.shape[0]
        prompt = self.prompts.build(reports, batch_size=b).to(pixels.device)
        hidden = self.encode(pixels, prompt)
        ids = prompt.input_ids
        if self.gaze_token_ids:
            queries = torch.stack([hidden[ids == t] for t in self.gaze_token_ids], 1).float()
            pooled = queries.mean(1)
        else:
            pooled = hidden[:, len(self.prompts.prefix_ids) - 1].float()
            queries = pooled.unsqueeze(1)
        gaze_logits = None
        if self.gaze_head is not None:
            visual = hidden[ids == self.image_token_id].view(b, self.prompts.n_visual, -1).float()
            gaze_logits = self.gaze_head(queries, visual)
        label_logits = self.label_head(pooled)
        report_loss = lm_loss(self.qwen, hidden, prompt.lm_labels) if reports is not None else None
        return VLMOutput(label_logits, gaze_logits, report_loss)


    def trainable_state(self) -> dict[str, torch.Tensor]:
        """What trains: LoRA weights and the new gaze-token embedding rows (or the whole backbone under full
        tuning) and the heads (never a frozen backbone)."""
        return {n: p.detach().cpu().contiguous() for n, p in self.named_parameters() if p.requires_grad}

    def load_trainable_state(self, state: dict[str, torch.Tensor]) -> None:
        """Restore `trainable_state()`; missing or extra names are a ValueError listing them."""
        load_params({n: p for n, p in self.named_parameters() if p.requires_grad}, state)
