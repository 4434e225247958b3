"""Checked conversions between a model's outputs and prediction-chunk columns: texts, boxes and point lists
(numbers as CSV numbers, NaN written empty), and back from a chunk read as text."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from gazebench.adapter import Adapter
from gazebench.errors import ConfigError, GazebenchError

BOX_COLUMNS = ("box_x1", "box_y1", "box_x2", "box_y2")


def texts(values: Sequence[str] | None, n: int, what: str, adapter: Adapter) -> list[str]:
    """`n` strings from the model (None is a contract error naming the field)."""
    if values is None or len(values) != n or not all(isinstance(v, str) for v in values):
        got = "nothing" if values is None else f"{len(values)} values"
        raise GazebenchError(f"model {type(adapter).__name__} returned {got} for `{what}`, expected {n} strings")
    return [str(v) for v in values]


def boxes(values: object, n: int, adapter: Adapter) -> dict[str, np.ndarray]:
    """(n, 4) boxes as box_* columns; a row is all-NaN (no answer) or finite with x2 >= x1 and y2 >= y1."""
    arr = np.asarray(values if values is not None else np.zeros((0,)), dtype=np.float64)
    if arr.shape != (n, 4):
        raise GazebenchError(f"model {type(adapter).__name__} returned boxes of shape {arr.shape}, expected ({n}, 4)")
    missing = np.isnan(arr).all(axis=1)
    ok = arr[~missing]
    if not np.isfinite(ok).all() or (ok[:, 2] < ok[:, 0]).any() or (ok[:, 3] < ok[:, 1]).any():
        raise GazebenchError(f"model {type(adapter).__name__} returned a box that is partly NaN, infinite or has "
                             "x2 < x1 or y2 < y1 (a box is 4 finite corners, or all NaN for no answer)")
    return {c: arr[:, j] for j, c in enumerate(BOX_COLUMNS)}


def point_lists(values: Sequence[object] | None, n: int, adapter: Adapter) -> dict[str, np.ndarray]:
    """Per item a (K, 4) box list (centres kept) or (K, 2) centroid list → columns c<k>_x, c<k>_y, NaN-padded."""
    if values is None or len(values) != n:
        raise GazebenchError(f"model {type(adapter).__name__} returned no scanpath per image (expected {n})")
    lists = []
    for v in values:
        arr = np.asarray(v, dtype=np.float64)
        arr = arr.reshape(0, 2) if arr.size == 0 else arr
        if arr.ndim != 2 or arr.shape[1] not in (2, 4) or not np.isfinite(arr).all():
            raise GazebenchError(f"model {type(adapter).__name__} returned a scanpath of shape {arr.shape}: "
                                 "expected finite (K, 4) boxes or (K, 2) centroids")
        lists.append(arr if arr.shape[1] == 2 else (arr[:, :2] + arr[:, 2:]) / 2)
    k = max((len(a) for a in lists), default=0)
    table = np.full((n, k, 2), np.nan)
    for i, a in enumerate(lists):
        table[i, : len(a)] = a
    return {f"c{j}_{axis}": table[:, j, a] for j in range(k) for a, axis in enumerate("xy")}


def numbers(df: pd.DataFrame, cols: Sequence[str], where: Path) -> np.ndarray:
    """(N, len(cols)) floats of stored number columns (empty = NaN); text in them is a ConfigError."""
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ConfigError(f"{where}: predictions without column(s) {', '.join(missing)}")
    raw = df[list(cols)].replace("", np.nan)
    try:
        return raw.apply(pd.to_numeric).to_numpy(dtype=np.float64).reshape(len(df), len(cols))
    except (ValueError, TypeError):
        raise ConfigError(f"{where}: a value in {', '.join(cols)} is neither a number nor empty") from None


def stored_points(df: pd.DataFrame, where: Path) -> list[np.ndarray]:
    """Per row the (K, 2) stored point list (NaN padding dropped)."""
    ks = sorted({int(c[1:].split("_")[0]) for c in df.columns if c.startswith("c") and c.endswith(("_x", "_y"))
                 and c[1:].split("_")[0].isdigit()})
    if not ks:
        return [np.zeros((0, 2)) for _ in range(len(df))]
    table = numbers(df, [f"c{k}_{a}" for k in ks for a in "xy"], where).reshape(len(df), len(ks), 2)
    return [row[np.isfinite(row).all(axis=1)] for row in table]


def stored_texts(df: pd.DataFrame, column: str, where: Path) -> list[str]:
    """A stored text column (an empty cell is the empty string)."""
    if column not in df.columns:
        raise ConfigError(f"{where}: predictions without column {column!r}")
    return ["" if pd.isna(v) else str(v) for v in df[column]]
