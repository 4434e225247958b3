"""Local checkpoint directories are checked up front: each missing or unsupported piece, a bad index and a
safetensors header that is truncated, not JSON or of an unknown dtype, is one ConfigError line naming the
directory or the file, before any model is built; a complete directory saved with save_pretrained loads
offline."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch
from transformers import AutoModel, BertConfig, SwinConfig

from fixtures.vlm import save_tiny_qwen
from gazebench.adapter import get_model
from gazebench.baselines.clip.encoders import TINY_BERT, TINY_SWIN
from gazebench.baselines.clip.tokenizer import tiny_tokenizer
from gazebench.errors import ConfigError
from gazebench.vlm.backbone import build_backbone, check_backbone


@pytest.fixture(scope="module")
def qwen_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny Qwen2.5-VL and its offline tokenizer, saved as a real checkpoint directory."""
    return save_tiny_qwen(tmp_path_factory.mktemp("qwen"))


def damaged(source: Path, tmp_path: Path, damage: str) -> Path:
    """A copy of `source` with one piece removed or broken."""
    copy = tmp_path / "ckpt"
    shutil.copytree(source, copy)
    config = copy / "config.json"
    weights = copy / "model.safetensors"
    if damage == "no-tokenizer":
        for f in ("tokenizer.json", "vocab.json", "vocab.txt"):
            (copy / f).unlink(missing_ok=True)
    elif damage == "no-weights":
        weights.unlink()
    elif damage == "bin-only":
        weights.rename(copy / "pytorch_model.bin")
    elif damage == "qwen2-vl":
        config.write_text(json.dumps(json.loads(config.read_text()) | {"model_type": "qwen2_vl"}))
    elif damage == "no-config":
        config.unlink()
    elif damage == "bad-config":
        config.write_text("{not json")
    elif damage == "missing-shard":
        weights.rename(copy / "model-00001-of-00002.safetensors")
        index = {"weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}
        (copy / "model.safetensors.index.json").write_text(json.dumps(index))
    elif damage == "truncated-weights":
        weights.write_bytes(weights.read_bytes()[:100])
    elif damage == "cut-data":
        weights.write_bytes(weights.read_bytes()[:-1000])
    elif damage == "header-not-json":
        raw_safetensors(weights, b"{not json")
    elif damage == "header-not-object":
        raw_safetensors(weights, b"[1, 2]")
    elif damage == "unknown-dtype":
        raw_safetensors(weights, json.dumps({"w": {"dtype": "F17", "shape": [1], "data_offsets": [0, 4]}}).encode(),
                        bytes(4))
    elif damage == "config-not-object":
        config.write_text("[1]")
    elif damage in ("index-not-object", "shard-outside"):
        weights.unlink()
        index = [] if damage == "index-not-object" else {"weight_map": {"a": "../model.safetensors"}}
        (copy / "model.safetensors.index.json").write_text(json.dumps(index))
    return copy


def raw_safetensors(path: Path, header: bytes, data: bytes = b"") -> None:
    """A safetensors file with this header: its 8-byte little-endian length, the header, then the data."""
    path.write_bytes(len(header).to_bytes(8, "little") + header + data)


def test_a_complete_directory_loads_offline_with_the_same_weights(qwen_dir: Path) -> None:
    check_backbone(str(qwen_dir))
    loaded = build_backbone(str(qwen_dir), k=0)
    fresh = build_backbone("tiny", k=0, seed=3)
    assert all(torch.equal(a, b) for a, b in zip(loaded.model.state_dict().values(),
                                                 fresh.model.state_dict().values(), strict=True))
    assert loaded.image_token_id == fresh.image_token_id


@pytest.mark.parametrize(("damage", "needle"), [
    ("no-tokenizer", "no tokenizer files for the Qwen2.5-VL backbone (expected tokenizer.json, or vocab.json + "
                     "merges.txt)"),
    ("no-weights", "no weight files for the Qwen2.5-VL backbone (expected model.safetensors or "
                   "model.safetensors.index.json)"),
    ("bin-only", "only safetensors weights are loaded (gazebench never unpickles a file it did not write), and the "
                 "Qwen2.5-VL backbone has only pytorch_model.bin"),
    ("qwen2-vl", "model_type 'qwen2_vl' is not supported as the Qwen2.5-VL backbone (supported: qwen2_5_vl"),
    ("no-config", "no config.json"),
    ("bad-config", "unreadable config.json"),
    ("missing-shard", "1 of 2 weight shards listed in model.safetensors.index.json are missing "
                      "(first: model-00002-of-00002.safetensors)"),
    ("truncated-weights", "model.safetensors: not a safetensors file, or truncated (its 100 bytes hold no complete "
                          "header)"),
    ("cut-data", "lies past the end of the file"),
    ("header-not-json", "model.safetensors: the safetensors header is not valid JSON"),
    ("header-not-object", "model.safetensors: the safetensors header is not a JSON object"),
    ("unknown-dtype", "model.safetensors: tensor w has dtype 'F17', which safetensors does not define"),
    ("config-not-object", "config.json: config.json is not a JSON object"),
    ("index-not-object", "model.safetensors.index.json: not a safetensors index (expected a JSON object whose "
                         "weight_map maps each tensor to a shard file name)"),
    ("shard-outside", "weight_map names '../model.safetensors', which is not a file name in the folder"),
])
def test_incomplete_backbone_directories_fail_up_front(qwen_dir: Path, tmp_path: Path, damage: str,
                                                       needle: str) -> None:
    path = damaged(qwen_dir, tmp_path, damage)
    for build in (lambda: get_model("vanilla", backbone=str(path)), lambda: get_model("sft", backbone=str(path))):
        with pytest.raises(ConfigError) as err:
            build()
        assert needle in str(err.value) and str(path) in str(err.value) and "\n" not in str(err.value)


def test_a_load_that_still_fails_is_one_line(qwen_dir: Path, tmp_path: Path) -> None:
    path = damaged(qwen_dir, tmp_path, "no-weights")
    shutil.copy(qwen_dir / "model.safetensors", path / "model.safetensors")
    (path / "tokenizer.json").write_text("{not a tokenizer")
    with pytest.raises(ConfigError, match="the Qwen2.5-VL backbone could not be loaded") as err:
        build_backbone(str(path), k=0)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_a_sharded_checkpoint_is_checked_shard_by_shard_and_loads(qwen_dir: Path, tmp_path: Path) -> None:
    """save_pretrained's sharded layout (model-0000x-of-0000y.safetensors + index) loads the same weights; a
    truncated shard is refused up front, naming that shard."""
    sharded = tmp_path / "sharded"
    build_backbone(str(qwen_dir), k=0).model.save_pretrained(sharded, max_shard_size="100KB")
    for f in qwen_dir.glob("*"):
        if "token" in f.name or f.name.startswith(("vocab", "merges", "special", "added", "chat")):
            shutil.copy(f, sharded / f.name)
    shards = sorted(sharded.glob("model-*-of-*.safetensors"))
    assert len(shards) > 1 and (sharded / "model.safetensors.index.json").is_file()
    loaded, fresh = build_backbone(str(sharded), k=0), build_backbone("tiny", k=0, seed=3)
    assert all(torch.equal(a, b) for a, b in zip(loaded.model.state_dict().values(),
                                                 fresh.model.state_dict().values(), strict=True))
    shards[-1].write_bytes(shards[-1].read_bytes()[:-8])
    with pytest.raises(ConfigError) as err:
        check_backbone(str(sharded))
    assert str(shards[-1]) in str(err.value) and "truncated" in str(err.value) and "\n" not in str(err.value)


def test_a_backbone_that_is_neither_named_nor_a_folder() -> None:
    with pytest.raises(ConfigError, match="neither a named config"):
        get_model("original-gaze", backbone="/no/such/qwen")


@pytest.fixture(scope="module")
def encoder_dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("clip")
    tokenizer = tiny_tokenizer()
    AutoModel.from_config(SwinConfig(image_size=32, **TINY_SWIN)).save_pretrained(folder / "swin")
    AutoModel.from_config(BertConfig(vocab_size=len(tokenizer), **TINY_BERT)).save_pretrained(folder / "bert")
    tokenizer.save_pretrained(folder / "bert")
    return folder / "swin", folder / "bert"


@pytest.mark.parametrize(("which", "damage", "needle"), [
    ("text", "no-tokenizer", "no tokenizer files for the text encoder (expected tokenizer.json, or vocab.txt)"),
    ("text", "bin-only", "only safetensors weights are loaded"),
    ("image", "no-weights", "no weight files for the image encoder"),
    ("image", "qwen2-vl", "model_type 'qwen2_vl' is not supported as the image encoder (supported: swin"),
])
def test_incomplete_encoder_directories_fail_up_front(encoder_dirs: tuple[Path, Path], tmp_path: Path, which: str,
                                                      damage: str, needle: str) -> None:
    swin, bert = encoder_dirs
    path = damaged(bert if which == "text" else swin, tmp_path, damage)
    dirs = {"image_encoder": str(path if which == "image" else swin),
            "text_encoder": str(path if which == "text" else bert)}
    with pytest.raises(ConfigError) as err:
        get_model("medclip", **dirs, image_size=32)
    assert needle in str(err.value) and str(path) in str(err.value) and "\n" not in str(err.value)
