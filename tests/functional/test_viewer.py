"""Slices, probes and the viewer end to end on the "small" simulated study: slice metrics against a hand split,
a probe that must read "answering from something other than the image", the viewer's pages over HTTP showing
results.json's numbers, the static export, and screenshots of every page kind in headless Chromium."""
from __future__ import annotations

import json
import shutil
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from gazebench.cli.main import cli
from gazebench.engine.rundir import RunDir
from gazebench.metrics.vocabulary import AUROC, BRIER, ECE, F1, metrics_for
from gazebench.results import RunResults

N_BOOT = "200"
TASKS = "mimic-eye,chexpert"


def invoke(*args: str) -> tuple[str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


@pytest.fixture(scope="module")
def runs(small_root: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("runs")
    for model in ("random", "oracle"):
        invoke("run", "--model", model, "--tasks", TASKS, "--data-root", str(small_root), "--output-dir", str(out),
               "--n-boot", N_BOOT, "--threads", "1")
    return {m: next(out.glob(f"{m}__*")) for m in ("random", "oracle")}


def results(run: Path) -> RunResults:
    return RunDir(run).load_results()


def test_slices_equal_metrics_on_a_hand_split(runs: dict[str, Path], small_root: Path) -> None:
    from gazebench.engine.predictions import aligned, read_predictions, score_matrix
    from gazebench.metrics import summary
    from gazebench.task import get_task

    block = results(runs["random"]).tasks["chexpert"]
    task = get_task("chexpert")
    samples = task.load(small_root).split("test")
    df = aligned(samples, read_predictions(runs["random"] / "predictions" / "chexpert"), runs["random"])
    y, p = task.targets(samples), score_matrix(df, task.labels, runs["random"])
    for attribute in ("sex", "view", "age"):
        groups = block.slices[attribute].groups
        values = sorted({s.attribute(attribute) for s in samples if s.attribute(attribute)})
        assert sorted(groups) == values
        for value in values:
            rows = [i for i, s in enumerate(samples) if s.attribute(attribute) == value]
            hand = summary(y[rows], p[rows], np.full(len(task.labels), 0.5), task.labels)
            got = groups[value]
            assert got.n == len(rows)
            for m in metrics_for(block.family):
                assert got.value(m).value == pytest.approx(hand[m.name]), (attribute, value, m.name)
            auroc = got.value(AUROC)
            if auroc.value is not None:  # a one-image slice has no AUROC
                assert auroc.ci[0] <= auroc.value <= auroc.ci[1]  # type: ignore[operator]
            assert (got.warning is not None) == (len(rows) < 30)


def test_calibration_in_results_and_score_slices_flag(runs: dict[str, Path], small_root: Path,
                                                      tmp_path: Path) -> None:
    block = results(runs["random"]).tasks["mimic-eye"].blocks[ECE.family]
    assert block.details["n_bins"] == 10 and block.value(BRIER).value > 0  # type: ignore[operator]
    out = tmp_path / "scored.json"
    invoke("score", str(runs["random"]), "--slices", "view", "--data-root", str(small_root), "--out", str(out))
    rescored = json.loads(out.read_text())
    assert list(rescored["results"]["chexpert"]["slices"]) == ["view"]
    assert rescored["scoring"]["slices"] == ["view"]
    result = CliRunner().invoke(cli, ["score", str(runs["random"]), "--slices", "height"])
    assert result.exit_code != 0 and "unknown slice attribute(s) height" in result.stderr


def test_probe_says_when_the_image_is_not_used(runs: dict[str, Path], small_root: Path, tmp_path: Path) -> None:
    args = ("probe", str(runs["oracle"]), "--check", "blank,shuffle-gaze", "--data-root", str(small_root),
            "--output-dir", str(tmp_path / "probes"))
    text, _ = invoke(*args)
    assert "| blank | chexpert | 100.0 | 100.0 |" in text
    assert "the model is answering from something other than the image" in text
    assert "not applicable: the model takes no gaze at test time" in text
    (probe_run,) = [p for p in (tmp_path / "probes").iterdir() if p.is_dir()]
    assert json.loads((probe_run / "config.json").read_text())["input_transform"] == "blank"
    report = json.loads((tmp_path / "probes" / f"{runs['oracle'].name}.probes.json").read_text())
    assert report["checks"]["blank"]["tasks"]["chexpert"]["metrics"]["auroc"]["diff"] == pytest.approx(0.0)
    _, log = invoke(*args)  # a probe is an ordinary run: asked again, it is complete already
    assert "complete already" in log


def test_probes_appear_in_the_viewer_and_the_leaderboard(runs: dict[str, Path], small_root: Path,
                                                        tmp_path: Path) -> None:
    import shutil

    from gazebench.viewer.pages import index
    from gazebench.viewer.state import Viewer

    run = Path(shutil.copytree(runs["random"], tmp_path / "runs" / runs["random"].name))
    invoke("probe", str(run), "--check", "flip", "--data-root", str(small_root))  # into probes/ beside the run
    page = index(Viewer.open([run], small_root))
    assert "Shortcut probes" in page and "flip" in page
    board, _ = invoke("leaderboard", str(tmp_path / "runs" / "probes"), "--format", "md")
    assert "random \\[probe: flip\\]" in board  # markdown-escaped brackets


@pytest.fixture(scope="module")
def server(runs: dict[str, Path], small_root: Path) -> Iterator[str]:
    from gazebench.viewer.server import make_server
    from gazebench.viewer.state import Viewer

    viewer = Viewer.open([runs["random"], runs["oracle"]], small_root)
    httpd = make_server(viewer)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    host, port = httpd.server_address[:2]
    yield f"http://{host}:{port}"
    httpd.shutdown()
    httpd.server_close()


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as response:
        return response.read()


def pct(value: float) -> str:
    return f"{100 * value:.1f}"


def test_pages_show_the_numbers_of_results_json(runs: dict[str, Path], server: str) -> None:
    assert server.startswith("http://127.0.0.1:")
    index = get(server + "/").decode()
    for model in ("random", "oracle"):
        for block in results(runs[model]).tasks.values():
            assert pct(block.value(AUROC).value) in index
            assert pct(block.blocks[ECE.family].value(ECE).value) in index
    assert "MDD" in index and "Paired differences" in index
    block = results(runs["random"]).tasks["chexpert"]
    page = get(server + "/task/0/chexpert").decode()
    for text in (pct(block.value(AUROC).value), pct(block.value(F1).value),
                 pct(block.blocks[ECE.family].value(BRIER).value), pct(block.details["per_label"]["Edema"]["auroc"]),
                 pct(block.slices["sex"].groups["F"].value(AUROC).value)):
        assert text in page
    assert page.count("<svg") == 3 and "Confusion at the run" in page
    browser = get(server + "/samples/0/chexpert?sort=disagreement&other=1").decode()
    assert f"{block.n} samples" in browser
    sample = browser.split("/sample/0/chexpert/")[1].split("'")[0]
    assert "image with gaze" in get(f"{server}/sample/0/chexpert/{sample}").decode()
    assert get(f"{server}/image/0/chexpert/{sample}.png")[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(urllib.error.HTTPError, match="404"):
        get(server + "/task/0/no-such-task")


def test_export_holds_aggregates_only_unless_asked(runs: dict[str, Path], small_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    invoke("view", str(runs["random"]), "--data-root", str(small_root), "--export", str(out))
    text = out.read_text()
    assert "<img" not in text and "data:image" not in text and "Aggregate views only" in text
    assert pct(results(runs["random"]).tasks["mimic-eye"].value(AUROC).value) in text
    _, err = invoke("view", str(runs["random"]), "--data-root", str(small_root), "--export", str(out),
                    "--include-images")
    assert "data-use agreement" in err and "data:image/png;base64" in out.read_text()


def test_every_page_kind_renders_in_chromium(server: str, tmp_path: Path) -> None:
    """Screenshot each page kind headless (skips without chromium) and check the DOM holds the numbers."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium not installed")
    from PIL import Image

    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'p'}"]
    sample = get(server + "/samples/0/chexpert").decode().split("/sample/0/chexpert/")[1].split("'")[0]
    pages = {"index": "/", "task": "/task/0/chexpert", "samples": "/samples/0/chexpert",
             "sample": f"/sample/0/chexpert/{sample}"}
    for name, path in pages.items():
        shot = tmp_path / f"viewer_{name}.png"
        subprocess.run([*flags, f"--screenshot={shot}", "--window-size=1300,1400", server + path],
                       check=True, capture_output=True, timeout=120)
        assert np.asarray(Image.open(shot).convert("L")).std() > 5, name
    dom = subprocess.run([*flags, "--dump-dom", server + "/"], check=True, capture_output=True, text=True,
                         timeout=120).stdout
    assert "Calibration and task pages" in dom


def test_leaderboard_slice_columns(runs: dict[str, Path]) -> None:
    text, _ = invoke("leaderboard", str(runs["random"].parent), "--slice", "sex")
    group = results(runs["random"]).tasks["chexpert"].slices["sex"].groups["M"]
    assert "chexpert sex=M AUROC" in text and pct(group.value(AUROC).value) in text
