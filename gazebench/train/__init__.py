"""Model-agnostic training plumbing shared by the reference model and the VLM baselines."""
from gazebench.train.loop import Stage, StageResult, derive_seed, run_stage

__all__ = ["Stage", "StageResult", "derive_seed", "run_stage"]
