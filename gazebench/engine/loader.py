"""Samples → batches built to a model's InputSpec (resize, channel replication, normalisation): TrainBatches
(whole samples) for `fit`, ImageBatches (only what the spec declares) for `predict`.

The next batch is read from the image cache on a background thread while the model runs on the
current one, so image loading hides behind the forward pass. torch is imported where a tensor is made, so
importing the loader (the session does) costs nothing.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np

from gazebench.adapter import ImageBatch, InputSpec, Query, TrainBatch, predict_inputs
from gazebench.records import Sample

if TYPE_CHECKING:
    import torch

Group = tuple[Sample, ...]


PixelTransform = Callable[[np.ndarray], np.ndarray]
"""(B, S, S) grey images in [0, 1] → the images a probe run shows the model (gazebench.engine.transforms)."""


def pixels(samples: Sequence[Sample], spec: InputSpec, transform: PixelTransform | None = None) -> torch.Tensor:
    """(B, C, S, S) float32 CPU tensor: cached grey images in [0, 1] (altered by `transform` in a probe run),
    replicated to C channels, normalised."""
    import torch

    from gazebench.data.images import load_image

    grey = np.stack([load_image(s.image_path, spec.image_size) for s in samples]).astype(np.float32, copy=False)
    if transform is not None:
        grey = transform(grey)
    x = torch.from_numpy(grey).unsqueeze(1)
    mean = torch.tensor(spec.mean, dtype=torch.float32).view(1, -1, 1, 1)
    std = torch.tensor(spec.std, dtype=torch.float32).view(1, -1, 1, 1)
    return (x.expand(-1, spec.channels, -1, -1) - mean) / std


def batches(samples: Sequence[Sample], spec: InputSpec, batch_size: int, device: torch.device,
            order: Sequence[int] | None = None) -> Iterator[TrainBatch]:
    """Yield TrainBatches of `batch_size` in `order` (default: as given), prefetching one batch ahead."""
    idx = list(range(len(samples))) if order is None else list(order)
    groups = [tuple(samples[i] for i in idx[k:k + batch_size]) for k in range(0, len(idx), batch_size)]
    return (TrainBatch(samples=group, pixels=x) for group, x in prefetched(groups, spec, device))


def predict_batches(groups: Sequence[Group], spec: InputSpec, device: torch.device,
                    queries: Mapping[str, Query] | None = None,
                    transform: PixelTransform | None = None) -> Iterator[tuple[Group, ImageBatch]]:
    """Each group with the ImageBatch a kind method gets for it (ids, pixels, the items' queries, and gaze/labels/
    references only as `spec` declares); the engine keeps the group to write its rows, the model never sees it."""
    for group, x in prefetched(groups, spec, device, transform):
        batch_queries = None if queries is None else [queries[s.sample_id] for s in group]
        yield group, predict_inputs(group, x, spec, batch_queries)


def prefetched(groups: Sequence[Group], spec: InputSpec, device: torch.device,
               transform: PixelTransform | None = None) -> Iterator[tuple[Group, torch.Tensor]]:
    """Each group with its pixels on `device`, the next group's pixels read on a background thread meanwhile."""
    if not groups:
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending: Future[torch.Tensor] = pool.submit(pixels, groups[0], spec, transform)
        for k, group in enumerate(groups):
            x = pending.result()
            if k + 1 < len(groups):
                pending = pool.submit(pixels, groups[k + 1], spec, transform)
            yield group, x.to(device, non_blocking=True)


BatchFactory = Callable[[Group, int, bool], Iterator[TrainBatch]]


def shuffled_batches(seed: int, spec: InputSpec, device: torch.device) -> BatchFactory:
    """The `FitContext.batches` callable: shuffles with one seeded generator, so epochs differ yet repeat."""
    rng = np.random.default_rng(seed)

    def make(samples: Group, batch_size: int, shuffle: bool) -> Iterator[TrainBatch]:
        order = rng.permutation(len(samples)).tolist() if shuffle else None
        return batches(samples, spec, batch_size, device, order)

    return make
