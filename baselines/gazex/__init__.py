"""`gazex` (a GazeX-style model: Qwen2.5-VL + LoRA trained multitask on gaze trajectory, report, grounding and
VQA text targets) and its ablations `gazex-no-gaze` and `gazex-shuffled`. Importing this package registers them."""
from gazebench.baselines.gazex.adapter import GazeXAdapter
from gazebench.baselines.gazex.config import GazeXConfig, gazex_config

__all__ = ["GazeXAdapter", "GazeXConfig", "gazex_config"]
