"""A third-party model found through the `gazebench.models` entry point group (no decorator, no import)."""
from __future__ import annotations

import numpy as np

from gazebench.adapter import Adapter, ImageBatch, InputSpec, Provenance
from gazebench.outputs import Probabilities


class ConstantAdapter(Adapter):
    """Predicts the image's mean grey level for every label: trivial, but it looks at the pixels."""

    spec = InputSpec(image_size=8)
    provenance = Provenance(source="gazebench-plugin-demo")

    def classify(self, batch: ImageBatch) -> Probabilities:
        grey = (batch.pixels.float().mean(dim=(1, 2, 3)).cpu().numpy() * 0.5 + 0.5).clip(0, 1)
        return Probabilities(probs=np.repeat(grey[:, None], len(self.spec.labels), axis=1))
