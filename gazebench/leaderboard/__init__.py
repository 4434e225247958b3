"""Leaderboards built from run directories alone: a pure table function, then md/csv/latex/html renderers."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gazebench.errors import ConfigError
from gazebench.leaderboard.html import to_html
from gazebench.leaderboard.render import md_escape, notes, to_csv, to_latex, to_markdown
from gazebench.leaderboard.table import (
    Leaderboard,
    Run,
    leaderboard,
    load_runs,
    long_table,
    row_labels,
    task_order,
    wide_table,
)

FORMATS = ("md", "csv", "html", "latex")


def render(runs_dir: Path | str, fmt: str = "md", *, strict: bool = False,
           warn: Callable[[str], None] | None = None, slice_attribute: str | None = None) -> str:
    """The leaderboard of every verified run under `runs_dir`, in `fmt` (md, csv, html or latex); each
    refused or duplicate run is passed to `warn` as one line (and named in the footnotes); with `slice_attribute`
    the columns are each task's subgroups of that attribute."""
    if fmt not in FORMATS:
        raise ConfigError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    board = leaderboard(runs_dir, strict=strict)
    if warn is not None:
        for line in board.warnings:
            warn(line)
    runs, long = board.runs, board.long
    tasks = task_order(runs)
    if slice_attribute is not None:  # columns: each task's subgroups of the attribute (`leaderboard --slice`)
        long = long_table(runs, slice_attribute)
        tasks = [t for base in tasks for t in dict.fromkeys(long["task"]) if t.startswith(f"{base} ")]
    wide = wide_table(long, tasks)
    dataset_note = next((r.results.dataset_note for r in runs if r.results.dataset_note), None)
    footnotes = notes(board, dataset_note)
    if fmt == "csv":
        return to_csv(long, tasks)
    if fmt == "latex":
        return to_latex(wide, tasks, footnotes)
    if fmt == "html":
        return to_html(runs, row_labels(runs), wide, tasks, footnotes)
    return to_markdown(wide, footnotes)


__all__ = ["FORMATS", "Leaderboard", "Run", "leaderboard", "load_runs", "long_table", "md_escape", "render",
           "row_labels", "task_order", "wide_table"]
