"""Two CPU processes (gloo) train the same model through accelerate with no code change."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file

from gazebench.reference_model import GazeTokenAdapter

HERE = Path(__file__).parent


def test_two_process_gloo_fit_keeps_ranks_in_sync(tmp_path: Path) -> None:
    path = os.pathsep.join([str(HERE.parents[1]), os.environ.get("PYTHONPATH", "")])  # tests/: fixtures.vlm
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=path)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = str(sock.getsockname()[1])
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", port,
           str(HERE / "ddp_worker.py"), str(tmp_path)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    a, b = load_file(str(tmp_path / "rank0.safetensors")), load_file(str(tmp_path / "rank1.safetensors"))
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)  # DDP kept the replicas equal
    init = GazeTokenAdapter("original").state_dict()
    assert any(not torch.equal(a[k], init[k]) for k in a if "head" in k)  # and it did train
