"""`random`: the chance baseline for every task kind. Each number is a stable hash of (seed, item id, what), so
it depends neither on batch composition nor on run order, and reruns are bit-identical: probabilities, a box
per grounding query, an answer drawn from the question's answer set, a scanpath of random cluster centroids,
and one constant report (the chance level of report metrics is that of a fixed normal report)."""
from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

from gazebench.adapter import Adapter, ImageBatch, InputSpec, Provenance, register_model
from gazebench.outputs import Answers, Boxes, Probabilities, Reports, Scanpaths

CONSTANT_REPORT = "The lungs are clear. No pleural effusion or pneumothorax. Heart size is normal."
SCANPATH_CLUSTERS = 4


def hashed_uniform(seed: int, sample_id: str, label: str) -> float:
    """A uniform number in [0, 1) fixed by its three keys (blake2b, not Python's salted hash())."""
    digest = hashlib.blake2b(f"{seed}\x1f{sample_id}\x1f{label}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0**64


@register_model("random")
class RandomAdapter(Adapter):
    """Chance level: AUROC ≈ 0.5 on every classification task (its CI should contain 0.5), and the chance
    level of every other kind."""

    spec = InputSpec(image_size=16)
    provenance = Provenance(source="gazebench built-in (chance baseline)")

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def config(self) -> dict[str, Any]:
        return {"seed": self.seed}

    def _uniform(self, sid: str, keys: list[str]) -> np.ndarray:
        return np.array([hashed_uniform(self.seed, sid, k) for k in keys])

    def _box(self, sid: str) -> np.ndarray:
        """A box with uniform corners (sorted) in the input frame."""
        x = np.sort(self._uniform(sid, ["x1", "x2"])) * self.spec.image_size
        y = np.sort(self._uniform(sid, ["y1", "y2"])) * self.spec.image_size
        return np.array([x[0], y[0], x[1], y[1]])

    def _answer(self, sid: str, choices: tuple[str, ...] | None) -> str:
        """A uniform pick from the question's answer set; empty where the task declares none."""
        if not choices:
            return ""
        return choices[min(int(hashed_uniform(self.seed, sid, "answer") * len(choices)), len(choices) - 1)]

    def classify(self, batch: ImageBatch) -> Probabilities:
        probs = np.array([[hashed_uniform(self.seed, sid, label) for label in self.spec.labels] for sid in batch.ids])
        return Probabilities(probs=probs.reshape(len(batch.ids), len(self.spec.labels)))

    def report(self, batch: ImageBatch) -> Reports:
        return Reports(reports=(CONSTANT_REPORT,) * len(batch.ids))

    def ground(self, batch: ImageBatch) -> Boxes:
        return Boxes(boxes=np.array([self._box(sid) for sid in batch.ids]).reshape(len(batch.ids), 4))

    def answer(self, batch: ImageBatch) -> Answers:
        choices = batch.choices or (None,) * len(batch.ids)
        return Answers(answers=tuple(self._answer(sid, c) for sid, c in zip(batch.ids, choices, strict=True)))

    def trace(self, batch: ImageBatch) -> Scanpaths:
        keys = [f"c{k}{a}" for k in range(SCANPATH_CLUSTERS) for a in "xy"]
        paths = tuple(self._uniform(sid, keys).reshape(-1, 2) * self.spec.image_size for sid in batch.ids)
        return Scanpaths(scanpaths=paths, reports=(CONSTANT_REPORT,) * len(batch.ids))
