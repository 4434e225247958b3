"""Kill a real `gazebench run` process midway (SIGKILL), rerun it, and get the uninterrupted results."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from gazebench.cli.main import cli

SLOW = """
import time
from gazebench.adapter import register_model
from gazebench.models.random import RandomAdapter

@register_model("slow-random")
class Slow(RandomAdapter):
    def classify(self, batch):
        time.sleep(0.15)
        return super().classify(batch)
"""


def args(include: Path, root: Path, out: Path) -> list[str]:
    return ["run", "--model", "slow-random", "--include", str(include), "--tasks", "rsna,siim-acr", "--batch-size",
            "2", "--chunk-size", "2", "--n-boot", "50", "--data-root", str(root), "--output-dir", str(out), "--json"]


def test_sigkill_then_rerun_equals_uninterrupted(small_root: Path, tmp_path: Path) -> None:
    include = tmp_path / "slow.py"
    include.write_text(SLOW)
    killed = tmp_path / "killed"
    argv = ["gazebench", *args(include, small_root, killed)]
    code = f"from gazebench.cli.main import main; import sys; sys.argv = {argv!r}; main()"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(killed.glob("*/predictions/rsna/chunk-*.csv")):
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    (run,) = killed.iterdir()
    assert not (run / "results.json").exists() and (run / ".lock").exists()  # died holding the lock

    resumed = CliRunner().invoke(cli, args(include, small_root, killed), catch_exceptions=False)
    clean = CliRunner().invoke(cli, args(include, small_root, tmp_path / "clean"), catch_exceptions=False)
    assert resumed.exit_code == 0 and clean.exit_code == 0
    assert json.loads(resumed.stdout)["results"] == json.loads(clean.stdout)["results"]
