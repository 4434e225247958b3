"""Samples → ImageBatch built to a model's InputSpec (resize, channel replication, normalisation).

The next batch is read from the image cache on a background thread while the model runs on the
current one, so image loading hides behind the forward pass.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import torch

from gazebench.adapter import ImageBatch, InputSpec
from gazebench.records import Sample


def pixels(samples: Sequence[Sample], spec: InputSpec) -> torch.Tensor:
    """(B, C, S, S) float32 CPU tensor: cached grey images in [0, 1], replicated to C channels, normalised."""
    from gazebench.data.images import load_image

    grey = np.stack([load_image(s.image_path, spec.image_size) for s in samples]).astype(np.float32, copy=False)
    x = torch.from_numpy(grey).unsqueeze(1)
    mean = torch.tensor(spec.mean, dtype=torch.float32).view(1, -1, 1, 1)
    std = torch.tensor(spec.std, dtype=torch.float32).view(1, -1, 1, 1)
    return (x.expand(-1, spec.channels, -1, -1) - mean) / std


def batches(samples: Sequence[Sample], spec: InputSpec, batch_size: int, device: torch.device,
            order: Sequence[int] | None = None) -> Iterator[ImageBatch]:
    """Yield ImageBatches of `batch_size` in `order` (default: as given), prefetching one batch ahead."""
    idx = list(range(len(samples))) if order is None else list(order)
    return prefetched([tuple(samples[i] for i in idx[k:k + batch_size]) for k in range(0, len(idx), batch_size)],
                      spec, device)


def prefetched(groups: Sequence[tuple[Sample, ...]], spec: InputSpec, device: torch.device) -> Iterator[ImageBatch]:
    """One ImageBatch per group, the next group's pixels read on a background thread during the current one."""
    if not groups:
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending: Future[torch.Tensor] = pool.submit(pixels, groups[0], spec)
        for k, group in enumerate(groups):
            x = pending.result()
            if k + 1 < len(groups):
                pending = pool.submit(pixels, groups[k + 1], spec)
            yield ImageBatch(samples=group, pixels=x.to(device, non_blocking=True))


BatchFactory = Callable[[tuple[Sample, ...], int, bool], Iterator[ImageBatch]]


def shuffled_batches(seed: int, spec: InputSpec, device: torch.device) -> BatchFactory:
    """The `FitContext.batches` callable: shuffles with one seeded generator, so epochs differ yet repeat."""
    rng = np.random.default_rng(seed)

    def make(samples: tuple[Sample, ...], batch_size: int, shuffle: bool) -> Iterator[ImageBatch]:
        order = rng.permutation(len(samples)).tolist() if shuffle else None
        return batches(samples, spec, batch_size, device, order)

    return make
