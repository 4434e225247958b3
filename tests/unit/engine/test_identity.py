"""Run identity by content through `evaluate()`: changed fixation coordinates, image pixels, weight bytes or
precision give a new config hash and a new fit fingerprint; unchanged inputs, and the same weights copied to
another folder, reuse the finished run and the fitted checkpoint."""
from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

import numpy as np
import pytest
import torch

from fixtures.study_edits import copy_study, first_image, halve_reflacx_fixations, repaint_same_size
from gazebench.adapter import Adapter, FitContext, ImageBatch, InputSpec, register_model
from gazebench.data.digest import directory_digest
from gazebench.engine.config import RunConfig
from gazebench.engine.evaluate import RunOutcome, evaluate
from gazebench.engine.fit import checkpoint_dir, fit_config
from gazebench.engine.probes import config_of
from gazebench.engine.verify import verify_run
from gazebench.errors import ConfigError
from gazebench.outputs import Probabilities


class LocalWeights(Adapter):
    """A trainable model that starts from a local checkpoint folder (like a real backbone directory)."""

    spec = InputSpec(image_size=8)

    def __init__(self, weights_dir: str) -> None:
        self.folder = Path(weights_dir)
        self.w = torch.zeros(14)

    @property
    def trainable(self) -> bool:
        return True

    def config(self) -> dict[str, str]:
        return {"weights_dir": str(self.folder)}

    def weights(self) -> dict[str, Path]:
        return {"backbone": self.folder}

    def fit(self, ctx: FitContext) -> None:
        self.w = torch.linspace(0.1, 0.9, 14)

    def state_dict(self) -> dict[str, torch.Tensor]:
        return {"w": self.w}

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        self.w = state["w"]

    def classify(self, batch: ImageBatch) -> Probabilities:
        mean = batch.pixels.mean(dim=(1, 2, 3)).sigmoid().numpy()[:, None]
        return Probabilities(probs=np.clip(mean * self.w.numpy()[None, :], 0.0, 1.0))


register_model("test-local-weights")(LocalWeights)


@pytest.fixture
def weights_dir(tmp_path: Path) -> Path:
    """A checkpoint folder whose bytes are unique to the test (checkpoints are shared by content)."""
    folder = tmp_path / "ckpt"
    folder.mkdir()
    (folder / "config.json").write_text('{"hidden_size": 8}')
    (folder / "model.safetensors").write_bytes(uuid.uuid4().bytes * 64)
    return folder


@pytest.fixture
def study(small_root: Path, tmp_path: Path) -> Path:
    return copy_study(small_root, tmp_path / "study")


def run(folder: Path, out: Path, root: Path, reuse_predictions: bool = True, **kw: object) -> RunOutcome:
    config = RunConfig(model="test-local-weights", tasks=("mimic-eye",), n_boot=50,
                       model_args=(("weights_dir", str(folder)),), **kw)  # type: ignore[arg-type]
    return evaluate(config, output_dir=out, data_root=root, reuse_predictions=reuse_predictions)


def identity(outcome: RunOutcome) -> tuple[str, str]:
    config = json.loads((outcome.run_dir / "config.json").read_text())
    return config["config_hash"], config["fit_fingerprint"]


def test_unchanged_inputs_reuse_the_run_and_the_fit(weights_dir: Path, study: Path, tmp_path: Path) -> None:
    first = run(weights_dir, tmp_path / "a", study)
    assert first.reused_checkpoint is False
    config = json.loads((first.run_dir / "config.json").read_text())
    assert config["weights_sha256"] == {"backbone": directory_digest(weights_dir)}
    assert (config["device_kind"], config["precision"]) == ("cpu", "fp32")
    meta = json.loads((checkpoint_dir(config["fit_fingerprint"]) / "meta.json").read_text())
    assert (meta["weights_sha256"], meta["device_kind"], meta["precision"]) == (
        config["weights_sha256"], "cpu", "fp32")
    again = run(weights_dir, tmp_path / "a", study)
    assert again.already_complete and again.run_dir == first.run_dir
    elsewhere = run(weights_dir, tmp_path / "b", study, reuse_predictions=False)
    assert elsewhere.reused_checkpoint is True and identity(elsewhere) == identity(first)
    auto = run(weights_dir, tmp_path / "c", study, precision="fp32")  # auto resolves to fp32 on CPU
    assert auto.reused_predictions is not None and identity(auto) == identity(first)  # the same identity


def test_a_copy_of_the_weights_in_another_folder_is_the_same_run_and_fit(weights_dir: Path, study: Path,
                                                                         tmp_path: Path) -> None:
    """The folder's path is no part of the identity: the recorded config names the role, the execution block
    the place."""
    first = run(weights_dir, tmp_path / "a", study)
    copy = shutil.copytree(weights_dir, tmp_path / "elsewhere" / "copy")
    moved = run(copy, tmp_path / "b", study, reuse_predictions=False)
    assert moved.reused_checkpoint is True and identity(moved) == identity(first)
    config = json.loads((moved.run_dir / "config.json").read_text())
    assert config["model_args"] == {"weights_dir": "<backbone weights>"}
    assert config["adapter"]["config"] == {"weights_dir": "<backbone weights>"}
    assert config["execution"]["weights"] == {"backbone": str(copy)}
    identity_part = json.dumps({k: v for k, v in config.items() if k != "execution"})
    assert str(copy) not in identity_part and str(weights_dir) not in identity_part
    meta = json.loads((checkpoint_dir(config["fit_fingerprint"]) / "meta.json").read_text())
    assert meta["config"] == {"weights_dir": "<backbone weights>"}
    again = run(copy, tmp_path / "a", study)
    assert again.already_complete and again.run_dir == first.run_dir
    rebuilt = config_of(verify_run(moved.run_dir))  # what `gazebench probe` reruns: the recorded place
    assert rebuilt.model_args == (("weights_dir", str(copy)),)


