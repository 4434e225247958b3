"""`hf-vlm` on tiny random-weight checkpoints of five architectures (Qwen2.5-VL through gazebench's own input
builder, since its processor needs torchvision), built offline and saved as real local
directories: `gazebench run --model hf-vlm --model-arg path=DIR --tasks chexpert --limit N` through the CLI,
equal scores at batch size 1 and 8, greedy generation, the run identity holding the checkpoint digest and the
prompt-table version, and one-line errors for directories it cannot use."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from fixtures.hf_checkpoints import BUILDERS
from gazebench.adapter import ImageBatch
from gazebench.baselines.hf.vlm import HFVLMAdapter
from gazebench.cli.main import cli
from gazebench.errors import ConfigError
from gazebench.vlm.prompts import PROMPTS_VERSION

ARCHITECTURES = ("qwen2_5_vl", "llava", "paligemma", "gemma3", "idefics3")


@pytest.fixture(scope="session")
def checkpoints(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("hf-checkpoints")
    return {name: BUILDERS[name](root / name) for name in ARCHITECTURES}


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_cli_run_on_each_architecture(arch: str, checkpoints: dict[str, Path], small_root: Path,
                                      tmp_path: Path) -> None:
    out = CliRunner().invoke(cli, ["run", "--model", "hf-vlm", "--model-arg", f"path={checkpoints[arch]}",
                                   "--model-arg", "image_size=56", "--tasks", "chexpert", "--limit", "2",
                                   "--data-root", str(small_root), "--output-dir", str(tmp_path), "--n-boot", "10",
                                   "--threshold-policy", "fixed"])
    assert out.exit_code == 0, out.output
    (run,) = tmp_path.iterdir()
    config = json.loads((run / "config.json").read_text())
    text = json.dumps(config)
    assert f'"prompts_version": {PROMPTS_VERSION}' in text
    assert ('"input_builder": "QwenInputs"' in text if arch == "qwen2_5_vl"
            else '"input_builder": "ProcessorInputs"' in text and "Pil" in text)  # slow image processor recorded
    assert "checkpoint" in text  # the checkpoint's digest is part of the identity


@pytest.mark.parametrize("arch", ("qwen2_5_vl", "llava", "idefics3"))
def test_batch_size_does_not_change_scores_and_generation_runs(arch: str, checkpoints: dict[str, Path]) -> None:
    adapter = HFVLMAdapter(path=str(checkpoints[arch]), image_size=56, max_new_tokens=3)
    torch.manual_seed(0)
    x = torch.rand(8, 3, 56, 56)
    ids = tuple(f"img{i}" for i in range(8))
    together = adapter.classify(ImageBatch(ids, x)).probs
    alone = np.concatenate([adapter.classify(ImageBatch(ids[i:i + 1], x[i:i + 1])).probs for i in range(8)])
    assert together.shape == (8, 14) and ((together > 0) & (together < 1)).all()
    assert np.allclose(together, alone, atol=1e-5)
    texts = adapter.generate(x[:2], "Describe the image.")
    assert len(texts) == 2 and all(isinstance(t, str) for t in texts)


def test_one_line_errors(tmp_path: Path, checkpoints: dict[str, Path]) -> None:
    with pytest.raises(ConfigError, match="needs --model-arg path"):
        HFVLMAdapter()
    with pytest.raises(ConfigError, match="no config.json"):
        HFVLMAdapter(path=str(tmp_path))
    bert = tmp_path / "bert"
    bert.mkdir()
    (bert / "config.json").write_text(json.dumps({"model_type": "bert"}))
    with pytest.raises(ConfigError, match="'bert' has no transformers class for the image-text-to-text"):
        HFVLMAdapter(path=str(bert))
    llava = Path(shutil.copytree(checkpoints["llava"], tmp_path / "llava"))
    (llava / "processor_config.json").unlink()  # no processor: transformers cannot build one
    with pytest.raises(ConfigError) as err:
        HFVLMAdapter(path=str(llava))
    assert str(llava) in str(err.value) and "\n" not in str(err.value)
    qwen = Path(shutil.copytree(checkpoints["qwen2_5_vl"], tmp_path / "qwen"))
    config = json.loads((qwen / "config.json").read_text())
    (qwen / "config.json").write_text(json.dumps(config | {"image_token_id": 1}))
    with pytest.raises(ConfigError, match="<\\|image_pad\\|> id .* != config.json image_token_id 1"):
        HFVLMAdapter(path=str(qwen))
    with pytest.raises(ConfigError, match="multiple of 28"):
        HFVLMAdapter(path=str(checkpoints["qwen2_5_vl"]), image_size=50)
