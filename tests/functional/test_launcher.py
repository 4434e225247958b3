"""Data-parallel evaluation through the real launchers (`accelerate launch`, `torchrun`) on two gloo CPU processes:
one writer, disjoint rank shards, resume after a rank is killed (relaunched with 1 and with 2 processes), and
predictions and results.json numbers equal to a one-process run's."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from gazebench.cli.main import cli
from gazebench.engine.distributed import host_digest, read_launches
from gazebench.engine.predictions import read_predictions
from gazebench.viewer import pages
from gazebench.viewer.state import Viewer

CNN = ["run", "--model", "cnn", "--model-arg", "width=4", "--model-arg", "image_size=32", "--model-arg", "epochs=1",
       "--model-arg", "train_batch_size=16", "--tasks", "rsna,siim-acr", "--limit", "24", "--n-boot", "20",
       "--threads", "1", "--device", "cpu", "--batch-size", "4", "--chunk-size", "4", "--json"]
DYING = """
import os
from gazebench.adapter import register_model
from gazebench.models.random import RandomAdapter

@register_model("dying-random")
class Dying(RandomAdapter):
    \"\"\"`random`, except that rank 1 of a launched run dies at its second batch while the marker file exists.\"\"\"
    calls = 0

    def classify(self, batch):
        Dying.calls += 1
        if os.environ.get("RANK") == "1" and Dying.calls == 2 and os.path.exists({marker!r}):
            os._exit(3)
        return super().classify(batch)
