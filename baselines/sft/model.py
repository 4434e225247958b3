"""`SFTVLM`: the reference model's `GazeVLM` built on a backbone without gaze tokens (frozen Qwen2.5-VL +
LoRA + 14-label head on the last prompt token + report LM loss), plus for SFT-Heatmap a pointer head from that
token over the visual tokens whose softmax is the model's heatmap."""
from __future__ import annotations

from dataclasses import dataclass

import torch
from gazebench.baselines.sft.config import SFTConfig
from gazebench.reference_model.backbone import Backbone
from gazebench.reference_model.heads import PointerGazeHead
from gazebench.reference_model.model import GazeVLM


@dataclass(frozen=True, eq=False)
class SFTOutput:
    """What one forward returns; `heatmap_logits` (B, N) only for SFT-Heatmap, `lm_loss` only given reports."""

    label_logits: torch.Tensor
    heatmap_logits: torch.Tensor | None
    lm_loss: torch.Tensor | None


class SFTVLM(GazeVLM):
    """GazeVLM minus the gaze tokens; `trainable_state()` / `load_trainable_state()` are inherited."""

    def __init__(self, backbone: Backbone, cfg: SFTConfig) -> None:
        if backbone.gaze_token_ids:
            raise ValueError("SFT baselines are built on a backbone without gaze tokens (build_backbone(k=0))")
        super().__init__(backbone, cfg)  # type: ignore[arg-type]  # GazeVLM reads only the grid and LoRA fields
        self.heatmap_head = PointerGazeHead(backbone.hidden_size, cfg.key_dim) if cfg.heatmap else None

    def forward(self, pixels: torch.Tensor, reports: list[str] | None = None) -> SFTOutput:  # type: ignore[override]
        """Label logits from the last prompt token, heatmap logits over the visual tokens, LM loss on reports."""
        b = pixels.shape[0]
        prompt = self.prompts.build(reports, batch_size=b).to(pixels.device)
        hidden = self.encode(pixels, prompt)
        pooled = hidden[:, len(self.prompts.prefix_ids) - 1].float()
        heatmap_logits = None
        if self.heatmap_head is not None:
            visual = hidden[prompt.input_ids == self.image_token_id].view(b, self.prompts.n_visual, -1).float()
            heatmap_logits = self.heatmap_head(pooled.unsqueeze(1), visual).squeeze(1)
        lm_loss = self._lm_loss(hidden, prompt.lm_labels) if reports is not None else None
        return SFTOutput(self.label_head(pooled), heatmap_logits, lm_loss)
