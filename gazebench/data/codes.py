"""Raw label codes as the CheXpert labeler writes them (1 positive, 0 negative, -1 uncertain, blank NaN),
parsed strictly into vectors in CHEXPERT_LABELS order."""
from __future__ import annotations

import math
from collections.abc import Mapping

from gazebench.data.tables import Row
from gazebench.labels import CHEXPERT_LABELS

_CODES = {"1": 1.0, "1.0": 1.0, "0": 0.0, "0.0": 0.0, "-1": -1.0, "-1.0": -1.0, "": math.nan}
BLANK: tuple[float, ...] = (math.nan,) * len(CHEXPERT_LABELS)


def label_code(row: Row, column: str) -> float:
    """One cell as 1.0/0.0/-1.0/NaN; any other text is a DataError naming the file and row."""
    text = row[column]
    if text not in _CODES:
        raise row.error(f"column {column!r} is not a label code (1, 0, -1 or blank): {text!r}")
    return _CODES[text]


def label_vector(row: Row, columns: Mapping[str, str] | None = None) -> tuple[float, ...]:
    """The 14 codes in CHEXPERT_LABELS order; `columns` maps a CheXpert name to the row's column name
    (default: the same name). Names absent from `columns` are NaN."""
    names = {n: n for n in CHEXPERT_LABELS} if columns is None else columns
    return tuple(label_code(row, names[n]) if n in names else math.nan for n in CHEXPERT_LABELS)
