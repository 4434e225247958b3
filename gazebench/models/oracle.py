"""`oracle`: a privileged sanity reference, never a competitor. It declares `privileged=True`, so the harness
hands it each image's raw labels (1 → 1, 0 → 0, uncertain → 0.5, blank → 0) and marks it on every table.
AUROC must be 1.0 on every task, or the harness mis-aligns predictions and labels."""
from __future__ import annotations

import numpy as np

from gazebench.adapter import Adapter, ImageBatch, InputSpec, Predictions, Provenance, register_model


@register_model("oracle")
class OracleAdapter(Adapter):
    """Reads the answers by declaration (track "privileged"): probabilities straight from `batch.labels`."""

    spec = InputSpec(image_size=16, privileged=True)
    provenance = Provenance(source="gazebench built-in (privileged label oracle, sanity ceiling)")

    def predict(self, batch: ImageBatch) -> Predictions:
        if batch.labels is None:
            raise ValueError("oracle was given no labels: its spec must declare privileged=True")
        raw = batch.labels
        return Predictions(probs=np.where(np.isnan(raw), 0.0, np.where(raw == -1.0, 0.5, raw)))
