"""Chunked, flushed, resumable, data-parallel prediction: each chunk of samples becomes one atomically written
CSV (ids, scores, predicted gaze cells) plus, for models that return saliency maps, a float32 `.npy` beside it
(maps are hundreds of numbers per image: binary keeps them exact and off the hot path of text formatting).

A rerun reads the ids already on disk and predicts only the rest, in sorted id order, so an interrupted run
ends with the predictions (and therefore the scores) of an uninterrupted one. Under a launcher each rank
predicts a rank-strided share of those sorted pending ids into its own chunk files, `chunk-rank<R>of<N>-<k>.csv`
(a one-process run writes `chunk-<k>.csv`): names no other rank, nor a relaunch with another number of
processes, can write, so a folder may hold chunks of several launches and is read as one.
"""
from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from gazebench.adapter import Adapter, Predictions, Query
from gazebench.data.images import read_npy
from gazebench.engine.distributed import ONE_PROCESS, Ranks
from gazebench.engine.loader import Group, PixelTransform, predict_batches
from gazebench.engine.rundir import atomic_write_bytes, atomic_write_text
from gazebench.errors import ConfigError, GazebenchError
from gazebench.records import Sample
from gazebench.runtime import inference

ID_COLUMNS = ("sample_id", "patient_id")
FLOAT_FORMAT = "%.9g"
"""Nine significant digits round-trip float32 exactly, so rereading a chunk loses nothing."""

DIAGNOSTIC_PREFIX = "d_"
"""Column prefix of a model's per-image diagnostics (`Predictions.diagnostics`)."""
SALIENCY_SUFFIX = ".saliency.npy"
"""Sidecar of chunk-N.csv holding its (rows, cells) float32 saliency maps."""
CHUNK_NAME = re.compile(r"chunk-(?:rank(\d+)of(\d+)-)?(\d+)\.csv")
"""`chunk-<k>.csv` (one process) or `chunk-rank<R>of<N>-<k>.csv` (rank R of N launched processes)."""

Progress = Callable[[int], None]


