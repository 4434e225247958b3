"""A new task kind and a new metric family from a plugin package, found through entry points only (no gazebench
file changed): `gazebench run`, `score`, `compare`, `leaderboard` and `view` handle it end to end."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PLUGIN = Path(__file__).resolve().parents[1] / "plugin_kind_pkg"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plugin installed into its own folder, put on PYTHONPATH of the commands only."""
    tmp = tmp_path_factory.mktemp("plugin-kind")
    src = shutil.copytree(PLUGIN, tmp / "src")  # building writes into the source tree: keep the repo clean
    target = tmp / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--no-index", "--target", str(target), str(src)], check=True, capture_output=True, timeout=300)
    return target


def gazebench(site: Path, *args: str) -> str:
    """Run the gazebench CLI in a fresh interpreter that sees the plugin; its stdout (a failure shows stderr)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    code = f"from gazebench.cli.main import main; import sys; sys.argv = ['gazebench', *{list(args)!r}]; main()"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def test_a_plugin_kind_and_family_run_score_compare_rank_and_view(site: Path, small_root: Path,
                                                                  tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    common = ("--tasks", "plugin-counting", "--limit", "8", "--n-boot", "30", "--data-root", str(small_root),
              "--output-dir", str(runs))
    listed = json.loads(gazebench(site, "list", "tasks", "--json"))
    assert {"name": "plugin-counting", "kind": "counting", "family": "counting"}.items() <= \
        next(r for r in listed if r["name"] == "plugin-counting").items()

    first = json.loads(gazebench(site, "run", "--model", "plugin-counter", *common, "--json"))
    block = first["results"]["plugin-counting"]
    assert first["schema_version"] == 2 and block["kind"] == block["family"] == "counting" and block["n"] == 8
    assert set(block["metrics"]) == {"count_mae", "count_exact"}
    mae = block["metrics"]["count_mae"]
    assert mae["value"] is not None and mae["ci"][0] <= mae["value"] <= mae["ci"][1]
    assert first["higher_is_better"]["plugin-counting"] == {"count_mae": False, "count_exact": True}
    second = json.loads(gazebench(site, "run", "--model", "plugin-counter", "--model-arg", "bias=1", *common,
                                  "--json"))
    run_a, run_b = sorted(p for p in runs.iterdir() if p.is_dir())  # one run directory per model option
    assert second["results"]["plugin-counting"]["metrics"] != block["metrics"]

    rescored = json.loads(gazebench(site, "score", str(run_a), "--n-boot", "40", "--json"))
    again = rescored["results"]["plugin-counting"]["metrics"]
    assert {k: v["value"] for k, v in again.items()} == \
        {k: v["value"] for k, v in json.loads((run_a / "results.json").read_text())["results"]["plugin-counting"]
         ["metrics"].items()}  # other bootstrap size, same point estimates, model never rebuilt

    compared = json.loads(gazebench(site, "compare", str(run_a), str(run_b), "--n-boot", "30", "--json"))
    paired = compared["tasks"]["plugin-counting"]["metrics"]
    assert set(paired) == {"count_mae", "count_exact"} and all(m["verdict"] for m in paired.values())
    assert "Count MAE" in gazebench(site, "compare", str(run_a), str(run_b), "--n-boot", "30")

    board = gazebench(site, "leaderboard", str(runs))
    assert "plugin-counting Count MAE" in board and "plugin-counting Count exact" in board
    csv = gazebench(site, "leaderboard", str(runs), "--format", "csv")
    assert "plugin-counting/count_mae" in csv.splitlines()[0]

    page = tmp_path / "view.html"
    gazebench(site, "view", str(run_a), str(run_b), "--data-root", str(small_root), "--export", str(page))
    text = page.read_text()
    assert "Count MAE" in text and "counting" in text and "plugin-counter" in text
