"""Model-agnostic training plumbing every trainable model shares: one stage loop (`run_stage`), the staged
driver (`fit_stages`), the precision policy, and the label targets / masked BCE / macro AUROC."""
from gazebench.runtime import autocast
from gazebench.train.driver import auroc_validator, fit_stages
from gazebench.train.labels import label_targets, macro_auroc, masked_bce
from gazebench.train.loop import Stage, StageResult, derive_seed, run_stage
from gazebench.train.precision import fit_precision

__all__ = ["Stage", "StageResult", "auroc_validator", "autocast", "derive_seed", "fit_precision", "fit_stages",
           "label_targets", "macro_auroc", "masked_bce", "run_stage"]
