"""The viewer on runs of every kind (issue 20): oracle and random on `--tasks all` of the small simulated study.
Every task page the index links, each task's item browser, one item page and its image are served (200) with
the kind's content — generated vs reference text, predicted vs reference box, predicted vs radiologist
scanpath — `view --export` writes them, and each kind's pages render in headless Chromium."""
from __future__ import annotations

import re
import shutil
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pytest
from click.testing import CliRunner

from gazebench.cli.main import cli
from gazebench.engine.rundir import RunDir

MODELS = ("oracle", "random")
CONTENT = {
    "report": ("generated report", "reference report (data root)"),
    "vqa": ("model answer", "reference answer (data root)", "<b>question</b>"),
    "grounding": ("predicted box (yellow, image pixels)", "reference (lime)", "<b>query</b>"),
    "scanpath": ("predicted scanpath (yellow)", "radiologist (cyan)", "reported findings"),
    "classification": ("image with gaze", "threshold"),
}


@pytest.fixture(scope="module")
def runs(small_root: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("runs")
    for model in MODELS:
        result = CliRunner().invoke(cli, ["run", "--model", model, "--tasks", "all", "--data-root", str(small_root),
                                          "--output-dir", str(out), "--n-boot", "30", "--threads", "1"])
        assert result.exit_code == 0, result.output
    return [next(out.glob(f"{m}__*")) for m in MODELS]


@pytest.fixture(scope="module")
def server(runs: list[Path], small_root: Path) -> Iterator[str]:
    from gazebench.viewer.server import make_server
    from gazebench.viewer.state import Viewer

    httpd = make_server(Viewer.open(runs, small_root))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    host, port = httpd.server_address[:2]
    yield f"http://{host}:{port}"
    httpd.shutdown()
    httpd.server_close()


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as response:
        assert response.status == 200
        return response.read()


def first_item(server: str, k: int, task: str) -> str:
    browser = get(f"{server}/samples/{k}/{quote(task)}").decode()
    return browser.split(f"/sample/{k}/{quote(task)}/")[1].split("'")[0]


def kinds(run: Path) -> dict[str, str]:
    return {task: block.kind for task, block in RunDir(run).load_results().tasks.items()}


def test_runs_hold_every_kind(runs: list[Path]) -> None:
    for run in runs:
        assert set(kinds(run).values()) == set(CONTENT), run.name


def test_every_linked_page_and_every_kinds_item_page_is_served(runs: list[Path], server: str) -> None:
    index = get(server + "/").decode()
    linked = set(re.findall(r"href='(/task/\d+/[^']+)'", index))
    assert linked == {f"/task/{k}/{quote(t)}" for k, run in enumerate(runs) for t in kinds(run)}
    for k, run in enumerate(runs):
        for task, kind in kinds(run).items():
            page = get(f"{server}/task/{k}/{quote(task)}").decode()
            assert "<h1>" in page and ("AUROC" in page if kind == "classification" else "patient-bootstrap" in page)
            item = first_item(server, k, task)
            sample = get(f"{server}/sample/{k}/{quote(task)}/{item}").decode()
            assert all(text in sample for text in CONTENT[kind]), (run.name, task)
            assert get(f"{server}/image/{k}/{quote(task)}/{item}.png")[:8] == b"\x89PNG\r\n\x1a\n"


def test_oracle_pointers_are_shown_beside_the_reference_they_name(server: str, small_root: Path) -> None:
    from gazebench.task import get_task

    item = first_item(server, 0, "mimic-eye-report")
    page = get(f"{server}/sample/0/mimic-eye-report/{item}").decode()
    assert "stored a pointer to the reference" in page
    report = next(s.report for s in get_task("mimic-eye-report").load(small_root).split("test")
                  if s.sample_id == urllib.request.unquote(item))
    first_line = report.strip().splitlines()[0]
    assert page.count(first_line.replace("'", "&#x27;").replace('"', "&quot;")) == 2  # generated and reference


def test_export_of_every_kind(runs: list[Path], small_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.html"
    result = CliRunner().invoke(cli, ["view", *map(str, runs), "--data-root", str(small_root), "--export", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    for task in kinds(runs[0]):
        assert f"<section id='task-0-{task}'>" in text and f"<section id='task-1-{task}'>" in text
    assert "browse the" not in text and "data:image" not in text and "reference report (data root)" not in text


def test_every_kinds_pages_render_in_chromium(runs: list[Path], server: str, tmp_path: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium not installed (apt-get install chromium)")
    from PIL import Image

    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'p'}"]
    shown = {}
    for task, kind in kinds(runs[1]).items():  # random: one task per kind
        shown.setdefault(kind, task)
    for kind, task in shown.items():
        item = first_item(server, 1, task)
        for name, path in (("task", f"/task/1/{quote(task)}"), ("sample", f"/sample/1/{quote(task)}/{item}")):
            shot = tmp_path / f"{kind}_{name}.png"
            subprocess.run([*flags, f"--screenshot={shot}", "--window-size=1300,1400", server + path],
                           check=True, capture_output=True, timeout=120)
            assert np.asarray(Image.open(shot).convert("L")).std() > 5, (kind, name)
        dom = subprocess.run([*flags, "--dump-dom", f"{server}/sample/1/{quote(task)}/{item}"], check=True,
                             capture_output=True, text=True, timeout=120).stdout
        assert all(text.replace("'", "&#x27;") in dom or text in dom for text in CONTENT[kind][:1]), kind
