"""`gazebench probe RUN_DIR --check blank,flip,...`: rerun a finished run's model on altered test inputs and
print how each metric moves (paired bootstrap CIs) and what that says, in words."""
from __future__ import annotations

import json

import click


@click.command("probe")
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--check", "checks", default="blank,flip,shuffle-gaze,swap-image", show_default=True,
              help="Comma-separated probes: blank, flip, shuffle-gaze (gaze-input models), swap-image.")
@click.option("--output-dir", type=click.Path(file_okay=False), default=None,
              help="Where the probe runs go; default: probes/ beside RUN_DIR.")
@click.option("--data-root", type=click.Path(file_okay=False), envvar="GAZEBENCH_DATA_ROOT",
              help="Where the run's data is; default: the root recorded in the run, else the embedded study.")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Also write the Markdown table here.")
@click.option("--json", "as_json", is_flag=True, help="Print the probe findings as JSON instead of the table.")
def command(run_dir: str, checks: str, output_dir: str | None, data_root: str | None, out: str | None,
            as_json: bool) -> None:
    """Probe RUN_DIR (verified first) for shortcuts; each probe is an ordinary run of the same fitted model."""
    from gazebench.engine.probes import parse_checks, probe, probe_markdown
    from gazebench.engine.rundir import jsonable
    from gazebench.engine.writable import check_out_file, write_out

    if out is not None:
        check_out_file(out, "--out")
    findings = probe(run_dir, parse_checks(checks), output_dir=output_dir, data_root=data_root)
    text = probe_markdown(findings)
    if out is not None:
        write_out(out, text, "--out")
    click.echo(json.dumps(jsonable(findings.to_json()), indent=2) if as_json else text)
