"""The embedded default data: a deterministic simulated reader study (chest-radiograph phantoms, a simulated
radiologist's gaze and dictation) written in the real MIMIC-EYE, CheXpert, RSNA and SIIM-ACR formats.
It is a simulation; every dataset generated here says so (SIMULATED.json, version "simulated-v4")."""
from __future__ import annotations

from gazebench.synthetic.sizes import SIZES
from gazebench.synthetic.study import GENERATOR_VERSION, ensure_default, generate

__all__ = ["GENERATOR_VERSION", "SIZES", "ensure_default", "generate"]
