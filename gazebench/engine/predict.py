"""Chunked, flushed, resumable, data-parallel prediction: each chunk of samples becomes one atomically written
CSV (ids, scores, predicted gaze cells) plus, for models that return saliency maps, a float32 `.npy` beside it
(maps are hundreds of numbers per image: binary keeps them exact and off the hot path of text formatting).

A rerun reads the ids already on disk and predicts only the rest, in sorted id order, so an interrupted run
ends with the predictions (and therefore the scores) of an uninterrupted one. Under a launcher each rank
predicts a rank-strided share of those sorted pending ids into its own chunk files, `chunk-rank<R>of<N>-<k>.csv`
(a one-process run writes `chunk-<k>.csv`): names no other rank, nor a relaunch with another number of
processes, can write, so a folder may hold chunks of several launches and is read as one. pandas and torch
are imported where a chunk is predicted and written: reading what is on disk needs neither.
"""
from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from gazebench.adapter import Adapter, Query
from gazebench.engine.distributed import ONE_PROCESS, Ranks
from gazebench.engine.failures import model_failure
from gazebench.engine.kinds import Kind
from gazebench.engine.loader import Group, PixelTransform, predict_batches
from gazebench.engine.predictions import DIAGNOSTIC_PREFIX, FLOAT_FORMAT, SALIENCY_SUFFIX, chunk_files, predicted_ids
from gazebench.engine.rundir import atomic_write_bytes, atomic_write_text
from gazebench.errors import GazebenchError
from gazebench.outputs import Output
from gazebench.records import Sample
from gazebench.runtime import inference

if TYPE_CHECKING:
    import pandas as pd
    import torch

Progress = Callable[[int], None]


def pending(samples: Sequence[Sample], folder: Path) -> list[Sample]:
    """The samples of `samples` not yet predicted in `folder`, sorted by id (the order every rank shards)."""
    done = predicted_ids(folder) if Path(folder).is_dir() else set()
    return sorted((s for s in samples if s.sample_id not in done), key=lambda s: s.sample_id)


def batch_plan(todo: Sequence[Sample], batch_size: int, chunk_size: int) -> list[Group]:
    """`todo` cut into batches of `batch_size` that never straddle a chunk of `chunk_size`: the one-process
    layout, which ranks share batch by batch so every image meets the same batch-mates whatever the world size
    (batched CPU kernels need not give a row the same last bits in another batch)."""
    return [tuple(todo[k:min(k + batch_size, start + chunk_size)])
            for start in range(0, len(todo), chunk_size)
            for k in range(start, min(start + chunk_size, len(todo)), batch_size)]


def predict_split(adapter: Adapter, samples: Sequence[Sample], folder: Path, *, kind: Kind, batch_size: int,
                  chunk_size: int, device: torch.device, precision: str = "auto",
                  progress: Progress | None = None, queries: Mapping[str, Query] | None = None,
                  transform: PixelTransform | None = None) -> int:
    """Predict, in this one process, every item of `samples` not already in `folder` with `kind`'s model method,
    under `precision` (see gazebench.runtime.autocast), images altered by `transform` in a probe run;
    returns how many were predicted now. `samples` are the task's items (gazebench.engine.kinds) and `queries`
    their queries by item id (None: the items carry no query)."""
    todo = pending(samples, folder)
    if progress is not None and len(todo) < len(samples):
        progress(len(samples) - len(todo))
    return predict_samples(adapter, batch_plan(todo, batch_size, chunk_size), folder, kind=kind,
                           chunk_size=chunk_size, device=device, precision=precision, progress=progress,
                           queries=queries, transform=transform)


def predict_samples(adapter: Adapter, groups: Sequence[Group], folder: Path, *, kind: Kind, chunk_size: int,
                    device: torch.device, precision: str = "auto", progress: Progress | None = None,
                    ranks: Ranks = ONE_PROCESS, queries: Mapping[str, Query] | None = None,
                    transform: PixelTransform | None = None) -> int:
    """Predict the batches `groups` (none of their samples on disk yet) into chunk files of `ranks`' own name,
    flushing one once it holds `chunk_size` rows; returns the number of samples. Rows are held one chunk at a
    time: memory does not grow with the number of samples. `kind`, `queries` and `transform` as in
    `predict_split`."""
    folder.mkdir(parents=True, exist_ok=True)
    prefix = chunk_prefix(ranks)
    mine = [f.name[len(prefix):-len(".csv")] for f in chunk_files(folder) if f.name.startswith(prefix)]
    next_chunk = 1 + max((int(k) for k in mine if k.isdigit()), default=-1)
    total = sum(len(g) for g in groups)
    parts: list[tuple[pd.DataFrame, np.ndarray | None]] = []
    filled = predicted = 0
    # one prefetching loader across chunks
    for number, (group, batch) in enumerate(predict_batches(groups, adapter.spec, device, queries, transform), 1):
        try:
            with inference(device, precision):
                out = kind.predict(adapter, batch)
        except GazebenchError:  # the harness's own check of the output (already one line)
            raise
        except Exception as exc:  # the model's own code: one line here, the traceback in the run's log
            raise model_failure(f"{type(adapter).__qualname__}.{kind.method}", number, len(groups), group,
                                exc) from exc
        # ids from the engine's own samples, never from the batch
        parts.append(_frame(group, out, adapter, kind))
        filled, predicted = filled + len(group), predicted + len(group)
        if progress is not None:
            progress(len(group))
        if filled >= chunk_size or predicted == total:
            _write_chunk(folder / f"{prefix}{next_chunk:05d}.csv", parts)
            next_chunk, parts, filled = next_chunk + 1, [], 0
    return total


def chunk_prefix(ranks: Ranks) -> str:
    """`chunk-` in one process, `chunk-rank<R>of<N>-` for rank R of N: distinct for every (rank, world size)."""
    return "chunk-" if ranks.world == 1 else f"chunk-rank{ranks.rank}of{ranks.world}-"


def _write_chunk(path: Path, parts: list[tuple[pd.DataFrame, np.ndarray | None]]) -> None:
    """The saliency sidecar first, then the CSV: a chunk counts as done once its CSV exists."""
    import pandas as pd

    maps = [m for _, m in parts if m is not None]
    if maps:
        buffer = io.BytesIO()
        np.save(buffer, np.concatenate(maps).astype(np.float32), allow_pickle=False)
        atomic_write_bytes(path.with_suffix(SALIENCY_SUFFIX), buffer.getvalue())
    frame = pd.concat([f for f, _ in parts], ignore_index=True)
    atomic_write_text(path, frame.to_csv(index=False, float_format=FLOAT_FORMAT))


def _frame(samples: tuple[Sample, ...], out: Output, adapter: Adapter,
           kind: Kind) -> tuple[pd.DataFrame, np.ndarray | None]:
    """One batch's rows (ids, the kind's output columns, diagnostics) and binary maps, checked by the kind."""
    import pandas as pd

    ids = [s.sample_id for s in samples]
    cols: dict[str, object] = {"sample_id": ids, "patient_id": [s.patient_id for s in samples]}
    cols.update(kind.columns(out, ids, adapter.spec.image_size, adapter))
    for name, values in out.diagnostics.items():
        if values.shape != (len(ids),):
            raise GazebenchError(f"model {type(adapter).__name__} returned diagnostic {name!r} of shape "
                                 f"{values.shape}, expected ({len(ids)},)")
        cols[f"{DIAGNOSTIC_PREFIX}{name}"] = values
    return pd.DataFrame(cols), kind.maps(out, ids, adapter)
