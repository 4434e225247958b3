"""Kill a real `gazebench run` process midway (SIGKILL), rerun it, and get the uninterrupted results."""
from __future__ import annotations

import json
import os
import re
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


FLAKY = """
import os
from gazebench.adapter import register_model
from gazebench.models.random import RandomAdapter

@register_model("flaky-random")
class Flaky(RandomAdapter):
    calls = 0

    def classify(self, batch):
        Flaky.calls += 1
        if Flaky.calls == 4 and os.environ.get("FLAKY_FAILS") == "1":
            raise RuntimeError("cuda went away\\nsecond line")
        return super().classify(batch)
"""


def test_a_model_that_raises_midway_is_one_line_keeps_its_chunks_and_logs_the_traceback(
        small_root: Path, tmp_path: Path, monkeypatch: object) -> None:
    include = tmp_path / "flaky.py"
    include.write_text(FLAKY)
    out = tmp_path / "runs"
    argv = ["run", "--model", "flaky-random", "--include", str(include), "--tasks", "rsna", "--batch-size", "2",
            "--chunk-size", "2", "--limit", "8", "--n-boot", "20", "--data-root", str(small_root), "--output-dir",
            str(out)]
    monkeypatch.setenv("FLAKY_FAILS", "1")  # type: ignore[attr-defined]
    failed = CliRunner().invoke(cli, argv)
    assert failed.exit_code == 3 and failed.output.count("\n") == 1, failed.output
    (run,) = out.iterdir()
    line = failed.output
    assert re.match(r"error: model 'flaky-random' on task rsna: Flaky\.classify raised RuntimeError: cuda went away "
                    r"second line on batch 2 of 4 \(first sample '[^']+'\)", line), line
    assert (run / "predictions" / "rsna" / "chunk-00000.csv").is_file()
    assert f"full traceback in {run / 'run.log'}" in line and "Traceback" not in line
    kept = sorted(p.name for p in run.glob("*/*/chunk-*.csv"))
    assert kept and f"{len(kept)} prediction chunk(s) kept" in line and not (run / "results.json").exists()
    log = (run / "run.log").read_text()
    assert "Traceback (most recent call last)" in log and "RuntimeError: cuda went away" in log

    monkeypatch.delenv("FLAKY_FAILS")  # type: ignore[attr-defined]
    resumed = CliRunner().invoke(cli, [*argv, "--json"], catch_exceptions=False)
    clean = CliRunner().invoke(cli, [*argv[:-1], str(tmp_path / "clean"), "--json"], catch_exceptions=False)
    assert resumed.exit_code == 0 and clean.exit_code == 0, resumed.output
    assert set(kept) <= {p.name for p in run.glob("*/*/chunk-*.csv")}  # the kept chunks were not redone
    assert json.loads(resumed.stdout)["results"] == json.loads(clean.stdout)["results"]
