"""Up-front checks of a local transformers checkpoint directory (config.json, a supported model type, tokenizer
files, safetensors weights), so an incomplete or wrong download is one line naming what is missing before any
data is read, and a load that still fails is one line naming the directory instead of a traceback."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from safetensors import SafetensorError

from gazebench.errors import ConfigError

SAFETENSORS = "model.safetensors"
SAFETENSORS_INDEX = "model.safetensors.index.json"
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")
"""Weight formats gazebench refuses: loading them unpickles, i.e. runs code from the file."""
LOAD_ERRORS: tuple[type[Exception], ...] = (OSError, ValueError, RuntimeError, KeyError, TypeError, SafetensorError)
"""What transformers raises for a checkpoint it cannot load (corrupt weights, mismatched shapes, bad tokenizer)."""


@dataclass(frozen=True)
class CheckpointKind:
    """What a directory must hold to serve one role (e.g. the Qwen2.5-VL backbone)."""

    role: str
    """Shown in messages, e.g. "Qwen2.5-VL backbone"."""
    model_types: tuple[tuple[str, str], ...]
    """Supported config.json `model_type` values with a human name each, e.g. (("qwen2_5_vl", "Qwen2.5-VL"),)."""
    tokenizer_files: tuple[tuple[str, ...], ...] = ()
    """Alternative sets of tokenizer files, one set of which must be present; () when no tokenizer is needed."""

    def supported(self) -> str:
        return ", ".join(f"{key} ({name})" for key, name in self.model_types)


def check_checkpoint_dir(path: Path, kind: CheckpointKind) -> None:
    """Raise a one-line ConfigError naming `path` and the first thing it lacks for `kind`."""
    if not path.is_dir():
        raise ConfigError(f"{path}: the {kind.role} is not a directory")
    model_type = _model_type(path, kind)
    if model_type not in dict(kind.model_types):
        raise ConfigError(f"{path}: model_type {model_type!r} is not supported as the {kind.role} "
                          f"(supported: {kind.supported()})")
    if kind.tokenizer_files and not any(all((path / f).is_file() for f in group) for group in kind.tokenizer_files):
        wanted = ", or ".join(" + ".join(group) for group in kind.tokenizer_files)
        raise ConfigError(f"{path}: no tokenizer files for the {kind.role} (expected {wanted})")
    _check_weights(path, kind)


def load_error(path: Path, kind: CheckpointKind, exc: BaseException) -> ConfigError:
    """A transformers load failure as one line naming the directory and the loader's own first line."""
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return ConfigError(f"{path}: the {kind.role} could not be loaded ({type(exc).__name__}: {first})")


def _model_type(path: Path, kind: CheckpointKind) -> str:
    config = path / "config.json"
    if not config.is_file():
        raise ConfigError(f"{path}: no config.json, so not a transformers checkpoint for the {kind.role}")
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{config}: unreadable config.json ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("model_type"), str):
        raise ConfigError(f"{config}: no model_type (supported: {kind.supported()})")
    return str(data["model_type"])


def _check_weights(path: Path, kind: CheckpointKind) -> None:
    """model.safetensors, or an index whose every shard is present; pickled weights are refused."""
    if (path / SAFETENSORS).is_file():
        return
    index = path / SAFETENSORS_INDEX
    if index.is_file():
        try:
            shards = set(json.loads(index.read_text(encoding="utf-8"))["weight_map"].values())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
            raise ConfigError(f"{index}: unreadable safetensors index ({type(exc).__name__}: {exc})") from None
        missing = sorted(s for s in shards if not (path / s).is_file())
        if missing:
            raise ConfigError(f"{path}: {len(missing)} of {len(shards)} weight shards listed in {SAFETENSORS_INDEX} "
                              f"are missing (first: {missing[0]})")
        return
    pickled = sorted(f.name for f in path.iterdir() if f.suffix in PICKLE_SUFFIXES)
    if pickled:
        raise ConfigError(f"{path}: only safetensors weights are loaded (gazebench never unpickles a file it did not "
                          f"write), and the {kind.role} has only {pickled[0]}; convert it to {SAFETENSORS}")
    raise ConfigError(f"{path}: no weight files for the {kind.role} (expected {SAFETENSORS} or {SAFETENSORS_INDEX})")
