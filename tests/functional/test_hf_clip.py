"""`hf-clip` on a tiny random-weight CLIP and a tiny SigLIP checkpoint, built offline and saved as real local
directories: `gazebench run --model hf-clip --model-arg path=DIR --tasks chexpert --limit N` through the CLI,
equal scores at batch size 1 and 8, the run identity holding the checkpoint digest, the prompt-table version
and the scoring rule, and one-line errors for directories that are not dual encoders."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from fixtures.hf_checkpoints import BUILDERS
from gazebench.adapter import ImageBatch
from gazebench.baselines.hf.clip import HFCLIPAdapter
from gazebench.cli.main import cli
from gazebench.errors import ConfigError
from gazebench.vlm.prompts import PROMPTS_VERSION

ENCODERS = {"clip": "softmax", "siglip": "sigmoid"}


@pytest.fixture(scope="module")
def encoders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("hf-encoders")
    return {name: BUILDERS[name](root / name) for name in ENCODERS}


@pytest.mark.parametrize("arch", sorted(ENCODERS))
def test_cli_run_on_each_encoder(arch: str, encoders: dict[str, Path], small_root: Path, tmp_path: Path) -> None:
    out = CliRunner().invoke(cli, ["run", "--model", "hf-clip", "--model-arg", f"path={encoders[arch]}",
                                   "--model-arg", "image_size=56", "--tasks", "chexpert", "--limit", "3",
                                   "--data-root", str(small_root), "--output-dir", str(tmp_path), "--n-boot", "10",
                                   "--threshold-policy", "fixed"])
    assert out.exit_code == 0, out.output
    (run,) = tmp_path.iterdir()
    text = (run / "config.json").read_text()
    assert f'"prompts_version": {PROMPTS_VERSION}' in text and f'"scoring": "{ENCODERS[arch]}"' in text
    assert "ImageProcessorPil" in text and "checkpoint" in text  # slow image processor; the weights' digest


@pytest.mark.parametrize("arch", sorted(ENCODERS))
def test_batch_size_does_not_change_scores(arch: str, encoders: dict[str, Path]) -> None:
    adapter = HFCLIPAdapter(path=str(encoders[arch]), image_size=56)
    x = torch.rand(8, 3, 56, 56, generator=torch.Generator().manual_seed(0))
    ids = tuple(f"img{i}" for i in range(8))
    together = adapter.classify(ImageBatch(ids, x)).probs
    alone = np.concatenate([adapter.classify(ImageBatch(ids[i:i + 1], x[i:i + 1])).probs for i in range(8)])
    assert together.shape == (8, 14) and ((together > 0) & (together < 1)).all()
    assert np.allclose(together, alone, atol=1e-5)
    assert together.std(axis=0).max() > 1e-4  # the images are told apart, not a constant


def test_one_line_errors(tmp_path: Path, encoders: dict[str, Path]) -> None:
    with pytest.raises(ConfigError, match="needs --model-arg path"):
        HFCLIPAdapter()
    with pytest.raises(ConfigError, match="no config.json"):
        HFCLIPAdapter(path=str(tmp_path))
    llava = tmp_path / "llava"
    llava.mkdir()
    (llava / "config.json").write_text(json.dumps({"model_type": "llava"}))
    with pytest.raises(ConfigError, match="'llava' has no transformers class for the dual-encoder"):
        HFCLIPAdapter(path=str(llava))
    unpickled = tmp_path / "bin-only"
    unpickled.mkdir()
    for f in encoders["clip"].iterdir():
        if f.name != "model.safetensors":
            (unpickled / f.name).write_bytes(f.read_bytes())
    (unpickled / "pytorch_model.bin").write_bytes(b"\x80")
    with pytest.raises(ConfigError) as err:
        HFCLIPAdapter(path=str(unpickled))
    assert "only safetensors" in str(err.value) and "\n" not in str(err.value)
