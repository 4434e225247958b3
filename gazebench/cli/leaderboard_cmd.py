"""`gazebench leaderboard RUNS_DIR`: the results table built from verified run directories alone."""
from __future__ import annotations

import click


@click.command("leaderboard")
@click.argument("runs_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--format", "fmt", type=click.Choice(("md", "csv", "html", "latex")), default="md", show_default=True)
@click.option("--out", type=click.Path(), default=None, help="Write here instead of stdout.")
@click.option("--strict", is_flag=True, help="Fail if any run is refused (default: leave it out and say so).")
@click.option("--slice", "slice_attribute", default=None, metavar="ATTR",
              help="Columns per subgroup of a sample attribute (view, sex, age) instead of per task.")
def command(runs_dir: str, fmt: str, out: str | None, strict: bool, slice_attribute: str | None) -> None:
    """Rows = model, columns = task × metric (percent, 95% CI). Each run is verified first (config hash,
    sealed results, prediction digests); a refused run is named on stderr and left out, and it fails when
    every run is refused. Refuses runs on different task versions or data."""
    from gazebench.engine.writable import check_out_file, write_out
    from gazebench.leaderboard import render

    if out is not None:
        check_out_file(out, "--out")
    text = render(runs_dir, fmt, strict=strict, warn=lambda line: click.echo(f"warning: {line}", err=True),
                  slice_attribute=slice_attribute)
    if out is None:
        click.echo(text, nl=False)
    else:
        write_out(out, text, "--out")
        click.echo(f"wrote {out}", err=True)
