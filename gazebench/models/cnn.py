"""`cnn`: a small, fast image-only classifier — the reference point between `random` and `oracle`.

Four strided conv blocks and a linear head on a 4×4 pooled map (so it keeps coarse location), trained
with BCE masked where labels are uncertain, early-stopped on the validate split's loss.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import nn

from gazebench.adapter import (
    Adapter,
    FitContext,
    ImageBatch,
    InputSpec,
    Provenance,
    TrainBatch,
    register_model,
)
from gazebench.labels import CHEXPERT_LABELS
from gazebench.options import (
    MAX_BATCH,
    MAX_EPOCHS,
    MAX_IMAGE_SIZE,
    MAX_LR,
    MAX_WEIGHT,
    MAX_WIDTH,
    check_fields,
    dataclass_options,
    option,
    with_options,
)
from gazebench.outputs import Probabilities
from gazebench.train import Stage, autocast, fit_precision, fit_stages, label_targets, masked_bce
from gazebench.train.loop import LossFn


def build_net(width: int, n_out: int) -> nn.Module:
    """conv(3×3, stride 2)-BN-ReLU ×4 → 4×4 average pool → linear."""
    chans = [1, width, 2 * width, 4 * width, 4 * width]
    layers: list[nn.Module] = []
    for c_in, c_out in zip(chans, chans[1:], strict=False):
        layers += [nn.Conv2d(c_in, c_out, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]
    head = [nn.AdaptiveAvgPool2d(4), nn.Flatten(), nn.Dropout(0.2), nn.Linear(16 * chans[-1], n_out)]
    return nn.Sequential(*layers, *head)


@dataclass(frozen=True)
class CNNConfig:
    """The CNN's options (`--model-arg KEY=VALUE`), checked before any data is read."""

    width: int = option(8, ge=1, le=MAX_WIDTH)
    """Channels of the first conv block (doubling to 4× width)."""
    image_size: int = option(128, ge=16, le=MAX_IMAGE_SIZE)
    """Square input side in pixels (four stride-2 blocks need at least 16)."""
    epochs: int = option(30, ge=1, le=MAX_EPOCHS)
    """Maximum training epochs (early stopping on the validate loss)."""
    patience: int = option(5, ge=1, le=MAX_EPOCHS)
    """Epochs without a lower validate loss before stopping."""
    lr: float = option(3e-3, gt=0, le=MAX_LR)
    """AdamW learning rate."""
    weight_decay: float = option(1e-4, ge=0, le=MAX_WEIGHT)
    train_batch_size: int = option(32, ge=1, le=MAX_BATCH)
    """Images per training step (the global batch under several processes)."""

    def __post_init__(self) -> None:
        check_fields(self)


@register_model("cnn")
@with_options(dataclass_options(CNNConfig))
class SmallCNN(Adapter):
    """Image-only multi-label CNN; trains in seconds on CPU on the embedded default."""

    provenance = Provenance(source="gazebench built-in (small image-only CNN)")

    def __init__(self, **options: Any) -> None:
        """`options`: the fields of `CNNConfig` (CLI strings or JSON values); a bad one is a ConfigError."""
        cfg = CNNConfig(**dataclass_options(CNNConfig).parse(options, "cnn"))
        self.spec = InputSpec(image_size=cfg.image_size, channels=1, mean=(0.5,), std=(0.25,), labels=CHEXPERT_LABELS)
        self.hparams = asdict(cfg)
        self.net = build_net(cfg.width, len(self.spec.labels))
        self.device = torch.device("cpu")

    def config(self) -> dict[str, Any]:
        return dict(self.hparams)

    @property
    def trainable(self) -> bool:
        return True

    def to(self, device: torch.device) -> SmallCNN:
        self.device = device
        self.net.to(device)
        return self

    def state_dict(self) -> dict[str, torch.Tensor]:
        return dict(self.net.state_dict())

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        self.net.load_state_dict(state)

    def fit(self, ctx: FitContext) -> None:
        """AdamW on masked BCE through the shared training loop; keeps the weights of the epoch with the lowest
        validation loss (patience: epochs without a drop of more than 1e-4)."""
        hp = self.hparams
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(ctx.seed)
            self.net = build_net(hp["width"], len(self.spec.labels)).to(ctx.device)
        stage = Stage("cnn", hp["epochs"], hp["lr"], (("bce", 1.0),), hp["weight_decay"], patience=hp["patience"],
                      max_grad_norm=None, validated=True, mode="min", min_delta=1e-4)

        def losses(_: Stage, device: torch.device) -> LossFn:
            return lambda net, batch: {"bce": self._loss(net, batch, ctx, device)}

        fit_stages(self.net, ctx, [stage], losses, self._val_loss(ctx) if ctx.val else None, self.config(),
                   hp["train_batch_size"])

    def _loss(self, net: nn.Module, batch: TrainBatch, ctx: FitContext, device: torch.device) -> torch.Tensor:
        """Mean BCE over the batch's scored, certain labels (0 with no gradient signal if there are none)."""
        y = torch.as_tensor(label_targets(ctx, batch.samples), dtype=torch.float32, device=device)
        return masked_bce(net(batch.pixels.to(device)), y)

    def _val_loss(self, ctx: FitContext) -> Callable[[nn.Module, torch.device], float]:
        """Validation BCE summed over every scored, certain label of `ctx.val`, divided by their count."""
        precision = fit_precision(ctx)

        def validate(net: nn.Module, device: torch.device) -> float:
            total, count = 0.0, 0
            with torch.no_grad(), autocast(device, precision):
                for batch in ctx.batches(ctx.val, self.hparams["train_batch_size"], False):
                    y = torch.as_tensor(label_targets(ctx, batch.samples), dtype=torch.float32, device=device)
                    n = int(torch.isfinite(y).sum())
                    total, count = total + float(masked_bce(net(batch.pixels.to(device)), y)) * n, count + n
            return total / max(count, 1)
        return validate

    def classify(self, batch: ImageBatch) -> Probabilities:
        self.net.eval()
        logits = self.net(batch.pixels)
        return Probabilities(probs=torch.sigmoid(logits.float()).cpu().numpy())