def test_halved_fixations_are_a_new_run_and_a_new_fit(weights_dir: Path, study: Path, tmp_path: Path) -> None:
    before = run(weights_dir, tmp_path / "runs", study)
    halve_reflacx_fixations(study)
    after = run(weights_dir, tmp_path / "runs", study)
    assert not after.already_complete and after.reused_checkpoint is False
    assert after.run_dir != before.run_dir
    assert all(a != b for a, b in zip(identity(after), identity(before), strict=True))


def test_repainted_image_is_a_new_run_and_a_new_fit(weights_dir: Path, study: Path, tmp_path: Path) -> None:
    before = run(weights_dir, tmp_path / "runs", study)
    repaint_same_size(first_image(study))
    after = run(weights_dir, tmp_path / "runs", study)
    assert not after.already_complete and after.reused_checkpoint is False
    assert all(a != b for a, b in zip(identity(after), identity(before), strict=True))


def test_weight_bytes_overwritten_in_place_are_a_new_run_and_a_new_fit(weights_dir: Path, study: Path,
                                                                       tmp_path: Path) -> None:
    before = run(weights_dir, tmp_path / "runs", study)
    target = weights_dir / "model.safetensors"
    stat = target.stat()
    target.write_bytes(uuid.uuid4().bytes * 64)  # same size, same path, same mtime: only the bytes differ
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    after = run(weights_dir, tmp_path / "runs", study)
    assert not after.already_complete and after.reused_checkpoint is False
    assert all(a != b for a, b in zip(identity(after), identity(before), strict=True))


def test_precision_is_part_of_the_run_and_the_fit(weights_dir: Path, study: Path, tmp_path: Path) -> None:
    fp32 = run(weights_dir, tmp_path / "runs", study)
    bf16 = run(weights_dir, tmp_path / "runs", study, precision="bf16")
    assert not bf16.already_complete and bf16.reused_checkpoint is False
    assert all(a != b for a, b in zip(identity(bf16), identity(fp32), strict=True))
    config = json.loads((bf16.run_dir / "config.json").read_text())
    assert config["precision"] == "bf16"
    with pytest.raises(ConfigError, match="--precision"):
        RunConfig(model="random", tasks=("mimic-eye",), precision="fp16")


def test_models_declare_the_local_weights_they_load(tmp_path: Path) -> None:
    """Every built-in model that loads a local checkpoint names it in weights(), and its fit config names only
    the role; `tiny` ones name nothing."""
    from transformers import AutoModel, SwinConfig

    from fixtures.vlm import save_tiny_qwen
    from gazebench.baselines.clip.encoders import TINY_SWIN
    from gazebench.baselines.medclip.adapter import MedCLIPAdapter
    from gazebench.baselines.vanilla.adapter import VanillaAdapter
    from gazebench.reference_model import GazeTokenAdapter

    swin = tmp_path / "swin"
    AutoModel.from_config(SwinConfig(image_size=64, **TINY_SWIN)).save_pretrained(swin)
    clip = MedCLIPAdapter(image_encoder=str(swin), image_size=64, proj_dim=8)
    assert clip.weights() == {"image_encoder": swin}
    assert MedCLIPAdapter().weights() == {} and VanillaAdapter().weights() == {}
    assert GazeTokenAdapter("original").weights() == {}
    qwen = save_tiny_qwen(tmp_path / "qwen")
    assert GazeTokenAdapter("original", backbone=str(qwen)).weights() == {"backbone": qwen}
    assert VanillaAdapter(backbone=str(qwen)).weights() == {"backbone": qwen}
    for adapter in (VanillaAdapter(backbone=str(qwen)), GazeTokenAdapter("original", backbone=str(qwen)), clip):
        keyed = json.dumps(fit_config(adapter))  # the fit key's config: the role, not the place
        assert str(tmp_path) not in keyed and "weights>" in keyed
    digest = directory_digest(swin)
    (swin / "model.safetensors").write_bytes((swin / "model.safetensors").read_bytes()[:-4] + b"\0\0\0\1")
    assert directory_digest(swin) != digest


def test_an_option_given_as_text_or_number_is_one_run(small_root: Path, tmp_path: Path) -> None:
    """`--model-arg seed=3` (text from the CLI) and seed=3 (a number from Python) name the same run."""
    def once(value: object) -> RunOutcome:
        config = RunConfig(model="random", tasks=("chexpert",), n_boot=20, limit=4, model_args=(("seed", value),))
        return evaluate(config, output_dir=tmp_path, data_root=small_root)

    first, second = once("3"), once(3)
    assert second.run_dir == first.run_dir and second.already_complete
