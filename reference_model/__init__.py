"""The gaze-token reference model ("Thinking with Gaze") and the Qwen2.5-VL plumbing the VLM baselines share.

Importing this package registers the models `original-gaze`, `shuffled-gaze` and `random-gaze`.
"""
from gazebench.reference_model.adapter import GazeTokenAdapter, Inference
from gazebench.reference_model.config import GazeModelConfig, default_config

__all__ = ["GazeModelConfig", "GazeTokenAdapter", "Inference", "default_config"]
