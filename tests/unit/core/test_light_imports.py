"""The CLI starts without the heavy libraries: `gazebench --help` imports no torch, transformers, peft, scipy.stats,
sklearn or pandas, building a label-head VLM adapter (what a finished run needs for its identity) imports none of
them, not even torch, and `run` again on a finished run imports none of them for the engine's sake and reads no dataset.
Checked in a fresh interpreter, since this test process has imported everything already."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = ("torch", "transformers", "peft", "accelerate", "scipy.stats", "scipy.optimize", "sklearn", "pandas",
         "matplotlib", "torchvision")


def probed(code: str) -> tuple[list[str], subprocess.CompletedProcess[str]]:
    """The HEAVY modules in sys.modules after running `code` in a fresh interpreter, and the finished process
    (its stdout, less the last line this probe adds)."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=300)
    *shown, last = done.stdout.strip().splitlines()
    return list(json.loads(last)), subprocess.CompletedProcess(done.args, 0, "\n".join(shown), done.stderr)


def loaded_after(code: str) -> list[str]:
    """The HEAVY modules in sys.modules after running `code` in a fresh interpreter."""
    return probed(code)[0]


def test_help_imports_no_heavy_module() -> None:
    code = ("import sys\nfrom gazebench.cli.main import cli\n"
            "try:\n    cli(['--help'])\nexcept SystemExit as e:\n    assert e.code == 0, e.code")
    assert loaded_after(code) == []


def test_listing_tasks_imports_no_heavy_module() -> None:
    code = ("from gazebench.cli.main import cli\n"
            "try:\n    cli(['list', 'tasks'])\nexcept SystemExit as e:\n    assert e.code == 0, e.code")
    assert loaded_after(code) == []


VLM_MODELS = ("original-gaze", "shuffled-gaze", "random-gaze", "sft", "sft-heatmap")
"""The label-head VLMs (gazebench.vlm.adapter): naming one, its config and input contract need no torch."""


def test_building_a_vlm_adapter_imports_no_heavy_module() -> None:
    code = (f"from gazebench.adapter import MODELS\nfor name in {VLM_MODELS!r}:\n"
            "    adapter = MODELS.create(name)\n    assert adapter.config() and adapter.spec.image_size\n"
            "    assert adapter.device.type == 'cpu' and adapter.trainable")
    heavy = loaded_after(code)
    assert heavy == ["torch"]  # reading `adapter.device` (checked last) is what imports it
    assert loaded_after(code.rsplit("\n", 1)[0]) == []


def test_a_model_lookup_imports_that_model_only() -> None:
    code = ("import sys\nfrom gazebench.adapter import MODELS\nMODELS.get('cnn')\n"
            "assert 'gazebench.baselines' not in sys.modules and 'gazebench.reference_model' not in sys.modules")
    assert [m for m in loaded_after(code) if m in ("transformers", "peft")] == []


LIGHT_MODEL = """
import hashlib
import numpy as np
from gazebench.adapter import Adapter, InputSpec, register_model
from gazebench.outputs import Probabilities

@register_model("light-chance")
class LightChance(Adapter):
    spec = InputSpec(image_size=16)

    def classify(self, batch):
        def uniform(sid, label):
            digest = hashlib.blake2b(f"{sid}/{label}".encode(), digest_size=8).digest()
            return int.from_bytes(digest, "big") / 2.0**64
        return Probabilities(probs=np.array([[uniform(s, k) for k in self.spec.labels] for s in batch.ids]))
"""
"""A classification model whose own module imports numpy only (the built-in ones import torch at the top)."""

UNREAD = """
from gazebench.task import Task

def unread(self, root):
    raise AssertionError(f"the {self.name} dataset was read")

Task.load = unread
"""


def test_a_finished_run_imports_no_heavy_module_and_reads_no_dataset(small_root: Path, tmp_path: Path) -> None:
    args = ["run", "--model", "light-chance", "--tasks", "all", "--data-root", str(small_root), "--output-dir",
            str(tmp_path), "--n-boot", "10", "--json"]
    cli = (f"from gazebench.engine import manifest_cache\nmanifest_cache.RACY_SECONDS = 0.0\n"  # files just written
           f"from gazebench.cli.main import cli\ntry:\n    cli({args!r})\n"
           "except SystemExit as e:\n    assert e.code == 0, e.code")
    _, first = probed(LIGHT_MODEL + cli)
    heavy, again = probed(LIGHT_MODEL + UNREAD + cli)
    assert "complete already" in again.stderr and heavy == []
    results = json.loads(again.stdout)
    assert results == json.loads(first.stdout)  # the same results, data skips and skipped tasks included
    assert any(results["skipped"].values()) and results["unsupported"]


def test_a_new_output_folder_with_cached_predictions_imports_no_torch(small_root: Path, tmp_path: Path) -> None:
    def cli(folder: Path, *flags: str) -> str:
        args = ["run", "--model", "light-chance", "--tasks", "all", "--data-root", str(small_root), "--output-dir",
                str(folder), "--n-boot", "10", "--json", *flags]
        return (f"from gazebench.cli.main import cli\ntry:\n    cli({args!r})\n"
                "except SystemExit as e:\n    assert e.code == 0, e.code")

    (tmp_path / "light_model.py").write_text(LIGHT_MODEL)  # in a file, so its source is digested with the predictions
    from_file = f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\nimport light_model\n"
    predicted, first = probed(from_file + cli(tmp_path / "a", "--no-prediction-cache"))
    reused, again = probed(from_file + cli(tmp_path / "b"))
    assert "torch" in predicted  # calling a model puts it on a torch device
    assert "reused the predictions" in again.stderr and "torch" not in reused
    assert json.loads(again.stdout)["results"] == json.loads(first.stdout)["results"]
    # the same model defined in `python -c` has no source file: nothing tells an edit, so nothing is reused
    probed(LIGHT_MODEL + cli(tmp_path / "c"))
    unknown, fresh = probed(LIGHT_MODEL + cli(tmp_path / "d"))
    assert "neither reused nor kept" in " ".join(fresh.stderr.split()) and "torch" in unknown
