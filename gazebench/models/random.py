"""`random`: the chance baseline. Each probability is a stable hash of (seed, sample id, label), so it
depends neither on batch composition nor on run order, and reruns are bit-identical."""
from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

from gazebench.adapter import Adapter, ImageBatch, InputSpec, Predictions, Provenance, register_model


def hashed_uniform(seed: int, sample_id: str, label: str) -> float:
    """A uniform number in [0, 1) fixed by its three keys (blake2b, not Python's salted hash())."""
    digest = hashlib.blake2b(f"{seed}\x1f{sample_id}\x1f{label}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0**64


@register_model("random")
class RandomAdapter(Adapter):
    """Chance level: AUROC ≈ 0.5 on every task (its CI should contain 0.5)."""

    spec = InputSpec(image_size=16)
    provenance = Provenance(source="gazebench built-in (chance baseline)")

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def config(self) -> dict[str, Any]:
        return {"seed": self.seed}

    def predict(self, batch: ImageBatch) -> Predictions:
        probs = np.array([[hashed_uniform(self.seed, sid, label) for label in self.spec.labels] for sid in batch.ids])
        return Predictions(probs=probs.reshape(len(batch.ids), len(self.spec.labels)))
