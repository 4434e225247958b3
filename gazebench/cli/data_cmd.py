"""`gazebench data check NAME ROOT` (is this dataset tree usable?) and `gazebench data synth --out DIR`
(write the simulated reader study in the real formats)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gazebench.data.check import CHECK_SIZE, CheckReport, check
from gazebench.options import MAX_SEED


@click.group("data")
def command() -> None:
    """Check dataset trees, or write the simulated study."""


def _print_report(report: CheckReport) -> None:
    console = Console()
    verdict = ("[green]usable[/green]" if report.clean else
               f"[red]usable, but {report.damaged_rows} damaged rows are passed over[/red]" if report.usable
               else "[red]NOT usable[/red]")
    console.print(f"[bold]{escape(report.name)}[/bold] {escape(report.version)} at {escape(report.root)}: {verdict}")
    table = Table(show_header=False)
    table.add_row("images", str(report.images))
    table.add_row("patients", str(report.patients))
    if report.splits:
        table.add_row("splits", ", ".join(f"{k} {v}" for k, v in report.splits.items()))
    if report.fixations is not None:
        table.add_row("gaze", f"{report.fixations} fixations in {report.readings} readings")
    table.add_row("positives", ", ".join(f"{k} {v}" for k, v in report.labels.items()) or "-")
    console.print(table)
    for line in report.problems:
        console.print(f"[red]problem[/red] {escape(line)}", highlight=False, soft_wrap=True)
    for line in report.damaged:
        console.print(f"[red]damaged[/red] {escape(line)}", highlight=False, soft_wrap=True)
    for line in report.skipped:
        console.print(f"[yellow]skipped[/yellow] {escape(line)}", highlight=False, soft_wrap=True)
    for line in report.kept:
        console.print(f"[cyan]kept[/cyan] {escape(line)}", highlight=False, soft_wrap=True)


@command.command("check")
@click.argument("name")
@click.argument("root", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
@click.option("--size", type=click.IntRange(min=1), default=CHECK_SIZE, show_default=True,
              help="Side of the cached square each image is decoded to; the model's input size makes runs reuse it.")
def check_command(name: str, root: Path, as_json: bool, size: int) -> None:
    """Read ROOT with the dataset reader NAME, decode every image, and report images, patients, split sizes,
    label positives, fixations, every bad file, every damaged row (impossible fixations, conflicting labels,
    references off the image) and every skip. Exits 1 when the tree is not usable or has damaged rows."""
    from gazebench.paths import cache_dir

    cache_dir()  # the decoded images fill the run's cache: a bad $GAZEBENCH_CACHE fails here, in one line
    report = check(name, root, size=size, progress=not as_json)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        _print_report(report)
    if not report.clean:
        sys.exit(1)


@command.command("synth")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder to write.")
@click.option("--size", type=click.Choice(["small", "default", "large"]), default="default", show_default=True)
@click.option("--seed", type=click.IntRange(0, MAX_SEED), default=0, show_default=True)
def synth_command(out: Path, size: str, seed: int) -> None:
    """Write the simulated reader study (MIMIC-EYE, CheXpert, RSNA, SIIM-ACR trees) into OUT."""
    from gazebench.engine.writable import check_out_dir
    from gazebench.synthetic import generate

    check_out_dir(out, "--out")
    written = Path(generate(out, size=size, seed=seed))
    for tree in sorted(p for p in written.iterdir() if p.is_dir()):
        click.echo(str(tree))
