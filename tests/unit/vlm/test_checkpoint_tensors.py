"""Every loader of a local checkpoint folder (the Qwen2.5-VL backbone, the hf-* baselines, the MedCLIP
encoders) goes through gazebench.checkpoint_dir.load_checked: a tensor the model needs that the checkpoint
lacks, or holds in another shape, is one ConfigError line naming the tensor and the folder (never a random
initialisation); tensors the model does not use are ignored, as transformers ignores them, and counted in one
warning line."""
from __future__ import annotations

import shutil
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch
from safetensors.torch import load_file, save_file
from transformers import AutoModel, AutoModelForImageTextToText, SwinConfig

from fixtures.vlm import save_tiny_qwen
from gazebench.baselines.clip.encoders import IMAGE_CHECKPOINT, TINY_SWIN, load_local_model
from gazebench.baselines.hf.loading import image_text_family, load_model
from gazebench.checkpoint_dir import UnusedWeightsWarning
from gazebench.errors import ConfigError
from gazebench.vlm.backbone import build_backbone

EMBED = "embed_tokens.weight"
"""The Qwen token embedding (`model.embed_tokens.weight` on disk, `model.language_model.…` in the model)."""
SWIN_EMBED = "embeddings.patch_embeddings.projection.weight"


@pytest.fixture(scope="module")
def qwen_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny_qwen(tmp_path_factory.mktemp("qwen"))


@pytest.fixture(scope="module")
def swin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("swin")
    AutoModel.from_config(SwinConfig(image_size=32, **TINY_SWIN)).save_pretrained(folder)
    return folder


def edited(source: Path, tmp_path: Path, edit: Callable[[dict[str, torch.Tensor]], None]) -> Path:
    """A copy of checkpoint folder `source` whose model.safetensors was rewritten after `edit` of its tensors."""
    copy = tmp_path / "edited"
    shutil.copytree(source, copy)
    state = load_file(str(copy / "model.safetensors"))
    edit(state)
    save_file(state, str(copy / "model.safetensors"), metadata={"format": "pt"})
    return copy


def key(state: dict[str, torch.Tensor], suffix: str) -> str:
    (name,) = [k for k in state if k.endswith(suffix)]
    return name


def drop(suffix: str) -> Callable[[dict[str, torch.Tensor]], None]:
    def edit(state: dict[str, torch.Tensor]) -> None:
        del state[key(state, suffix)]
    return edit


def reshape(suffix: str) -> Callable[[dict[str, torch.Tensor]], None]:
    return lambda state: state.__setitem__(key(state, suffix), torch.zeros(3, 3))


def backbone(path: Path) -> Any:
    return build_backbone(str(path), k=0)


def hf_vlm(path: Path) -> Any:
    return load_model(path, image_text_family(), AutoModelForImageTextToText, torch.float32, torch.device("cpu"))


QWEN_SITES = [pytest.param(backbone, id="backbone"), pytest.param(hf_vlm, id="hf-vlm")]


def one_line(err: pytest.ExceptionInfo[ConfigError], *needles: str) -> None:
    message = str(err.value)
    assert "\n" not in message and all(n in message for n in needles), message


@pytest.mark.parametrize("load", QWEN_SITES)
def test_a_missing_tensor_is_refused_naming_it_and_the_folder(qwen_dir: Path, tmp_path: Path,
                                                              load: Callable[[Path], Any]) -> None:
    path = edited(qwen_dir, tmp_path, drop(EMBED))
    with pytest.raises(ConfigError) as err:
        load(path)
    one_line(err, str(path), f"language_model.{EMBED} the", "is not in the checkpoint (1 missing in all; "
             "gazebench does not start them from random values)")


@pytest.mark.parametrize("load", QWEN_SITES)
def test_a_tensor_of_another_shape_is_refused_with_both_shapes(qwen_dir: Path, tmp_path: Path,
                                                               load: Callable[[Path], Any]) -> None:
    path = edited(qwen_dir, tmp_path, reshape(EMBED))
    with pytest.raises(ConfigError) as err:
        load(path)
    one_line(err, str(path), EMBED, "has shape [3, 3] in the checkpoint", "config.json gives it shape [256, 64]")


def test_unused_tensors_are_ignored_and_counted(qwen_dir: Path, tmp_path: Path) -> None:
    path = edited(qwen_dir, tmp_path, lambda state: state.update(extra_a=torch.ones(2), extra_b=torch.ones(2)))
    with pytest.warns(UnusedWeightsWarning) as caught:
        loaded = backbone(path)
    (warning,) = [w for w in caught if w.category is UnusedWeightsWarning]
    assert str(warning.message) == (f"{path}: 2 tensors in the checkpoint are not used by the Qwen2.5-VL backbone "
                                    "and were ignored, as transformers does (first: extra_a)")
    fresh = build_backbone("tiny", k=0, seed=3)
    assert all(torch.equal(a, b) for a, b in zip(loaded.model.state_dict().values(),
                                                 fresh.model.state_dict().values(), strict=True))


def test_a_complete_checkpoint_loads_without_a_warning(qwen_dir: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnusedWeightsWarning)
        assert backbone(qwen_dir).image_token_id > 0


def test_an_encoder_is_checked_the_same_way(swin_dir: Path, tmp_path: Path) -> None:
    missing = edited(swin_dir, tmp_path / "missing", drop(SWIN_EMBED))
    with pytest.raises(ConfigError) as err:
        load_local_model(str(missing), IMAGE_CHECKPOINT)
    one_line(err, str(missing), SWIN_EMBED, "the image encoder needs is not in the checkpoint")
    reshaped = edited(swin_dir, tmp_path / "reshaped", reshape(SWIN_EMBED))
    with pytest.raises(ConfigError) as err:
        load_local_model(str(reshaped), IMAGE_CHECKPOINT)
    one_line(err, str(reshaped), SWIN_EMBED, "has shape [3, 3] in the checkpoint", "[32, 3, 4, 4]")
