"""`gazebench paper-table`: train and evaluate a paper's methods (reusing finished runs and fitted models)
and write its table to results/ (Thinking with Gaze by default, GazeX with `--paper gazex`)."""
from __future__ import annotations

from typing import Any

import click

from gazebench.engine.config import MAX_BOOT, THRESHOLD_POLICIES
from gazebench.errors import ConfigError


def parse_method_args(pairs: tuple[str, ...]) -> tuple[tuple[str, str, Any], ...]:
    """METHOD:KEY=VALUE pairs → (method, key, value) with JSON-parsed values, as `gazebench run --model-arg`."""
    from gazebench.cli.run_cmd import parse_model_args

    out = []
    for pair in pairs:
        method, sep, rest = pair.partition(":")
        if not sep or not method:
            raise ConfigError(f"--model-arg {pair!r}: expected METHOD:KEY=VALUE")
        out += [(method, key, value) for key, value in parse_model_args((rest,))]
    return tuple(sorted(out, key=lambda t: (t[0], t[1])))


@click.command("paper-table")
@click.option("--paper", default="thinking-with-gaze", show_default=True,
              help="Which paper's table: thinking-with-gaze (results/paper_table.*) or gazex (results/gazex_table.*).")
@click.option("--methods", default="paper", show_default=True,
              help="`paper` (the paper's methods) and/or comma-separated registered model names.")
@click.option("--data-root", type=click.Path(file_okay=False), envvar="GAZEBENCH_DATA_ROOT",
              help="Folder holding the datasets; default: the embedded simulated study.")
@click.option("--size", type=click.Choice(["default", "large"]), default="default", show_default=True,
              help="Embedded simulated study when no --data-root: default (the quick start's) or large (the paper "
                   "preset: x10 patients, MDDs ~3x smaller; generated once, ~x10 the time).")
@click.option("--backbone", default="tiny", show_default=True,
              help="Qwen2.5-VL backbone of the VLM methods: a named random config or a local weights directory.")
@click.option("--seeds", type=click.IntRange(min=1), default=1, show_default=True,
              help="Seeds 0..N-1 per method; cells show mean ± sd when N > 1.")
@click.option("--output-dir", type=click.Path(file_okay=False), default="runs", show_default=True,
              help="Run directories (reused when complete).")
@click.option("--results-dir", type=click.Path(file_okay=False), default="results", show_default=True,
              help="Where the table files are written.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Evaluate only the first N samples per split.")
@click.option("--n-boot", type=click.IntRange(1, MAX_BOOT), default=1000, show_default=True,
              help=f"Bootstrap replicates (at most {MAX_BOOT}).")
@click.option("--threshold-policy", type=click.Choice(THRESHOLD_POLICIES), default="max-f1", show_default=True,
              help="Acc/F1 thresholds: fixed 0.5, or per label tuned on the in-domain validate split.")
@click.option("--parse-probe", type=click.IntRange(min=0), default=8, show_default=True,
              help="In-domain test images Vanilla generates text for, to log its parse-failure rate (0: skip).")
@click.option("--model-arg", "model_args", multiple=True, metavar="METHOD:KEY=VALUE",
              help="Passed to that method's model factory (e.g. medclip:image_encoder=/models/swin).")
@click.option("--include", "includes", multiple=True, type=click.Path(dir_okay=False),
              help="Python file(s) to import first (they may register submitted models).")
def command(paper: str, methods: str, data_root: str | None, size: str, backbone: str, seeds: int, output_dir: str,
            results_dir: str,
            limit: int | None, n_boot: int, threshold_policy: str, parse_probe: int, model_args: tuple[str, ...],
            includes: tuple[str, ...]) -> None:
    """Regenerate a paper's table (ours beside the paper's numbers, the paired comparisons with the minimum
    detectable difference); every run is verified before its numbers are used."""
    from rich.console import Console

    from gazebench.engine.writable import check_out_dir
    from gazebench.paper import PaperSettings, build_table, get_paper, write_outputs
    from gazebench.paths import cache_dir

    get_paper(paper)  # an unknown --paper fails here, in one line, before any work
    cache_dir()  # a bad $GAZEBENCH_CACHE fails here, in one line, before any work
    check_out_dir(results_dir, "--results-dir")
    check_out_dir(output_dir, "--output-dir")
    if data_root and size != "default":
        raise ConfigError(f"--size {size} sizes the embedded simulated study; it does not apply to --data-root "
                          f"{data_root}")
    console = Console(stderr=True)
    settings = PaperSettings(paper=paper, methods=methods, data_root=data_root, size=size, backbone=backbone,
                             seeds=seeds, output_dir=output_dir, results_dir=results_dir, limit=limit, n_boot=n_boot,
                             threshold_policy=threshold_policy, parse_probe=parse_probe,
                             model_args=parse_method_args(model_args), includes=includes)
    table = build_table(settings, log=console.print)
    try:
        written = write_outputs(table, results_dir)
    except OSError as exc:
        raise ConfigError(f"--results-dir {results_dir}: cannot write ({exc.strerror or exc})") from None
    for fmt, path in written.items():
        console.print(f"[green]wrote[/] {path} ({fmt})")
