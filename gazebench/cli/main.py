"""The `gazebench` command: one click group; each subcommand lives in its own module and stays a thin
call into the library. User errors print one line and exit non-zero."""
from __future__ import annotations

import sys

import click

from gazebench.errors import GazebenchError


class _Group(click.Group):
    """Turns GazebenchError into `error: <one line>` with its exit code instead of a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except GazebenchError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=_Group)
@click.version_option(package_name="gazebench")
def cli() -> None:
    """Benchmark gaze-supervised medical vision-language models on chest X-ray tasks."""


def _register_commands() -> None:
    from gazebench.cli import list_cmd

    cli.add_command(list_cmd.list_group)
    commands = ("data_cmd", "run_cmd", "score_cmd", "compare_cmd", "leaderboard_cmd", "paper_cmd", "reports_cmd",
                "probe_cmd", "view_cmd")
    for module_name in commands:
        try:
            module = __import__(f"gazebench.cli.{module_name}", fromlist=["command"])
        except ModuleNotFoundError as exc:
            if exc.name != f"gazebench.cli.{module_name}":
                raise
            continue
        cli.add_command(module.command)


_register_commands()


def main() -> None:
    cli()
