"""Every CSV gazebench writes is formula-safe (OWASP CSV injection): a text cell starting with = + - @ (or a
tab/CR) is prefixed with ', numbers are not: the leaderboard CSV of a model named like a formula, and the
labels CSV of `gazebench reports label` with formula-like ids."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from gazebench.adapter import register_model
from gazebench.cli.main import cli
from gazebench.engine.config import RunConfig
from gazebench.engine.evaluate import evaluate
from gazebench.engine.writable import csv_text, safe_cell
from gazebench.models.random import RandomAdapter

register_model("@sum-evil")(type("Evil", (RandomAdapter,), {}))


@pytest.mark.parametrize(("cell", "safe"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1+2", "'+1+2"), ("-cmd", "'-cmd"),
    ("@sum", "'@sum"), ("\tx", "'\tx"), ("-1", "-1"), ("+0.5", "+0.5"), ("plain", "plain"), (3, 3),
])
def test_safe_cell(cell: object, safe: object) -> None:
    assert safe_cell(cell) == safe


def test_csv_text_neutralises_text_cells_and_headers_not_numbers() -> None:
    text = csv_text(pd.DataFrame({"=h": ["=1+1", "ok"], "n": [-1, 2]}))
    assert list(csv.reader(io.StringIO(text))) == [["'=h", "n"], ["'=1+1", "-1"], ["ok", "2"]]


def test_the_leaderboard_csv_of_a_formula_named_model(small_root: Path, tmp_path: Path) -> None:
    evaluate(RunConfig(model="@sum-evil", tasks=("rsna",), limit=6, n_boot=20), output_dir=tmp_path / "runs",
             data_root=small_root)
    result = CliRunner().invoke(cli, ["leaderboard", str(tmp_path / "runs"), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["model"].startswith("'@sum-evil")


def test_reports_label_csv_has_no_formula_cells(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    pd.DataFrame({"study_id": ["=2+5", "-7"], "report": ["Cardiomegaly.", "No acute process."]}).to_csv(source,
                                                                                                       index=False)
    out = tmp_path / "labels.csv"
    result = CliRunner().invoke(cli, ["reports", "label", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    ids = [row["study_id"] for row in csv.DictReader(out.open())]
    assert ids == ["'=2+5", "-7"]
