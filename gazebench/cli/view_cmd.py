"""`gazebench view RUN_DIR [RUN_DIR ...]`: the local results viewer on 127.0.0.1, or `--export` a static page."""
from __future__ import annotations

from pathlib import Path

import click


@click.command("view")
@click.argument("run_dirs", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True, help="0: any free port.")
@click.option("--data-root", type=click.Path(file_okay=False), envvar="GAZEBENCH_DATA_ROOT",
              help="Where the runs' data is; default: the root recorded in each run, else the embedded study.")
@click.option("--export", "export", type=click.Path(dir_okay=False), default=None,
              help="Write a self-contained static page of the aggregate views here instead of serving.")
@click.option("--include-images", is_flag=True,
              help="With --export: also embed the highest-loss images (dataset content: see the printed notice).")
def command(run_dirs: tuple[str, ...], port: int, data_root: str | None, export: str | None,
            include_images: bool) -> None:
    """Look at verified runs: leaderboard, curves, calibration, slices, and every sample with its gaze."""
    from gazebench.errors import ConfigError
    from gazebench.viewer.state import Viewer

    if include_images and export is None:
        raise ConfigError("--include-images is only for --export")
    if export is not None:
        from gazebench.engine.writable import check_out_file

        check_out_file(export, "--export")  # before any run is read
    viewer = Viewer.open([Path(p) for p in run_dirs], Path(data_root) if data_root else None)
    if export is not None:
        from gazebench.viewer.export import IMAGES_NOTICE, export_html

        if include_images:
            click.echo(f"warning: {IMAGES_NOTICE}", err=True)
        click.echo(f"wrote {export_html(viewer, Path(export), images=include_images)}", err=True)
        return
    from gazebench.viewer.server import make_server

    server = make_server(viewer, port, log=lambda line: click.echo(line, err=True))
    address, bound = server.server_address[:2]
    host = address.decode() if isinstance(address, bytes) else address
    click.echo(f"gazebench viewer on http://{host}:{bound}/ (Ctrl-C stops it)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        server.server_close()
