"""The gaze-token reference model ("Thinking with Gaze"): gaze tokens, their targets and loss, the three variants
and the evidence drawing, on the shared VLM plumbing of `gazebench.vlm`.

Importing this package registers the models `original-gaze`, `shuffled-gaze` and `random-gaze`.
"""
from gazebench.reference_model.adapter import GazeTokenAdapter
from gazebench.reference_model.config import GazeModelConfig, default_config

__all__ = ["GazeModelConfig", "GazeTokenAdapter", "default_config"]
