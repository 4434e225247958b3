"""Reference pointers: a privileged model (oracle) that answers with the reference itself stores a pointer to the
item (`reference:<item id>`), never the reference text, so no report or answer of the dataset is written into a
run directory (README: no report text outside the data directory). Scoring, comparison and the viewer resolve
the pointer from the data directory when they read the predictions; a pointer in a run that is not on the
privileged track, or one that names another item, is refused (a model must not score by naming references)."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from gazebench.engine.kinds.base import ItemSet
from gazebench.engine.predictions import read_predictions
from gazebench.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

POINTER = "reference:"
TEXT_COLUMNS = ("report", "answer")
"""Prediction columns that may hold a pointer instead of text (a generated report, a VQA answer)."""


def reference_pointer(item_id: str) -> str:
    """What a privileged model returns for "the reference of item `item_id`"."""
    return f"{POINTER}{item_id}"


def resolve(df: pd.DataFrame, items: ItemSet, privileged: bool, where: Path) -> pd.DataFrame:
    """`df` with every pointer cell replaced by its item's reference (read from the data, in memory only)."""
    refs = {i.item_id: i.reference for i in items.items}
    out = df
    for column in (c for c in TEXT_COLUMNS if c in df.columns):
        cells = df[column].astype(str)
        pointed = cells.str.startswith(POINTER)
        if not pointed.any():
            continue
        if not privileged:
            raise ConfigError(f"{where}: column {column!r} holds reference pointers, which only a privileged "
                              "model (track \"privileged\") may store")
        ids = df["sample_id"].astype(str)
        wrong = pointed & (cells != POINTER + ids)
        if wrong.any():
            row = int(wrong.to_numpy().argmax())
            raise ConfigError(f"{where}: the {column} of item {ids.iloc[row]!r} points at another item "
                              f"({cells.iloc[row]!r})")
        out = out.copy() if out is df else out
        out.loc[pointed, column] = ["" if refs.get(i) is None else str(refs[i]) for i in ids[pointed]]
    return out


def kind_predictions(folder: Path, items: ItemSet, config: dict[str, Any]) -> pd.DataFrame:
    """The saved predictions of a non-classification task with pointers resolved (see `resolve`)."""
    adapter = config.get("adapter")
    privileged = isinstance(adapter, dict) and adapter.get("track") == "privileged"
    return resolve(read_predictions(folder), items, privileged, folder)
