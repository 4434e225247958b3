"""Conversions between a model's (self-validated, gazebench.outputs) records and prediction-chunk columns, with
the checks that need the batch (one value per item): texts, boxes and point lists (numbers as CSV numbers,
NaN written empty), and back from a chunk read as text."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from gazebench.adapter import Adapter
from gazebench.errors import ConfigError, GazebenchError

if TYPE_CHECKING:
    import pandas as pd

BOX_COLUMNS = ("box_x1", "box_y1", "box_x2", "box_y2")


def texts(values: Sequence[str], n: int, what: str, adapter: Adapter) -> list[str]:
    """`n` strings from the model (a wrong count is a contract error naming the field)."""
    if len(values) != n:
        got = f"{len(values)} values"
        raise GazebenchError(f"model {type(adapter).__name__} returned {got} for `{what}`, expected {n} strings")
    return [str(v) for v in values]


def boxes(values: np.ndarray, n: int, adapter: Adapter) -> dict[str, np.ndarray]:
    """(n, 4) boxes (checked by gazebench.outputs.Boxes) as box_* columns."""
    if values.shape != (n, 4):
        raise GazebenchError(f"model {type(adapter).__name__} returned boxes of shape {values.shape}, "
                             f"expected ({n}, 4)")
    return {c: values[:, j] for j, c in enumerate(BOX_COLUMNS)}


def point_lists(values: Sequence[np.ndarray], n: int, adapter: Adapter) -> dict[str, np.ndarray]:
    """Per item a (K, 2) centroid list (gazebench.outputs.Scanpaths) → columns c<k>_x, c<k>_y, NaN-padded."""
    if len(values) != n:
        raise GazebenchError(f"model {type(adapter).__name__} returned {len(values)} scanpaths, expected {n}")
    k = max((len(a) for a in values), default=0)
    table = np.full((n, k, 2), np.nan)
    for i, a in enumerate(values):
        table[i, : len(a)] = a
    return {f"c{j}_{axis}": table[:, j, a] for j in range(k) for a, axis in enumerate("xy")}


def numbers(df: pd.DataFrame, cols: Sequence[str], where: Path) -> np.ndarray:
    """(N, len(cols)) floats of stored number columns (empty = NaN); text in them is a ConfigError."""
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ConfigError(f"{where}: predictions without column(s) {', '.join(missing)}")
    raw = df[list(cols)].replace("", np.nan)
    try:
        import pandas as pd

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
    import pandas as pd

    return ["" if pd.isna(v) else str(v) for v in df[column]]
