from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from gazebench.adapter import Adapter, FitContext, ImageBatch, InputSpec
from gazebench.engine.fit import checkpoint_dir, fingerprint, load_or_fit
from gazebench.outputs import Probabilities
from gazebench.task import get_task


class Counting(Adapter):
    """A one-parameter model that records how often it is fitted."""

    spec = InputSpec(image_size=8)
    fits = 0

    def __init__(self) -> None:
        self.w = torch.zeros(3)

    @property
    def trainable(self) -> bool:
        return True

    def fit(self, ctx: FitContext) -> None:
        Counting.fits += 1
        self.w = torch.arange(3, dtype=torch.float32) + ctx.seed

    def state_dict(self) -> dict[str, torch.Tensor]:
        return {"w": self.w}

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        self.w = state["w"]

    def classify(self, batch: ImageBatch) -> Probabilities:
        return Probabilities(probs=np.zeros((len(batch.ids), 14)))


def _ctx(workdir: Path) -> FitContext:
    return FitContext(task=get_task("mimic-eye"), train=(), val=(), batches=lambda *a: iter(()),
                      device=torch.device("cpu"), seed=4, workdir=workdir)


def test_second_load_reuses_checkpoint_without_fitting() -> None:
    fp = fingerprint("counting", {"a": 1}, "datasha", 4, {}, "cpu", "fp32")
    Counting.fits = 0
    first = Counting()
    assert load_or_fit(first, fp, _ctx, lambda _: None) is False
    assert (checkpoint_dir(fp) / "model.safetensors").is_file() and (checkpoint_dir(fp) / "meta.json").is_file()
    second = Counting()
    assert load_or_fit(second, fp, _ctx, lambda _: None) is True
    assert Counting.fits == 1 and torch.equal(second.w, first.w)
    assert not any(p.name.endswith(".work") for p in checkpoint_dir(fp).parent.iterdir())


def test_fingerprint_covers_config_data_seed_weights_device_and_precision() -> None:
    def fp(model: str = "m", config: dict | None = None, data: str = "d", seed: int = 0,
           weights: dict[str, str] | None = None, device: str = "cpu", precision: str = "fp32") -> str:
        return fingerprint(model, config or {"a": 1}, data, seed, weights or {}, device, precision)

    base = fp()
    assert base == fp()
    variants = {fp(config={"a": 2}), fp(data="e"), fp(seed=1), fp(model="n"), fp(weights={"backbone": "ab"}),
                fp(device="cuda"), fp(precision="bf16"), fp(device="cuda", precision="bf16")}
    assert len(variants | {base}) == 9
