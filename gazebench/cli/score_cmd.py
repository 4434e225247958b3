"""`gazebench score RUN_DIR`: recompute a finished run's metrics from its saved predictions (e.g. under another
threshold policy, bootstrap size or CI level) without building or running the model."""
from __future__ import annotations

import json
from pathlib import Path

import click

from gazebench.cli.run_cmd import METRIC_ARG_HELP, parse_model_args
from gazebench.engine.config import MAX_BOOT, THRESHOLD_POLICIES
from gazebench.engine.run_table import results_table, stdout_console


@click.command("score")
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--data-root", type=click.Path(file_okay=False), envvar="GAZEBENCH_DATA_ROOT",
              help="Where the run's data is; default: the root recorded in the run, else the embedded study.")
@click.option("--threshold-policy", type=click.Choice(THRESHOLD_POLICIES), default=None,
              help="Default: the run's own policy.")
@click.option("--n-boot", type=click.IntRange(1, MAX_BOOT), default=None,
              help=f"Bootstrap replicates (at most {MAX_BOOT}); default: the run's own.")
@click.option("--ci-level", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=None,
              help="Default: the run's own.")
@click.option("--slices", default=None, metavar="ATTR,...",
              help="Subgroup attributes to slice the metrics by (view, sex, age); default: each task's own.")
@click.option("--metric-arg", "metric_args", multiple=True, metavar="KEY=VALUE", help=METRIC_ARG_HELP)
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Also write the results JSON here (outside the run directory).")
@click.option("--json", "as_json", is_flag=True, help="Print the results JSON on stdout.")
def command(run_dir: str, data_root: str | None, threshold_policy: str | None, n_boot: int | None,
            ci_level: float | None, slices: str | None, metric_args: tuple[str, ...], out: str | None,
            as_json: bool) -> None:
    """Rescore RUN_DIR from its saved predictions, with zero model forwards, and print the table.

    The run's predictions and results.json are never modified. Scoring options other than the run's own
    are saved in RUN_DIR/scores/<policy>__nboot<N>__ci<level>.json (a warning, not an error, if RUN_DIR is
    read-only); the run's own options only recompute and print.
    """
    from gazebench.engine.rundir import RunDir, jsonable
    from gazebench.engine.scoring import rescore, store_scores
    from gazebench.engine.writable import check_out_file, write_out

    if out is not None:
        check_out_file(out, "--out")
    results = rescore(run_dir, data_root=data_root, threshold_policy=threshold_policy, n_boot=n_boot,
                      ci_level=ci_level,
                      slices=None if slices is None else tuple(s.strip() for s in slices.split(",") if s.strip()),
                      metric_args=parse_model_args(metric_args, "--metric-arg"))
    try:
        stored = store_scores(RunDir(Path(run_dir)), results)
    except OSError as exc:
        stored = None
        click.echo(f"warning: {run_dir}: re-scoring not saved under scores/ ({exc.strerror or exc})", err=True)
    if out is not None:
        write_out(out, json.dumps(jsonable(results.to_json()), indent=2, allow_nan=False) + "\n", "--out")
    if as_json:
        click.echo(json.dumps(jsonable(results.to_json()), indent=2))
    else:
        stdout_console().print(results_table(results, title=f"rescored {stored or run_dir}"))
