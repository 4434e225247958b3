"""Local weight paths leave a recorded config as role placeholders and come back from the execution record."""
from __future__ import annotations

from pathlib import Path

import pytest

from gazebench.weight_paths import placeholder, redact, restore


def test_each_spelling_of_a_weights_path_becomes_its_role(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    weights = {"backbone": tmp_path / "qwen", "init_weights": Path("init.safetensors")}
    value = {"backbone": "~/qwen", "nested": [str(tmp_path / "qwen"), ("./qwen/", 3)],
             "init": tmp_path / "init.safetensors", "other": "tiny", "empty": "", "n": 1}
    assert redact(value, weights) == {"backbone": "<backbone weights>",
                                      "nested": ["<backbone weights>", ("<backbone weights>", 3)],
                                      "init": "<init_weights weights>", "other": "tiny", "empty": "", "n": 1}
    assert redact(value, {}) is value


def test_restore_puts_the_recorded_locations_back() -> None:
    recorded = {"backbone": "/data/qwen"}
    redacted = {"backbone": placeholder("backbone"), "other": "<image_encoder weights>"}
    assert restore(redacted, recorded) == {"backbone": "/data/qwen", "other": "<image_encoder weights>"}
    assert redact(restore(redacted, recorded), {"backbone": Path("/data/qwen")}) == redacted
