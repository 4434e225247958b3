"""`oracle`: a privileged sanity reference, never a competitor. It declares `privileged=True`, so the harness
hands it each image's raw labels (1 → 1, 0 → 0, uncertain → 0.5, blank → 0) and each item's reference, and
marks it on every table. It must score the ceiling: AUROC 1.0, IoU 1, VQA accuracy 1, BLEU 1 (it returns a
pointer to the reference report or answer, which scoring resolves from the data directory: no reference text
is written into the run), or the harness mis-aligns predictions and references. On scanpath tasks it returns
the first reading's gaze clusters and a report naming the image's positive labels."""
from __future__ import annotations

import numpy as np

from gazebench.adapter import Adapter, ImageBatch, InputSpec, Provenance, register_model
from gazebench.engine.references import reference_pointer
from gazebench.outputs import Answers, Boxes, Probabilities, Reports, Scanpaths

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

    spec = InputSpec(image_size=16, privileged=True)
    provenance = Provenance(source="gazebench built-in (privileged label oracle, sanity ceiling)")

    def classify(self, batch: ImageBatch) -> Probabilities:
        raw = _labels(batch)
        return Probabilities(probs=np.where(np.isnan(raw), 0.0, np.where(raw == -1.0, 0.5, raw)))

    def report(self, batch: ImageBatch) -> Reports:  # pointers, never the text: no report is written into a run
        _references(batch)
        return Reports(reports=tuple(reference_pointer(i) for i in batch.ids))

    def ground(self, batch: ImageBatch) -> Boxes:
        refs = _references(batch)
        return Boxes(boxes=np.array(refs, dtype=np.float64).reshape(len(refs), 4))

    def answer(self, batch: ImageBatch) -> Answers:
        _references(batch)
        return Answers(answers=tuple(reference_pointer(i) for i in batch.ids))

    def trace(self, batch: ImageBatch) -> Scanpaths:
        reports = tuple(label_report(row, self.spec.labels) for row in _labels(batch))
        return Scanpaths(scanpaths=tuple(np.asarray(r, dtype=np.float64) for r in _references(batch)),
                         reports=reports)


def _labels(batch: ImageBatch) -> np.ndarray:
    if batch.labels is None:
        raise ValueError("oracle was given no labels: its spec must declare privileged=True")
    return batch.labels


def _references(batch: ImageBatch) -> tuple[object, ...]:
    if batch.references is None:
        raise ValueError("oracle was given no references: its spec must declare privileged=True")
    return batch.references
