"""The embedded default data: a deterministic simulated reader study (chest-radiograph phantoms, a simulated
radiologist's gaze and dictation) written in the real MIMIC-EYE, CheXpert, RSNA and SIIM-ACR formats.
It is a simulation; every dataset generated here says so (SIMULATED.json, version "simulated-v4").
The generator (`ensure_default`, `generate`) is imported on first use, so a command that only finds the cached
study (gazebench.synthetic.location) never imports it."""
from __future__ import annotations

from typing import Any

from gazebench.synthetic.location import GENERATOR_VERSION
from gazebench.synthetic.sizes import SIZES

__all__ = ["GENERATOR_VERSION", "SIZES", "ensure_default", "generate"]


def __getattr__(name: str) -> Any:
    if name in ("ensure_default", "generate"):
        from gazebench.synthetic import study

        return getattr(study, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
