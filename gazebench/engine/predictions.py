"""The stored predictions table of a task: chunk files (CSV, plus `.saliency.npy` sidecars) read back as one
frame, aligned to the engine's samples, and read as typed columns (scores, gaze cells, diagnostics). A leaf of
the engine: the kinds, prediction, scoring and the viewer all read predictions through it, and it imports none
of them."""
from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from gazebench.data.images import read_npy
from gazebench.errors import ConfigError
from gazebench.records import Sample
from gazebench.results import Diagnostic

if TYPE_CHECKING:
    import pandas as pd

ID_COLUMNS = ("sample_id", "patient_id")
FLOAT_FORMAT = "%.9g"
"""Nine significant digits round-trip float32 exactly, so rereading a chunk loses nothing."""

DIAGNOSTIC_PREFIX = "d_"
"""Column prefix of a model's per-image diagnostics (an output's `diagnostics`)."""
SALIENCY_SUFFIX = ".saliency.npy"
"""Sidecar of chunk-N.csv holding its (rows, cells) float32 saliency maps."""
CHUNK_NAME = re.compile(r"chunk-(?:rank(\d+)of(\d+)-)?(\d+)\.csv")
"""`chunk-<k>.csv` (one process) or `chunk-rank<R>of<N>-<k>.csv` (rank R of N launched processes)."""


def read_predictions(folder: Path) -> pd.DataFrame:
    """All chunks in `folder` concatenated (empty frame if none), saliency maps as columns s0..;
    ids are read as strings."""
    import pandas as pd

    files = chunk_files(Path(folder))
    if not files:
        return pd.DataFrame(columns=list(ID_COLUMNS))
    frames = []
    for f in files:
        try:
            frame = pd.read_csv(f, dtype={c: str for c in ID_COLUMNS}, keep_default_na=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError) as exc:
            raise ConfigError(f"{f}: unreadable predictions chunk ({one_line(exc)})") from None
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
    import pandas as pd

    ids: set[str] = set()
    for f in chunk_files(Path(folder)):
        try:
            ids.update(pd.read_csv(f, usecols=["sample_id"], dtype=str, keep_default_na=False)["sample_id"])
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError, OSError) as exc:
            raise ConfigError(f"{f}: unreadable predictions chunk ({one_line(exc)})") from None
    return ids


def one_line(exc: BaseException) -> str:
    """An exception's message on one line (a pandas parser error ends in a newline)."""
    return " ".join(str(exc).split())


def chunk_files(folder: Path) -> list[Path]:
    """Chunk files in name order; any other chunk-looking file is a ConfigError (never silently read)."""
    files = sorted(folder.glob("chunk-*.csv"))
    stray = [f for f in files if not CHUNK_NAME.fullmatch(f.name)]
    if stray:
        raise ConfigError(f"{stray[0]}: not a predictions chunk written by gazebench (expected chunk-NNNNN.csv "
                          "or chunk-rank<R>of<N>-NNNNN.csv)")
    return files


def _with_saliency(frame: pd.DataFrame, sidecar: Path) -> pd.DataFrame:
    """`frame` with the sidecar's maps as columns s0.. (unchanged when the chunk has no sidecar)."""
    import pandas as pd

    if not sidecar.is_file():
        return frame
    try:
        maps = read_npy(sidecar)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{sidecar}: unreadable saliency maps ({one_line(exc)})") from None
    if maps.ndim != 2 or len(maps) != len(frame):
        raise ConfigError(f"{sidecar}: {maps.shape} saliency maps for {len(frame)} prediction rows")
    cells = pd.DataFrame(maps.astype(np.float64), columns=[f"s{k}" for k in range(maps.shape[1])])
    return pd.concat([frame, cells], axis=1)


def score_matrix(df: pd.DataFrame, labels: Sequence[str], where: Path) -> np.ndarray:
    """(N, len(labels)) scores from a predictions frame; a label the model did not predict is an error."""
    import pandas as pd

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



def aligned(samples: tuple[Sample, ...], df: pd.DataFrame, where: Path) -> pd.DataFrame:
    """Prediction rows in the order of `samples`; missing or unexpected ids are an error naming the folder."""
    ids = [s.sample_id for s in samples]
    have = set(df["sample_id"])
    missing = [i for i in ids if i not in have]
    if missing:
        raise ConfigError(f"{where}: {len(missing)} of {len(ids)} samples have no predictions "
                          f"(first: {missing[0]!r}); rerun the run to finish it")
    extra = have.difference(ids)
    if extra:
        raise ConfigError(f"{where}: predictions for {len(extra)} samples not in this task's split "
                          f"(first: {sorted(extra)[0]!r}); the data changed since the run")
    return df.set_index("sample_id").loc[ids].reset_index()


def diagnostics_summary(df: pd.DataFrame, where: Path) -> dict[str, Diagnostic]:
    """{name: mean and count} over the images where each `d_<name>` diagnostic was measured (non-empty)."""
    import pandas as pd

    out: dict[str, Diagnostic] = {}
    for col in (c for c in df.columns if c.startswith(DIAGNOSTIC_PREFIX)):
        raw = df[col].replace("", np.nan)
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64)
        if (np.isnan(values) != raw.isna().to_numpy()).any() or np.isinf(values).any():
            raise ConfigError(f"{where}: column {col!r} holds a value that is neither a number nor empty")
        seen = values[~np.isnan(values)]
        out[col[len(DIAGNOSTIC_PREFIX):]] = Diagnostic(float(seen.mean()) if seen.size else None, int(seen.size))
    return out
