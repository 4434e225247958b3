"""Fixations that cannot be real are skipped with a counted reason naming the file and row; a file with no
plausible fixation is a one-line DataError."""
from __future__ import annotations

from pathlib import Path

import pytest

from gazebench.data.plausible import implausible
from gazebench.data.readers.reflacx import FIXATION_COLUMNS, read_fixations
from gazebench.data.skips import SkipLog
from gazebench.errors import DataError

SIZE = (2544, 3056)


@pytest.mark.parametrize("values, reason", [
    ((0.1, 0.4, 10, 20), None),
    ((-2.0, -1.5, -30, 3100), None),  # before the dictation, slightly off the image: real
    ((float("nan"), 0.4, 10, 20), "NaN"),
    ((0.1, float("inf"), 10, 20), "infinite"),
    ((0.1, 1e15, 10, 20), "more than 3600 s"),
    ((-1e15, 0.4, 10, 20), "more than 3600 s"),
    ((0.5, 0.4, 10, 20), "ends before it starts"),
    ((0.1, 0.4, 1e9, 20), "far outside the image frame"),
    ((0.1, 0.4, 10, -7000), "far outside the image frame"),
])
def test_implausible(values: tuple[float, float, float, float], reason: str | None) -> None:
    got = implausible(*values, SIZE)
    assert (got is None) if reason is None else (reason in str(got))


def write(path: Path, rows: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\r\n".join([",".join(FIXATION_COLUMNS), *rows]) + "\r\n")
    return path


def test_reflacx_skips_each_bad_row_with_file_and_row(tmp_path: Path) -> None:
    path = write(tmp_path / "main_data" / "P300R000001" / "fixations.csv",
                 ["0.1,0.4,10,20,40,40", "0.9,0.5,10,20,40,40", ",0.4,10,20,40,40", "0.2,1e15,10,20,40,40",
                  "0.5,0.8,100,200,40,40"])
    skips = SkipLog()
    fix = read_fixations(path, SIZE, skips)
    assert list(fix.t_start) == [0.1, 0.5]
    lines = {s.reason.split(": ", 1)[1]: (s.examples, s.kind) for s in skips.summary()}
    assert lines == {"fixation ends before it starts (time reversed)": ((f"{path} row 3",), "damaged"),
                     "blank or NaN timestamp_start_fixation": ((f"{path} row 4",), "damaged"),
                     "fixation time more than 3600 s from the reading's clock origin": ((f"{path} row 5",),
                                                                                          "damaged")}
    assert all(s.reason.startswith(f"{tmp_path / 'main_data' / '*' / 'fixations.csv'}: ") for s in skips.summary())


def test_a_file_with_no_plausible_fixation_is_one_error(tmp_path: Path) -> None:
    path = write(tmp_path / "fixations.csv", ["nan,0.4,10,20,40,40", "0.9,0.5,10,20,40,40"])
    with pytest.raises(DataError, match=r"fixations\.csv: none of its 2 fixations is plausible"):
        read_fixations(path, SIZE, SkipLog())
    assert len(read_fixations(write(tmp_path / "empty.csv", []), SIZE, SkipLog())) == 0
