"""Instruction-tuned VLM baselines: `sft` (Qwen2.5-VL + LoRA + 14-label head + report LM loss, no gaze) and
`sft-heatmap` (the same plus a heatmap head trained by KL against the static gaze heatmap: "where", not
"order"). Importing this package registers both models."""
from gazebench.baselines.sft.adapter import SFTAdapter
from gazebench.baselines.sft.config import SFTConfig, sft_config

__all__ = ["SFTAdapter", "SFTConfig", "sft_config"]