"""


def _port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return str(sock.getsockname()[1])


def accelerate(n: int) -> list[str]:
    # `--cpu` alone would start ONE process (accelerate's simple launcher); `--multi_gpu` starts torchrun, and on a
    # machine without CUDA every rank joins a gloo group on the CPU (docs/training.md)
    return [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", str(n),
            "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", _port(),
            "-m", "gazebench"]


def torchrun(n: int) -> list[str]:
    return [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", str(n), "--master_port", _port(),
            "-m", "gazebench"]


def launch(prefix: list[str], args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*prefix, *args], env={**os.environ, "OMP_NUM_THREADS": "1", **(env or {})},
                          capture_output=True, text=True, timeout=240)


def in_process(args: list[str]) -> dict[str, Any]:
    done = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert done.exit_code == 0, done.output
    return dict(json.loads(done.stdout))


def predictions(run: Path) -> dict[str, pd.DataFrame]:
    """Every predictions/validation folder of a run, rows sorted by id."""
    return {str(f.relative_to(run)): read_predictions(f).sort_values("sample_id").reset_index(drop=True)
            for f in sorted([*run.glob("predictions/*"), *run.glob("validation/*")])}


def same_run(a: Path, b: Path) -> None:
    """Same ids and scores (exactly), same results.json numbers and thresholds."""
    pa, pb = predictions(a), predictions(b)
    assert pa.keys() == pb.keys()
    for key in pa:
        pd.testing.assert_frame_equal(pa[key], pb[key], check_exact=True)
    ra, rb = (json.loads((r / "results.json").read_text()) for r in (a, b))
    for key in ("results", "thresholds", "curves", "n-samples", "config_hash"):
        assert ra[key] == rb[key], key


def test_accelerate_launch_fits_predicts_and_scores_as_one_process_would(small_root: Path, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"  # shared: the one-process run reuses the 2-process fit, so the weights are the same
    monkeypatch.setenv("GAZEBENCH_CACHE", str(cache))
    where = ["--data-root", str(small_root), "--output-dir"]
    two = launch(accelerate(2), [*CNN, *where, str(tmp_path / "two")], {"GAZEBENCH_CACHE": str(cache)})
    assert two.returncode == 0, two.stderr[-3000:]
    assert two.stdout.count('"results"') == 1  # rank 0 alone prints the results
    one = in_process([*CNN, *where, str(tmp_path / "one")])
    (two_run,), (one_run,) = (tmp_path / "two").iterdir(), (tmp_path / "one").iterdir()
    assert two_run.name == one_run.name
    names = {f.name for f in two_run.glob("predictions/rsna/chunk-*.csv")}
    # batches of 4 (= chunks) dealt to the ranks in turn, under names no other rank or world size writes
    batches = -(-len(read_predictions(two_run / "predictions" / "rsna")) // 4)
    assert batches >= 4
    assert names == {f"chunk-rank{r}of2-{k:05d}.csv" for r in (0, 1) for k in range(len(range(r, batches, 2)))}
    shards = [set(pd.read_csv(two_run / "predictions" / "rsna" / f"chunk-rank{r}of2-00000.csv", dtype=str)["sample_id"])
              for r in (0, 1)]
    assert not shards[0] & shards[1]
    same_run(two_run, one_run)
    assert json.loads(two.stdout)["results"] == one["results"]
    assert not (two_run / ".lock").exists()
    # the launch is recorded (launcher, world size, each rank's host digest), outside the identity, and viewed
    (record,) = json.loads((two_run / "results.json").read_text())["launches"]
    assert (record["launcher"], record["world_size"], record["hosts"]) == ("accelerate", 2, [host_digest()] * 2)
    assert [(r["launcher"], r["world_size"]) for r in one["launches"]] == [(None, 1)]
    index = pages.index(Viewer.open([two_run], small_root))
    assert f"accelerate, 2 processes on 1 host(s) ({host_digest()} ×2)" in index


def test_torchrun_kill_one_rank_then_resume_with_one_and_two_processes(small_root: Path, tmp_path: Path) -> None:
    marker = tmp_path / "die"
    include = tmp_path / "dying.py"
    include.write_text(DYING.format(marker=str(marker)))
    args = ["run", "--model", "dying-random", "--include", str(include), "--tasks", "rsna,siim-acr", "--limit", "16",
            "--batch-size", "2", "--chunk-size", "2", "--n-boot", "30", "--device", "cpu", "--data-root",
            str(small_root), "--json", "--output-dir"]
    clean = tmp_path / "clean"
    in_process([*args, str(clean)])
    (clean_run,) = clean.iterdir()

    marker.touch()
    killed = launch(torchrun(2), [*args, str(tmp_path / "killed"), "--no-prediction-cache"])  # the cache has it
    marker.unlink()
    assert killed.returncode != 0, killed.stderr[-3000:]
    (run,) = (tmp_path / "killed").iterdir()
    assert not (run / "results.json").exists()
    # rank 1 died after flushing its first chunk (of the in-domain validate predictions, the first job)
    assert [f.name for f in run.glob("*/*/chunk-rank1of2-*.csv")] == ["chunk-rank1of2-00000.csv"]
    shutil.copytree(run, tmp_path / "killed2" / run.name)

    in_process([*args, str(tmp_path / "killed")])  # resumed by one process
    same_run(run, clean_run)
    assert {f.name for f in run.glob("*/*/chunk-*.csv")} >= {"chunk-00000.csv", "chunk-rank1of2-00000.csv"}

    resumed = launch(torchrun(2), [*args, str(tmp_path / "killed2")])  # resumed by two processes
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    same_run(tmp_path / "killed2" / run.name, clean_run)
    assert json.loads(resumed.stdout)["results"] == json.loads((clean_run / "results.json").read_text())["results"]
    launches = [(r["launcher"], r["world_size"]) for r in json.loads(resumed.stdout)["launches"]]
    assert launches == [("torchrun", 2), ("torchrun", 2)]  # the killed launch and the resume
    assert [(r["launcher"], r["world_size"]) for r in read_launches(run)] == [("torchrun", 2), (None, 1)]

    copied = launch(torchrun(2), [*args, str(tmp_path / "copied")])  # a new folder: rank 0 copies the cached chunks
    assert copied.returncode == 0 and "reused the predictions" in copied.stderr, copied.stderr[-3000:]
    (copied_run,) = (tmp_path / "copied").iterdir()
    same_run(copied_run, clean_run)
