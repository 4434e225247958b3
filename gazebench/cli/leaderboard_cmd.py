"""`gazebench leaderboard RUNS_DIR`: the results table built from run directories alone."""
from __future__ import annotations

from pathlib import Path

import click


@click.command("leaderboard")
@click.argument("runs_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--format", "fmt", type=click.Choice(("md", "csv", "html", "latex")), default="md", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Write here instead of stdout.")
def command(runs_dir: str, fmt: str, out: str | None) -> None:
    """Rows = model, columns = task × metric (percent, 95% CI); refuses runs on different task versions or data."""
    from gazebench.engine.rundir import atomic_write_text
    from gazebench.leaderboard import render

    text = render(runs_dir, fmt)
    if out is None:
        click.echo(text, nl=False)
    else:
        atomic_write_text(Path(out), text)
        click.echo(f"wrote {out}", err=True)
