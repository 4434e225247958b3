"""The gaze-token reference model ("Thinking with Gaze") and the Qwen2.5-VL plumbing the VLM baselines share.

Importing this package registers the models `original-gaze`, `shuffled-gaze` and `random-gaze`.
"""
from gazebench.reference_model.adapter import GazeTokenAdapter
from gazebench.reference_model.config import GazeModelConfig, default_config
from gazebench.reference_model.vlm_adapter import Inference, VLMAdapter

__all__ = ["GazeModelConfig", "GazeTokenAdapter", "Inference", "VLMAdapter", "default_config"]