def read_predictions(folder: Path) -> pd.DataFrame:
    """All chunks in `folder` concatenated (empty frame if none), saliency maps as columns s0..;
    ids are read as strings."""
    files = _chunk_files(Path(folder))
    if not files:
        return pd.DataFrame(columns=list(ID_COLUMNS))
    frames = []
    for f in files:
        try:
            frame = pd.read_csv(f, dtype={c: str for c in ID_COLUMNS}, keep_default_na=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{f}: unreadable predictions chunk ({exc})") from None
        missing = [c for c in ID_COLUMNS if c not in frame.columns]
        if missing:
            raise ConfigError(f"{f}: predictions chunk without column(s) {', '.join(missing)}")
        frames.append(_with_saliency(frame, f.with_suffix(SALIENCY_SUFFIX)))
    df = pd.concat(frames, ignore_index=True)
    dup = df["sample_id"].duplicated()
    if dup.any():
        raise ConfigError(f"{folder}: sample {df['sample_id'][dup].iloc[0]!r} predicted twice")
    return df


def predicted_ids(folder: Path) -> set[str]:
    """Ids of the samples already predicted in `folder` (only the id column of each chunk is read)."""
    ids: set[str] = set()
    for f in _chunk_files(Path(folder)):
        try:
            ids.update(pd.read_csv(f, usecols=["sample_id"], dtype=str, keep_default_na=False)["sample_id"])
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as exc:
            raise ConfigError(f"{f}: unreadable predictions chunk ({exc})") from None
    return ids


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


def predict_split(adapter: Adapter, samples: Sequence[Sample], folder: Path, *, batch_size: int,
                  chunk_size: int, device: torch.device, precision: str = "auto",
                  progress: Progress | None = None, kind: str = "classification",
                  queries: Mapping[str, Query] | None = None, transform: PixelTransform | None = None) -> int:
    """Predict, in this one process, every sample of `samples` not already in `folder` under `precision` (see
    gazebench.runtime.autocast), images altered by `transform` in a probe run; returns how many were
    predicted now. For a task of another `kind` the samples are its items (gazebench.engine.kinds) and
    `queries` their queries by item id."""
    todo = pending(samples, folder)
    if progress is not None and len(todo) < len(samples):
        progress(len(samples) - len(todo))
    return predict_samples(adapter, batch_plan(todo, batch_size, chunk_size), folder, chunk_size=chunk_size,
                           device=device, precision=precision, progress=progress, kind=kind, queries=queries,
                           transform=transform)


def predict_samples(adapter: Adapter, groups: Sequence[Group], folder: Path, *, chunk_size: int,
                    device: torch.device, precision: str = "auto", progress: Progress | None = None,
                    ranks: Ranks = ONE_PROCESS, kind: str = "classification",
                    queries: Mapping[str, Query] | None = None, transform: PixelTransform | None = None) -> int:
    """Predict the batches `groups` (none of their samples on disk yet) into chunk files of `ranks`' own name,
    flushing one once it holds `chunk_size` rows; returns the number of samples. Rows are held one chunk at a
    time: memory does not grow with the number of samples. `kind`, `queries` and `transform` as in
    `predict_split`."""
    folder.mkdir(parents=True, exist_ok=True)
    prefix = chunk_prefix(ranks)
    mine = [f.name[len(prefix):-len(".csv")] for f in _chunk_files(folder) if f.name.startswith(prefix)]
    next_chunk = 1 + max((int(k) for k in mine if k.isdigit()), default=-1)
    total = sum(len(g) for g in groups)
    parts: list[tuple[pd.DataFrame, np.ndarray | None]] = []
    filled = predicted = 0
    # one prefetching loader across chunks
    for group, batch in predict_batches(groups, adapter.spec, device, kind, queries, transform):
        with inference(device, precision):
            out = adapter.predict(batch)
        # ids from the engine's own samples, never from the batch
        parts.append(_frame(group, out, adapter) if kind == "classification"
                     else (_kind_frame(group, out, adapter, kind), None))
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


def _chunk_files(folder: Path) -> list[Path]:
    """Chunk files in name order; any other chunk-looking file is a ConfigError (never silently read)."""
    files = sorted(folder.glob("chunk-*.csv"))
    stray = [f for f in files if not CHUNK_NAME.fullmatch(f.name)]
    if stray:
        raise ConfigError(f"{stray[0]}: not a predictions chunk written by gazebench (expected chunk-NNNNN.csv "
                          "or chunk-rank<R>of<N>-NNNNN.csv)")
    return files


def _write_chunk(path: Path, parts: list[tuple[pd.DataFrame, np.ndarray | None]]) -> None:
    """The saliency sidecar first, then the CSV: a chunk counts as done once its CSV exists."""
    maps = [m for _, m in parts if m is not None]
    if maps:
        buffer = io.BytesIO()
        np.save(buffer, np.concatenate(maps).astype(np.float32), allow_pickle=False)
        atomic_write_bytes(path.with_suffix(SALIENCY_SUFFIX), buffer.getvalue())
    frame = pd.concat([f for f, _ in parts], ignore_index=True)
    atomic_write_text(path, frame.to_csv(index=False, float_format=FLOAT_FORMAT))


def _with_saliency(frame: pd.DataFrame, sidecar: Path) -> pd.DataFrame:
    """`frame` with the sidecar's maps as columns s0.. (unchanged when the chunk has no sidecar)."""
    if not sidecar.is_file():
        return frame
    try:
        maps = read_npy(sidecar)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{sidecar}: unreadable saliency maps ({exc})") from None
    if maps.ndim != 2 or len(maps) != len(frame):
        raise ConfigError(f"{sidecar}: {maps.shape} saliency maps for {len(frame)} prediction rows")
    cells = pd.DataFrame(maps.astype(np.float64), columns=[f"s{k}" for k in range(maps.shape[1])])
    return pd.concat([frame, cells], axis=1)


def _frame(samples: tuple[Sample, ...], out: Predictions,
           adapter: Adapter) -> tuple[pd.DataFrame, np.ndarray | None]:
    """One batch's CSV rows and saliency maps, after checking the adapter kept its contract."""
    labels = adapter.spec.labels
    probs = _array(out.probs, (len(samples), len(labels)), "probs", adapter)
    if not np.isfinite(probs).all() or (probs < 0).any() or (probs > 1).any():
        raise GazebenchError(f"model {type(adapter).__name__} returned probabilities outside [0, 1] or non-finite")
    cols: dict[str, object] = {"sample_id": [s.sample_id for s in samples],
                               "patient_id": [s.patient_id for s in samples]}
    cols.update({label: probs[:, j].astype(np.float64) for j, label in enumerate(labels)})
    if out.gaze is not None:
        gaze = np.asarray(out.gaze)
        if gaze.ndim != 2 or gaze.shape[0] != len(samples):
            raise GazebenchError(f"model {type(adapter).__name__} returned gaze of shape {gaze.shape}, "
                                 f"expected ({len(samples)}, K)")
        cols.update({f"g{k}": gaze[:, k].astype(np.int64) for k in range(gaze.shape[1])})
    cols.update(_diagnostic_columns(out, len(samples), adapter))
    sal = None
    if out.saliency is not None and adapter.spec.grid is not None:
        rows, ncols = adapter.spec.grid
        sal = _array(out.saliency, (len(samples), rows, ncols), "saliency", adapter).reshape(len(samples), -1)
        _check_saliency(sal, samples, adapter)
    return pd.DataFrame(cols), sal


def _kind_frame(samples: tuple[Sample, ...], out: Predictions, adapter: Adapter, kind: str) -> pd.DataFrame:
    """One batch's rows for a task of another kind: ids and the kind's output columns."""
    from gazebench.engine.kinds import KINDS

    cols: dict[str, object] = {"sample_id": [s.sample_id for s in samples],
                               "patient_id": [s.patient_id for s in samples]}
    cols.update(KINDS[kind].columns(out, len(samples), adapter.spec.image_size, adapter))
    cols.update(_diagnostic_columns(out, len(samples), adapter))
    return pd.DataFrame(cols)


def _diagnostic_columns(out: Predictions, n: int, adapter: Adapter) -> dict[str, np.ndarray]:
    """`d_<name>` columns of the model's per-item diagnostics (NaN = not measured on that item), checked."""
    cols = {}
    for name, values in (out.diagnostics or {}).items():
        column = _array(values, (n,), f"diagnostic {name!r}", adapter)
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or np.isinf(column).any():
            raise GazebenchError(f"model {type(adapter).__name__} returned diagnostic {name!r}: names are "
                                 "lowercase identifiers and values finite or NaN")
        cols[f"{DIAGNOSTIC_PREFIX}{name}"] = column
    return cols


def _check_saliency(sal: np.ndarray, samples: tuple[Sample, ...], adapter: Adapter) -> None:
    """Saliency maps must be finite and non-negative (an all-zero map is allowed: scoring skips and counts it)."""
    bad = ~np.isfinite(sal).all(axis=1) | (np.nan_to_num(sal) < 0).any(axis=1)
    if bad.any():
        i = int(np.argmax(bad))
        raise GazebenchError(f"model {type(adapter).__name__} returned a negative or non-finite saliency map "
                             f"for sample {samples[i].sample_id!r} (maps must be finite and >= 0)")


def _array(value: object, shape: tuple[int, ...], what: str, adapter: Adapter) -> np.ndarray:
    arr = value.float().cpu().numpy() if isinstance(value, torch.Tensor) else np.asarray(value, dtype=np.float64)
    if arr.shape != shape:
        raise GazebenchError(f"model {type(adapter).__name__} returned {what} of shape {arr.shape}, expected {shape}")
    return arr.astype(np.float64)


def score_matrix(df: pd.DataFrame, labels: Sequence[str], where: Path) -> np.ndarray:
    """(N, len(labels)) scores from a predictions frame; a label the model did not predict is an error."""
    missing = [label for label in labels if label not in df.columns]
    if missing:
        raise ConfigError(f"{where}: no predictions for label(s) {', '.join(missing)}")
    scores = df[list(labels)].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(scores) | (scores < 0) | (scores > 1)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise ConfigError(f"{where}: score for {labels[col]!r} of sample {df['sample_id'].iloc[row]!r} is "
                          f"{df[labels[col]].iloc[row]!r}, not a number in [0, 1]")
    return scores


def gaze_columns(df: pd.DataFrame, prefix: str) -> list[str]:
    """`g0..gK-1` (predicted patch sequence) or `s0..` (saliency) columns present, in order."""
    cols = [c for c in df.columns if c.startswith(prefix) and c[len(prefix):].isdigit()]
    return sorted(cols, key=lambda c: int(c[len(prefix):]))
