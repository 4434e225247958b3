"""`oracle`: a privileged sanity reference, never a competitor. It declares `privileged=True`, so the harness
hands it each image's raw labels (1 → 1, 0 → 0, uncertain → 0.5, blank → 0) and each item's reference, and
marks it on every table. It must score the ceiling: AUROC 1.0, IoU 1, VQA accuracy 1, BLEU 1 (it returns a
pointer to the reference report or answer, which scoring resolves from the data directory: no reference text
is written into the run), or the harness mis-aligns predictions and references. On scanpath tasks it returns
the first reading's gaze clusters and a report naming the image's positive labels."""
from __future__ import annotations

import numpy as np

from gazebench.adapter import Adapter, ImageBatch, InputSpec, Predictions, Provenance, register_model
from gazebench.engine.references import reference_pointer
from gazebench.task import KINDS

PHRASING = {"Lung Lesion": "Lung mass", "Support Devices": "Support device", "Pleural Other": "Pleural thickening"}
"""Wordings the CheXpert phrase lists recognise where the label name itself is not a mention phrase."""


def label_report(row: np.ndarray, labels: tuple[str, ...]) -> str:
    """One sentence per positive label ("Cardiomegaly."), for the labeler to read back."""
    return " ".join(f"{PHRASING.get(name, name)}." for name, code in zip(labels, row, strict=True)
                    if code == 1.0 and name != "No Finding")


@register_model("oracle")
class OracleAdapter(Adapter):
    """Reads the answers by declaration (track "privileged"): probabilities from `batch.labels`, every other
    kind's output from `batch.references`."""

    spec = InputSpec(image_size=16, privileged=True, kinds=KINDS)
    provenance = Provenance(source="gazebench built-in (privileged label oracle, sanity ceiling)")

    def predict(self, batch: ImageBatch) -> Predictions:
        if batch.labels is None:
            raise ValueError("oracle was given no labels: its spec must declare privileged=True")
        raw = batch.labels
        if batch.kind == "classification":
            return Predictions(probs=np.where(np.isnan(raw), 0.0, np.where(raw == -1.0, 0.5, raw)))
        refs = batch.references
        if refs is None:
            raise ValueError(f"oracle was given no references for a {batch.kind} batch")
        if batch.kind == "report":  # pointers, never the text: no report is written into a run directory
            return Predictions(reports=tuple(reference_pointer(i) for i in batch.ids))
        if batch.kind == "grounding":
            return Predictions(boxes=np.array(refs, dtype=np.float64).reshape(len(refs), 4))
        if batch.kind == "vqa":
            return Predictions(answers=tuple(reference_pointer(i) for i in batch.ids))
        reports = tuple(label_report(row, self.spec.labels) for row in raw)
        return Predictions(scanpath=tuple(np.asarray(r, dtype=np.float64) for r in refs), reports=reports)
