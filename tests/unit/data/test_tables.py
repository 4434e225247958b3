"""Strict CSV reading: release quirks handled, every error names the file and line."""
from __future__ import annotations

import gzip
import math
from pathlib import Path

import pytest

from gazebench.data.tables import inside, read_csv, read_numbers
from gazebench.errors import DataError


def test_pandas_index_column_crlf_bom_and_padding_are_handled(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes("\ufeff,a, b\r\n0,1, x \r\n\r\n1,,y\r\n".encode())
    rows = read_csv(path, required=("a", "b"))
    assert [dict(r) for r in rows] == [{"a": "1", "b": "x"}, {"a": "", "b": "y"}]
    assert [r.line for r in rows] == [2, 4]
    assert math.isnan(rows[1].number("a"))


def test_unnamed_index_header_spelled_by_pandas_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("Unnamed: 0,a\n0,5\n")
    assert [dict(r) for r in read_csv(path)] == [{"a": "5"}]


def test_gzip_tables_are_read(tmp_path: Path) -> None:
    path = tmp_path / "t.csv.gz"
    path.write_bytes(gzip.compress(b"a,b\n1,2\n"))
    assert read_csv(path, required=("a",))[0]["b"] == "2"


def test_missing_file_and_missing_column_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"nope\.csv: file not found"):
        read_csv(tmp_path / "nope.csv")
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match=r"t\.csv: missing column\(s\) 'c'"):
        read_csv(path, required=("a", "c"))


def test_ragged_row_and_bad_number_name_file_and_row(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n3\n")
    with pytest.raises(DataError, match=r"t\.csv, row 3: expected 2 fields, found 1"):
        read_csv(path)
    path.write_text("a,b\n1,2\nx,4\n")
    row = read_csv(path)[1]
    with pytest.raises(DataError, match=r"t\.csv, row 3: column 'a' is not a number"):
        row.number("a")
    with pytest.raises(DataError, match="row 3: column 'b' is not a boolean"):
        row.flag("b")
    assert read_csv(path)[0].integer("b") == 2


def test_empty_and_binary_files_are_data_errors(tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_text("")
    with pytest.raises(DataError, match="empty"):
        read_csv(tmp_path / "e.csv")
    (tmp_path / "b.csv").write_bytes(b"\xff\xfe\x00\x81garbage")
    with pytest.raises(DataError, match=r"b\.csv: cannot read"):
        read_csv(tmp_path / "b.csv")


def test_paths_may_not_escape_the_root(tmp_path: Path) -> None:
    (tmp_path / "root").mkdir()
    path = tmp_path / "t.csv"
    path.write_text("p\nok/x.jpg\n../secret\n/etc/passwd\nlink/x\n")
    (tmp_path / "root" / "link").symlink_to(tmp_path)
    rows = read_csv(path)
    assert inside(tmp_path / "root", rows[0]["p"], rows[0]) == (tmp_path / "root" / "ok/x.jpg").resolve()
    for row in rows[1:]:
        with pytest.raises(DataError, match=rf"t\.csv, row {row.line}: path .* is outside the dataset root"):
            inside(tmp_path / "root", row["p"], row)


def test_infinite_integer_is_a_data_error_not_an_overflow(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("Rows\ninf\n1e999\n")
    for row in read_csv(path):
        with pytest.raises(DataError, match=r"t\.csv.*'Rows' is not an integer"):
            row.integer("Rows")


def numbers_via_rows(path: Path, columns: tuple[str, ...]) -> tuple[list[int], list[list[float]]]:
    rows = read_csv(path, required=columns)
    return [r.line for r in rows], [[r.number(c) for c in columns] for r in rows]


def outcome(read: object, path: Path, columns: tuple[str, ...]) -> object:
    try:
        lines, values = read(path, columns)  # type: ignore[operator]
    except DataError as exc:
        return f"DataError: {exc}"
    return lines, [["nan" if math.isnan(v) else v.hex() for v in row] for row in values]


@pytest.mark.parametrize("text", [
    "\ufeff,a, b ,c\r\n0,1.5, -2 ,x\r\n\r\n1,,1e3,y\r\n2, inf ,nan,z\r\n",  # index column, BOM, CRLF, padding
    "a,b,a\n1,2,3\n4,5,6\n",  # a repeated column: its last value, as a Row keeps it
    "a,b\n1,2\n3,x\n5\n",  # ragged row 4 is named before the bad number on row 3
    "a,b\n1,2\n3, 1_0 \n4,0x10\n",  # what float() reads (1_0) and what it does not (0x10)
    "a,b\n1,\"2\n",  # unterminated quote
    "a,c\n1,2\n",  # missing column
    "",  # empty file
    "a,b\n",  # header only
])
def test_read_numbers_equals_rows_read_one_by_one(tmp_path: Path, text: str) -> None:
    """The fixation tables' fast path: same lines, same float bits, same first error as `Row.number`."""
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode())
    columns = ("b", "a")
    assert outcome(read_numbers, path, columns) == outcome(numbers_via_rows, path, columns)
