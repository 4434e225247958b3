"""Leaderboards built from run directories alone: a pure table function, then md/csv/latex/html renderers."""
from __future__ import annotations

from pathlib import Path

from gazebench.errors import ConfigError
from gazebench.leaderboard.html import to_html
from gazebench.leaderboard.render import notes, to_csv, to_latex, to_markdown
from gazebench.leaderboard.table import Run, leaderboard, load_runs, long_table, row_labels, task_order, wide_table

FORMATS = ("md", "csv", "html", "latex")


def render(runs_dir: Path | str, fmt: str = "md") -> str:
    """The leaderboard of every complete run under `runs_dir`, in `fmt` (md, csv, html or latex)."""
    if fmt not in FORMATS:
        raise ConfigError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    runs, long = leaderboard(runs_dir)
    tasks = task_order(runs)
    wide = wide_table(long, tasks)
    dataset_note = next((r.results["dataset_note"] for r in runs if r.results.get("dataset_note")), None)
    footnotes = notes(long, dataset_note)
    if fmt == "csv":
        return to_csv(long, tasks)
    if fmt == "latex":
        return to_latex(wide, tasks, footnotes)
    if fmt == "html":
        return to_html(runs, row_labels(runs), wide, tasks, footnotes)
    return to_markdown(wide, footnotes)


__all__ = ["FORMATS", "Run", "leaderboard", "load_runs", "long_table", "render", "row_labels", "task_order",
           "wide_table"]
