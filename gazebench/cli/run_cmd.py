"""`gazebench run`: fit if needed, evaluate the tasks, write a run directory, print the results (a finished
run asked for under other scoring options is re-scored from its saved predictions, with no model forward)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from gazebench.engine.config import MAX_BOOT, MAX_SEED, THRESHOLD_POLICIES, RunConfig
from gazebench.engine.run_table import results_table, stdout_console
from gazebench.errors import ConfigError
from gazebench.options import MAX_BATCH
from gazebench.runtime import DEVICES, PRECISIONS

METRIC_ARG_HELP = ("Model-based report metric option (scoring, not hashed), e.g. chexbert=DIR, radgraph=DIR, "
                   "bertscore=DIR, bertscore_model=distilroberta-base; see docs/metrics.md.")


def parse_model_args(pairs: tuple[str, ...], flag: str = "--model-arg") -> tuple[tuple[str, Any], ...]:
    """KEY=VALUE pairs; values parse as JSON where they can (numbers, booleans), else stay strings."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ConfigError(f"{flag} {pair!r}: expected KEY=VALUE")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return tuple(sorted(out.items()))


@click.command("run")
@click.option("--model", required=True, help="Registered model name (see `gazebench list models`).")
@click.option("--tasks", default="all", show_default=True, help="`all` or comma-separated task names.")
@click.option("--data-root", type=click.Path(file_okay=False), envvar="GAZEBENCH_DATA_ROOT",
              help="Folder holding the datasets; default: the embedded simulated study.")
@click.option("--output-dir", type=click.Path(file_okay=False), default="runs", show_default=True)
@click.option("--seed", type=click.IntRange(0, MAX_SEED), default=0, show_default=True)
@click.option("--device", type=click.Choice(DEVICES), default="auto", show_default=True)
@click.option("--precision", type=click.Choice(PRECISIONS), default="auto", show_default=True,
              help="Fit and predict in fp32 or under bf16 autocast (auto: bf16 on CUDA, fp32 on CPU); hashed.")
@click.option("--batch-size", type=click.IntRange(1, MAX_BATCH), default=None, help="Default: 32 on CPU, 128 on CUDA.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Evaluate only the first N samples per split.")
@click.option("--threshold-policy", type=click.Choice(THRESHOLD_POLICIES), default="fixed", show_default=True,
              help="Scoring option: not part of the run identity; changing it on a finished run re-scores it.")
@click.option("--n-boot", type=click.IntRange(1, MAX_BOOT), default=1000, show_default=True,
              help=f"Bootstrap replicates (scoring option; at most {MAX_BOOT}).")
@click.option("--ci-level", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.95,
              show_default=True, help="Bootstrap confidence-interval level (scoring option).")
@click.option("--chunk-size", type=click.IntRange(min=1), default=256, show_default=True,
              help="Samples per flushed predictions file (the unit of resume).")
@click.option("--threads", type=click.IntRange(min=1), default=None,
              help="Torch CPU threads (default: torch's, one per core; at most 4 per CPU); recorded in provenance, "
                   "not hashed.")
@click.option("--model-arg", "model_args", multiple=True, metavar="KEY=VALUE", help="Passed to the model factory.")
@click.option("--metric-arg", "metric_args", multiple=True, metavar="KEY=VALUE", help=METRIC_ARG_HELP)
@click.option("--include", "includes", multiple=True, type=click.Path(dir_okay=False),
              help="Python file(s) to import first (they may register models).")
@click.option("--no-prediction-cache", "fresh", is_flag=True,
              help="Call the model even when predictions of this run's identity and code are in the cache.")
@click.option("--json", "as_json", is_flag=True, help="Print the results JSON on stdout.")
def command(model: str, tasks: str, data_root: str | None, output_dir: str, seed: int, device: str,
            precision: str, batch_size: int | None, limit: int | None, threshold_policy: str, n_boot: int,
            ci_level: float, chunk_size: int, threads: int | None, model_args: tuple[str, ...],
            metric_args: tuple[str, ...], includes: tuple[str, ...], fresh: bool, as_json: bool) -> None:
    """Evaluate MODEL on TASKS; a rerun resumes an interrupted run and reuses a fitted model."""
    from gazebench.engine.distributed import finish
    from gazebench.engine.evaluate import evaluate
    from gazebench.engine.plugins import include
    from gazebench.engine.rundir import jsonable
    from gazebench.paths import cache_dir
    from gazebench.task import resolve_tasks

    cache_dir()  # a bad $GAZEBENCH_CACHE fails here, in one line, before any work
    include(includes)
    config = RunConfig(model=model, tasks=tuple(t.name for t in resolve_tasks(tasks)), seed=seed,
                       threshold_policy=threshold_policy, n_boot=n_boot, ci_level=ci_level, limit=limit,
                       model_args=parse_model_args(model_args), device=device, batch_size=batch_size,
                       chunk_size=chunk_size, threads=threads, precision=precision,
                       metric_args=parse_model_args(metric_args, "--metric-arg"))
    outcome = evaluate(config, output_dir=Path(output_dir), data_root=data_root, reuse_predictions=not fresh)
    finish()  # a launched process leaves its group before it exits
    if not outcome.writer:  # a launched rank other than 0: rank 0 prints
        return
    if as_json:
        click.echo(json.dumps(jsonable(outcome.results.to_json()), indent=2))
        return
    where = outcome.scores_file or outcome.run_dir
    stdout_console().print(results_table(outcome.results, title=f"{model} — {where}"))
