"""`gazebench reports label IN.csv --out OUT.csv`: label a column of report texts with the 14 CheXpert
observations. Id columns are kept, the report text is never copied to the output."""
from __future__ import annotations

import re
from pathlib import Path

import click

from gazebench.errors import ConfigError, DataError
from gazebench.labels import CHEXPERT_LABELS

_ID_COLUMN = re.compile(r"(?:^|_)id$", re.IGNORECASE)


def id_columns(columns: list[str], text_column: str) -> list[str]:
    """Columns carried to the output: `id` or names ending in `_id` (never the text column)."""
    return [c for c in columns if c != text_column and _ID_COLUMN.search(str(c))]


@click.group("reports")
def command() -> None:
    """Work with report text (labeling)."""


@command.command("label")
@click.argument("in_csv", type=click.Path(dir_okay=False))
@click.option(
    "--out", "out", required=True, type=click.Path(dir_okay=False), help="CSV to write: ids + 14 label columns."
)
@click.option("--column", default="report", show_default=True, help="Column holding the report texts.")
@click.option(
    "--labeler", default="rules", show_default=True, help="Registered labeler name (rules, rules-broad, plugins)."
)
@click.option("--include", "includes", multiple=True, type=click.Path(dir_okay=False),
              help="Python file registering a labeler (e.g. a local CheXbert); repeatable.")
def label(in_csv: str, out: str, column: str, labeler: str, includes: tuple[str, ...]) -> None:
    """Write 1 / 0 / -1 / blank codes for every report in IN_CSV's --column."""
    import numpy as np
    import pandas as pd

    from gazebench.engine.plugins import include
    from gazebench.engine.writable import check_out_file, csv_text, write_out
    from gazebench.reports import LABELERS

    check_out_file(out, "--out")
    include(includes)
    path = Path(in_csv)
    if not path.is_file():
        raise DataError(path, "file not found")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise DataError(path, f"not a readable CSV: {str(exc).splitlines()[0]}") from None
    if column not in frame.columns:
        columns = ", ".join(map(str, frame.columns))
        raise DataError(path, f"no column {column!r} (columns: {columns}); choose one with --column")
    texts = frame[column].tolist()
    codes = np.asarray(LABELERS.create(labeler).label(texts), dtype=np.float64)
    if codes.shape != (len(texts), len(CHEXPERT_LABELS)):
        raise ConfigError(
            f"--labeler {labeler}: returned shape {codes.shape}, expected ({len(texts)}, {len(CHEXPERT_LABELS)})"
        )
    keep = id_columns(list(frame.columns), column)
    result = frame[keep].copy() if keep else pd.DataFrame({"row": range(len(frame))})
    for j, name in enumerate(CHEXPERT_LABELS):
        result[name] = pd.Series(codes[:, j]).astype("Int64")  # 1 / 0 / -1, blank for NaN
    write_out(out, csv_text(result), "--out")
    dropped = [c for c in frame.columns if c not in keep]
    empty = sum(1 for t in texts if not t.strip())
    click.echo(f"labeled {len(texts)} reports with {labeler!r} ({empty} empty) → {out}; "
               f"columns not copied: {', '.join(map(str, dropped))}", err=True)
