"""Third-party models: found through the `gazebench.models` entry point of an installed package, and
through `--include FILE.py`."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from gazebench.cli.main import cli

PLUGIN = Path(__file__).resolve().parents[1] / "plugin_pkg"


def test_entry_point_plugin_is_discovered_and_runs(small_root: Path, tmp_path: Path) -> None:
    src = shutil.copytree(PLUGIN, tmp_path / "src")  # building writes into the source tree: keep the repo clean
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--no-index", "--target", str(site), str(src)], check=True, capture_output=True, timeout=300)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    code = ("from gazebench.cli.main import main; import sys; "
            "sys.argv = ['gazebench', 'run', '--model', 'plugin-constant', '--tasks', 'rsna', '--limit', '6', "
            f"'--n-boot', '20', '--data-root', {str(small_root)!r}, '--output-dir', {str(tmp_path / 'runs')!r}, "
            "'--json']; main()")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    results = json.loads(out.stdout)
    assert results["model_name"] == "plugin-constant" and results["results"]["rsna"]["n"] == 6
    assert results["config"]["adapter"]["class"] == "gazebench_plugin_demo.ConstantAdapter"


def test_include_file_registers_a_model(small_root: Path, tmp_path: Path) -> None:
    user_file = tmp_path / "my_adapter.py"
    user_file.write_text(
        "from gazebench.adapter import register_model\n"
        "from gazebench.models.random import RandomAdapter\n\n"
        "@register_model('my-included')\n"
        "class Mine(RandomAdapter):\n"
        "    pass\n")
    result = CliRunner().invoke(cli, ["run", "--model", "my-included", "--include", str(user_file), "--tasks",
                                      "siim-acr", "--limit", "5", "--n-boot", "20", "--data-root", str(small_root),
                                      "--output-dir", str(tmp_path / "runs"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["results"]["siim-acr"]["n"] == 5
