"""Model-agnostic training plumbing every trainable model shares: one stage loop (`run_stage`), the staged
driver (`fit_stages`), the precision policy, and the label targets / masked BCE / macro AUROC.
Each name is imported from its module on first use (PEP 562): `Stage` costs no torch, `fit_stages` does."""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names as the type checker sees them
    from gazebench.runtime import autocast
    from gazebench.train.driver import auroc_validator, fit_stages
    from gazebench.train.labels import label_targets, macro_auroc, masked_bce
    from gazebench.train.loop import derive_seed, run_stage
    from gazebench.train.precision import fit_precision
    from gazebench.train.stage import Stage, StageResult

_HOMES = {
    "Stage": "stage", "StageResult": "stage", "auroc_validator": "driver", "fit_stages": "driver",
    "label_targets": "labels", "macro_auroc": "labels", "masked_bce": "labels", "derive_seed": "loop",
    "run_stage": "loop", "fit_precision": "precision",
}
__all__ = ["Stage", "StageResult", "auroc_validator", "autocast", "derive_seed", "fit_precision", "fit_stages",
           "label_targets", "macro_auroc", "masked_bce", "run_stage"]


def __getattr__(name: str) -> Any:
    if name == "autocast":
        from gazebench.runtime import autocast

        return autocast
    if name in _HOMES:
        return getattr(import_module(f"gazebench.train.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
