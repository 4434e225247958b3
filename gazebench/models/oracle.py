"""`oracle`: reads each sample's labels (1 → 1, 0 → 0, uncertain → 0.5, blank → 0). A sanity ceiling:
AUROC must be 1.0 on every task, or the harness mis-aligns predictions and labels."""
from __future__ import annotations

import numpy as np

from gazebench.adapter import Adapter, ImageBatch, InputSpec, Predictions, Provenance, register_model
from gazebench.labels import label_indices


@register_model("oracle")
class OracleAdapter(Adapter):
    """Cheats on purpose: it is given the records, and answers from their labels."""

    spec = InputSpec(image_size=16)
    provenance = Provenance(source="gazebench built-in (label oracle, sanity ceiling)")

    def predict(self, batch: ImageBatch) -> Predictions:
        raw = np.array([s.labels for s in batch.samples], dtype=np.float64)[:, label_indices(self.spec.labels)]
        probs = np.where(np.isnan(raw), 0.0, np.where(raw == -1.0, 0.5, raw))
        return Predictions(probs=probs.reshape(len(batch.samples), len(self.spec.labels)))
