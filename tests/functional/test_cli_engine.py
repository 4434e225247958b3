"""`gazebench run`, `score`, `compare` and `leaderboard` end to end on the "small" simulated study."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from gazebench.cli.main import cli
from gazebench.engine.rundir import RunDir
from gazebench.metrics.vocabulary import AUROC
from gazebench.results import RunResults
from gazebench.task import get_task

N_BOOT = "200"


def invoke(*args: str) -> str:
    """stdout of a successful command (progress and notices go to stderr)."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def runs(small_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("runs")
    for model in ("oracle", "random", "cnn"):
        invoke("run", "--model", model, "--tasks", "all", "--data-root", str(small_root), "--output-dir", str(out),
               "--n-boot", N_BOOT, "--threads", "1")
    return out


def run_dir(runs: Path, model: str) -> Path:
    (found,) = runs.glob(f"{model}__all__*")
    return found


def test_run_writes_an_immutable_run_directory(runs: Path) -> None:
    path = run_dir(runs, "cnn")
    for name in ("config.json", "provenance.json", "data_manifest.json", "thresholds.json", "results.json"):
        assert (path / name).is_file(), name
    results = RunResults.from_json(json.loads((path / "results.json").read_text()), path)
    for task, r in results.tasks.items():
        auroc = r.value(AUROC)
        assert auroc.value is not None and auroc.ci[0] is not None and auroc.ci[1] is not None
        assert 0.0 <= auroc.value <= 1.0 and auroc.ci[0] <= auroc.value <= auroc.ci[1], task
        assert {"per_label", "labels_excluded", "threshold_policy", "uncertain_policy",
                "blank_policy"} <= set(r.details)
    assert results.tasks["mimic-eye"].blocks["chexpert5"].family == "classification"
    assert results.config["adapter"]["trainable"] is True
    assert json.loads((path / "provenance.json").read_text())["torch_threads"] == 1
    assert results.config["execution"]["threads"] == 1 and "threads" not in results.config
    for chunk in path.glob("predictions/*/chunk-*.csv"):
        header = chunk.read_text().splitlines()[0].split(",")
        assert header[:2] == ["sample_id", "patient_id"] and len(header) == 16
    assert not (path / ".lock").exists()


def test_run_json_output(runs: Path, small_root: Path) -> None:
    out = invoke("run", "--model", "oracle", "--tasks", "all", "--data-root", str(small_root), "--output-dir",
                 str(runs), "--n-boot", N_BOOT, "--json")
    results = RunResults.from_json(json.loads(out), "stdout")
    assert all(r.value(AUROC).value == 1.0 for r in results.tasks.values() if r.family == AUROC.family)
    assert {r.kind for r in results.tasks.values()} == {t.kind for t in map(get_task, results.tasks)}


def test_score_under_other_policy(runs: Path, small_root: Path, tmp_path: Path) -> None:
    out = invoke("score", str(run_dir(runs, "cnn")), "--data-root", str(small_root), "--threshold-policy", "max-f1",
                 "--out", str(tmp_path / "rescored.json"))
    assert "rescored" in out
    rescored = RunResults.from_json(json.loads((tmp_path / "rescored.json").read_text()), "rescored")
    original = RunDir(run_dir(runs, "cnn")).load_results()
    assert rescored.tasks["rsna"].details["threshold_policy"]["name"] == "max-f1"
    assert rescored.tasks["rsna"].value(AUROC) == original.tasks["rsna"].value(AUROC)


def test_score_refuses_writing_into_the_run(runs: Path) -> None:
    result = CliRunner().invoke(cli, ["score", str(run_dir(runs, "cnn")), "--out",
                                      str(run_dir(runs, "cnn") / "x.json")])
    assert result.exit_code != 0 and "immutable" in result.output


def test_compare(runs: Path, small_root: Path) -> None:
    out = invoke("compare", str(run_dir(runs, "random")), str(run_dir(runs, "cnn")), "--data-root", str(small_root),
                 "--n-boot", "100")
    assert "B − A" in out and "mimic-eye" in out
    js = json.loads(invoke("compare", str(run_dir(runs, "random")), str(run_dir(runs, "oracle")), "--data-root",
                           str(small_root), "--n-boot", "100", "--json"))
    # `all` includes the GazeX tasks that have items on the simulated study (scanpath: REFLACX readings)
    assert set(js["tasks"]) >= {"mimic-eye", "chexpert", "rsna", "siim-acr", "mimic-eye-scanpath"}


@pytest.mark.parametrize("fmt", ["md", "csv", "latex", "html"])
def test_leaderboard_formats(runs: Path, fmt: str) -> None:
    out = invoke("leaderboard", str(runs), "--format", fmt)
    assert "oracle" in out and "random" in out and "cnn" in out
    expected = {"csv": "100.0,100.0,100.0", "html": "100.0<br><span class=ci>[100.0, 100.0]"}
    assert expected.get(fmt, "100.0 [100.0, 100.0]") in out


def test_leaderboard_html_renders_in_chromium(runs: Path, tmp_path: Path) -> None:
    """The page a person opens: screenshot it headless and check it is not blank (needs chromium)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium not installed")
    page = tmp_path / "leaderboard.html"
    invoke("leaderboard", str(runs), "--format", "html", "--out", str(page))
    script = Path(__file__).resolve().parents[2] / "scripts" / "screenshot_leaderboard.sh"
    png = tmp_path / "shot.png"
    subprocess.run(["bash", str(script), str(page), str(png)], check=True, capture_output=True, timeout=120)
    from PIL import Image

    with Image.open(png) as im:
        assert im.size == (1400, 1800)
        # text, tables and plots, not blank
        assert len(im.convert("L").resize((140, 180)).getcolors(maxcolors=256 * 256)) > 20


def test_leaderboard_refuses_a_run_whose_results_were_edited(runs: Path, tmp_path: Path) -> None:
    """Editing results.json (here: its data fingerprint) breaks its seal: that run is refused, named on
    stderr and in the table's notes, and the others are shown (mixed data itself: tests/unit/leaderboard)."""
    for model in ("random", "oracle"):
        shutil.copytree(run_dir(runs, model), tmp_path / run_dir(runs, model).name)
    target = tmp_path / run_dir(runs, "oracle").name / "results.json"
    text = target.read_text()
    sha = json.loads(text)["config"]["data_sha256"]["rsna"]
    target.write_text(text.replace(sha, "0" * 64))
    result = CliRunner().invoke(cli, ["leaderboard", str(tmp_path)])
    assert result.exit_code == 0
    assert re.search(r"warning: refused \S+: \S+results\.json: edited after scoring", result.output)
    assert "| random" in result.output and "| oracle" not in result.output
