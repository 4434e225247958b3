"""benchmarks/gpu_check.py runs end to end on CPU with its small config (so the GPU check cannot rot)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "gpu_check.py"


def test_gpu_check_small_runs_on_cpu_and_writes_json_and_markdown(tmp_path: Path) -> None:
    out = tmp_path / "gpu.json"
    done = subprocess.run([sys.executable, str(SCRIPT), "--small", "--steps", "1", "--out", str(out)],
                          env=dict(os.environ, OMP_NUM_THREADS="1", CUDA_VISIBLE_DEVICES=""), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    (result,) = json.loads(out.read_text())
    assert result["backbone"] == "tiny" and result["device"] == "cpu" and result["processes"] == 1
    assert result["eval_images_per_second"] > 0 and result["forward_gflops_per_image"] > 0
    assert result["eval_mfu"] is None  # no peak to divide by on a CPU
    for tag in ("train_ckpt", "train_no_ckpt"):
        assert result[tag]["micro_step_seconds"] > 0 and result[tag]["optimizer_step_seconds"] > 0
    assert 0 < result["params_trainable"] < result["params_total"]
    assert "| cpu | 1 |" in done.stdout and "| grad. ckpt |" in done.stdout
