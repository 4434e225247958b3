"""The generator's shortcuts give what the direct way gives: the CSV writer the bytes of pandas `to_csv` on the
same rows, the windowed pneumothorax mask the whole grid's mask; an error while the pool renders still surfaces."""
from __future__ import annotations

import math
import multiprocessing
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gazebench.synthetic.anatomy import Grid, lung_masks, sample_anatomy
from gazebench.synthetic.pleura import pneumothorax_mask, pneumothorax_space, sample_pneumothorax
from gazebench.synthetic.rng import stream
from gazebench.synthetic.writers.files import Table, crlf_csv, pandas_csv, plain_csv

ROWS: list[dict[str, object]] = [
    {"int": 1, "float": 0.1, "int_none": 3, "all_none": None, "text": "plain", "bool": True, "bool_nan": True,
     "npf": np.float64(0.12345), "npi": np.int64(7), "mixed": 1, "tiny": 1e-05, "big": 1.2345678901234568e+17},
    {"int": -2, "float": math.nan, "int_none": None, "all_none": None, "text": 'comma, "quote"', "bool": False,
     "bool_nan": math.nan, "npf": np.float64(-0.0), "npi": np.int64(-1), "mixed": "x", "tiny": 3.0, "big": 1e16},
    {"int": 10**12, "float": 2.5, "text": "line\nbreak", "bool": True, "npf": np.float64(np.inf), "npi": np.int64(0),
     "mixed": 2.5, "tiny": 0.30000000000000004, "big": 123456789.0},  # missing keys are missing values
]


def _pandas(df: pd.DataFrame, path: Path, **kw: object) -> bytes:
    df.to_csv(path, **kw)  # type: ignore[call-overload]
    return path.read_bytes()


def test_csv_writer_matches_pandas(tmp_path: Path) -> None:
    table, df = Table.from_rows(ROWS), pd.DataFrame(ROWS)
    for write, kw in ((pandas_csv, {}), (crlf_csv, {"index": False, "lineterminator": "\r\n"}),
                      (plain_csv, {"index": False, "lineterminator": "\n"})):
        write(table, tmp_path / "fast.csv")
        assert (tmp_path / "fast.csv").read_bytes() == _pandas(df, tmp_path / "pandas.csv", **kw), write.__name__
    rng = np.random.default_rng(0)  # floats of every magnitude, as float64 arrays and as Python floats
    values = rng.standard_normal(400) * 10.0 ** rng.integers(-12, 20, 400)
    values[::37] = np.nan
    for data in ({"a": values, "b": np.round(values, 3), "c": values.astype(np.float32)},
                 {"a": values.tolist(), "b": rng.integers(-5, 5, 400), "c": rng.random(400) < 0.5}):
        pandas_csv(Table.from_columns(data), tmp_path / "fast.csv")
        assert (tmp_path / "fast.csv").read_bytes() == _pandas(pd.DataFrame(data), tmp_path / "pandas.csv")


def test_csv_rows_filters_and_empty_tables_match_pandas(tmp_path: Path) -> None:
    columns = ["id", "x", "keep"]
    rows = [("a", 1, True), ("b", 2.5, False), ("c", None, True)]
    table, df = Table.from_rows(rows, columns), pd.DataFrame(rows, columns=columns)
    pandas_csv(table.where("keep", "True".__eq__), tmp_path / "fast.csv")  # a filter keeps the column's format
    assert (tmp_path / "fast.csv").read_bytes() == _pandas(df[df["keep"]].reset_index(drop=True),
                                                           tmp_path / "pandas.csv")
    pandas_csv(table.take([2, 0]), tmp_path / "fast.csv")
    assert (tmp_path / "fast.csv").read_bytes() == _pandas(df.iloc[[2, 0]].reset_index(drop=True),
                                                           tmp_path / "pandas.csv")
    crlf_csv(Table.from_rows([], columns), tmp_path / "fast.csv")
    assert (tmp_path / "fast.csv").read_bytes() == _pandas(pd.DataFrame([], columns=columns), tmp_path / "pandas.csv",
                                                           index=False, lineterminator="\r\n")
    with pytest.raises(ValueError, match="unequal length"):
        Table.from_columns({"a": [1, 2], "b": [1]})
    with pytest.raises(ValueError, match="column names"):
        Table.from_rows(rows)


@pytest.mark.parametrize("case", range(8))
def test_windowed_pneumothorax_mask_equals_the_whole_grid(case: int) -> None:
    grid = Grid(1024, 1024 if case % 2 else 800)
    rng = stream(case, "pneumothorax")
    anatomy = sample_anatomy(rng, grid.width / grid.height, "AP" if case % 3 else "PA")
    spec = sample_pneumothorax(anatomy, float(rng.uniform(0.0, 1.0)), rng)
    right, left = lung_masks(anatomy, grid)
    space, line = pneumothorax_space(spec, anatomy, grid, right + left)
    whole = (space + line) > 0.5
    assert whole.any()
    np.testing.assert_array_equal(pneumothorax_mask(spec, anatomy, grid), whole)


def test_an_error_while_the_pool_renders_stops_the_pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gazebench.synthetic import study

    def broken(*args: object) -> dict[str, int]:
        raise RuntimeError("writer failed")

    monkeypatch.setattr(study.mimic_eye, "write", broken)
    with pytest.raises(RuntimeError, match="writer failed"):
        study.generate(tmp_path / "study", size="small", seed=0, workers=2)
    assert multiprocessing.active_children() == []
    assert not (tmp_path / "study" / study.MARKER).exists()
