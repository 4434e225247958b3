"""The CLI starts without the heavy libraries: `gazebench --help` imports no torch, transformers, peft, scipy.stats,
sklearn or pandas, and building a VLM adapter (what a finished run needs for its identity) imports no transformers
or peft. Checked in a fresh interpreter, since this test process has imported everything already."""
from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("torch", "transformers", "peft", "accelerate", "scipy.stats", "scipy.optimize", "sklearn", "pandas",
         "matplotlib", "torchvision")


def loaded_after(code: str) -> list[str]:
    """The HEAVY modules in sys.modules after running `code` in a fresh interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=300)
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_help_imports_no_heavy_module() -> None:
    code = ("import sys\nfrom gazebench.cli.main import cli\n"
            "try:\n    cli(['--help'])\nexcept SystemExit as e:\n    assert e.code == 0, e.code")
    assert loaded_after(code) == []


def test_listing_tasks_imports_no_heavy_module() -> None:
    code = ("from gazebench.cli.main import cli\n"
            "try:\n    cli(['list', 'tasks'])\nexcept SystemExit as e:\n    assert e.code == 0, e.code")
    assert loaded_after(code) == []


def test_building_a_vlm_adapter_imports_no_transformers() -> None:
    code = ("from gazebench.adapter import MODELS\nadapter = MODELS.create('original-gaze')\n"
            "assert adapter.config() and adapter.spec.image_size")
    assert [m for m in loaded_after(code) if m in ("transformers", "peft")] == []


def test_a_model_lookup_imports_that_model_only() -> None:
    code = ("import sys\nfrom gazebench.adapter import MODELS\nMODELS.get('cnn')\n"
            "assert 'gazebench.baselines' not in sys.modules and 'gazebench.reference_model' not in sys.modules")
    assert [m for m in loaded_after(code) if m in ("transformers", "peft")] == []
