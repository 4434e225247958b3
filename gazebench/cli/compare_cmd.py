"""`gazebench compare RUN_A RUN_B`: per-task differences with paired bootstrap CIs, p-values and DeLong."""
from __future__ import annotations

import json

import click
from rich.table import Table

from gazebench.engine.config import THRESHOLD_POLICIES
from gazebench.engine.report import percent, stdout_console


def _p(value: float | None) -> str:
    return "–" if value is None or value != value else ("<0.001" if value < 0.001 else f"{value:.3f}")


@click.command("compare")
@click.argument("run_a", type=click.Path(exists=True, file_okay=False))
@click.argument("run_b", type=click.Path(exists=True, file_okay=False))
@click.option("--data-root", type=click.Path(file_okay=False), envvar="GAZEBENCH_DATA_ROOT")
@click.option("--n-boot", type=click.IntRange(min=1), default=None, help="Default: RUN_A's.")
@click.option("--threshold-policy", type=click.Choice(THRESHOLD_POLICIES), default=None,
              help="Apply to both runs; default: each run's own policy.")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
def command(run_a: str, run_b: str, data_root: str | None, n_boot: int | None, threshold_policy: str | None,
            as_json: bool) -> None:
    """Compare RUN_B against RUN_A on the tasks both evaluated (same data, same images)."""
    from gazebench.engine.compare import compare_runs
    from gazebench.engine.rundir import jsonable

    result = compare_runs(run_a, run_b, data_root=data_root, n_boot=n_boot, threshold_policy=threshold_policy)
    if as_json:
        click.echo(json.dumps(jsonable(result), indent=2))
        return
    table = Table(title=f"B = {result['model_b']} vs A = {result['model_a']} (paired bootstrap, "
                        f"{result['n_boot']} replicates)")
    for col in ("task", "metric", "A", "B", "B − A [95% CI]", "p", "DeLong p (Holm, min over labels)", "labels p<0.05"):
        table.add_column(col)
    for name, r in result["tasks"].items():
        for k, (stat, m) in enumerate(r["metrics"].items()):
            delong = r["delong"]
            auroc_row = stat == "auroc"
            table.add_row(name if k == 0 else "", stat, percent(m["a"]), percent(m["b"]),
                          percent(m["diff"], m["ci"]), _p(m["p_value"]),
                          _p(delong["p_holm_min"]) if auroc_row else "",
                          (", ".join(delong["holm_significant"]) or "none") if auroc_row else "")
    stdout_console().print(table)
