"""`gazebench compare RUN_A RUN_B`: per-task differences with paired bootstrap CIs, p-values, the minimum
detectable difference and a verdict in words, and DeLong tests."""
from __future__ import annotations

import json

import click
from rich.table import Table

from gazebench.cli.run_cmd import METRIC_ARG_HELP, parse_model_args
from gazebench.comparison import PairedMetric, RunComparison
from gazebench.engine.config import MAX_BOOT, THRESHOLD_POLICIES
from gazebench.engine.run_table import stdout_console
from gazebench.metrics.randomization import N_PERMUTATIONS
from gazebench.metrics.vocabulary import formatted, metric


def _p(value: float | None) -> str:
    return "–" if value is None or value != value else ("<0.001" if value < 0.001 else f"{value:.3f}")


def diff_text(stat: str, m: PairedMetric) -> str:
    """`+1.2 [-0.4, 2.9]` on the metric's display scale, with the warning mark when the CI has zero width."""
    from gazebench.metrics.power import ZERO_WIDTH_MARK, zero_width

    return formatted(stat, m.diff, m.ci) + (f" {ZERO_WIDTH_MARK}" if zero_width(m.ci) else "")


def comparison_table(result: RunComparison) -> Table:
    """The rich table `compare` prints: one row per task and metric, track legend and notes as caption."""
    from gazebench.leaderboard.tracks import legend, marked
    from gazebench.metrics.power import MDD_NOTE, ZERO_WIDTH_NOTE, zero_width

    table = Table(title=f"B = {marked(result.model_b, result.track_b)} vs "
                        f"A = {marked(result.model_a, result.track_a)} (paired bootstrap, "
                        f"{result.n_boot} replicates)")
    for col in ("task", "metric", "A", "B", "B − A [95% CI]", "p", "AR p", "MDD (80% power)", "verdict",
                "per-label test p (Holm, min over labels)", "labels p<0.05"):
        table.add_column(col)
    degenerate = False
    for name, r in result.tasks.items():
        for k, (stat, m) in enumerate(r.metrics.items()):
            test = r.tests.get(stat)  # the kind's own test of this metric (classification: DeLong on AUROC)
            degenerate |= zero_width(m.ci)
            declared = metric(stat)
            table.add_row(name if k == 0 else "", declared.display if declared else stat, formatted(stat, m.a),
                          formatted(stat, m.b), diff_text(stat, m), _p(m.p_value),
                          _p(m.ar_p_value) if m.randomized else "",
                          formatted(stat, m.mdd), m.verdict or "–",
                          _p(test.p_holm_min) if test else "",
                          (", ".join(test.holm_significant) or "none") if test else "")
    notes = [*legend((result.track_a, result.track_b)), MDD_NOTE] + ([ZERO_WIDTH_NOTE] if degenerate else [])
    notes += [f"{name}: AR p = paired approximate randomization ({r.randomization.signature})"
              for name, r in result.tasks.items() if r.randomization is not None]
    table.caption = "\n".join(notes)
    return table


@click.command("compare")
@click.argument("run_a", type=click.Path(exists=True, file_okay=False))
@click.argument("run_b", type=click.Path(exists=True, file_okay=False))
@click.option("--data-root", type=click.Path(file_okay=False), envvar="GAZEBENCH_DATA_ROOT")
@click.option("--n-boot", type=click.IntRange(1, MAX_BOOT), default=None,
              help=f"Bootstrap replicates (at most {MAX_BOOT}); default: RUN_A's.")
@click.option("--threshold-policy", type=click.Choice(THRESHOLD_POLICIES), default=None,
              help="Apply to both runs; default: each run's own policy.")
@click.option("--n-perm", type=click.IntRange(min=1), default=N_PERMUTATIONS, show_default=True,
              help="Approximate-randomization trials for report tasks (RadEval's default).")
@click.option("--metric-arg", "metric_args", multiple=True, metavar="KEY=VALUE", help=METRIC_ARG_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
@click.option("--out", type=click.Path(), default=None, help="Also write the comparison JSON here.")
def command(run_a: str, run_b: str, data_root: str | None, n_boot: int | None, threshold_policy: str | None,
            n_perm: int, metric_args: tuple[str, ...], as_json: bool, out: str | None) -> None:
    """Compare RUN_B against RUN_A on the tasks both evaluated (same data, same images); both runs are
    verified first."""
    from gazebench.engine.compare import compare_runs
    from gazebench.engine.rundir import jsonable
    from gazebench.engine.writable import check_out_file, write_out

    if out is not None:
        check_out_file(out, "--out")
    result = compare_runs(run_a, run_b, data_root=data_root, n_boot=n_boot, threshold_policy=threshold_policy,
                          n_perm=n_perm, metric_args=parse_model_args(metric_args, "--metric-arg"))
    text = json.dumps(jsonable(result.to_json()), indent=2)
    if out is not None:
        write_out(out, text + "\n", "--out")
    if as_json:
        click.echo(text)
        return
    stdout_console().print(comparison_table(result))
