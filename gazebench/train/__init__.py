"""Model-agnostic training plumbing shared by the reference model and the VLM baselines: one stage
(`run_stage`), the staged driver (`fit_stages`), and the label targets / masked BCE / macro AUROC."""
from gazebench.train.driver import fit_stages
from gazebench.train.labels import label_targets, macro_auroc, masked_bce
from gazebench.train.loop import Stage, StageResult, derive_seed, run_stage

__all__ = ["Stage", "StageResult", "derive_seed", "fit_stages", "label_targets", "macro_auroc", "masked_bce",
           "run_stage"]
