"""Up-front checks of a local transformers checkpoint directory (config.json, a supported model type, tokenizer
files, safetensors weights with sound headers), so an incomplete or wrong download is one line naming what is
missing before any data is read; `load_checked`, the one loader of such folders, refuses a tensor the model
needs that the checkpoint lacks or holds in another shape, and a load that still fails is one line naming the
directory instead of a traceback."""
from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from safetensors import SafetensorError

from gazebench.errors import ConfigError

SAFETENSORS = "model.safetensors"
SAFETENSORS_INDEX = "model.safetensors.index.json"
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")
"""Weight formats gazebench refuses: loading them unpickles, i.e. runs code from the file."""
LOAD_ERRORS: tuple[type[Exception], ...] = (OSError, ValueError, RuntimeError, KeyError, TypeError, SafetensorError)
"""What transformers raises for a checkpoint it cannot load (corrupt weights, mismatched shapes, bad tokenizer)."""
DTYPE_BITS = {"BOOL": 8, "U8": 8, "I8": 8, "F8_E5M2": 8, "F8_E4M3": 8, "F8_E8M0": 8, "I16": 16, "U16": 16,
              "F16": 16, "BF16": 16, "I32": 32, "U32": 32, "F32": 32, "I64": 64, "U64": 64, "F64": 64, "C64": 64,
              "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6}
"""The safetensors dtypes and their widths (the format's own list, github.com/huggingface/safetensors)."""
MAX_HEADER = 100_000_000
"""The largest header the safetensors format allows (its reader refuses larger ones)."""


class UnusedWeightsWarning(UserWarning):
    """A checkpoint holds tensors the model does not use (ignored, as transformers ignores them)."""


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
    for file in weight_files(path, kind):
        read_header(file)


def load_checked(path: Path, kind: CheckpointKind, auto: Any, **options: Any) -> Any:
    """`auto.from_pretrained(path, **options)` offline and safetensors only, of a folder `check_checkpoint_dir`
    passed; a tensor the model needs that the checkpoint lacks, or holds in another shape, is a one-line
    ConfigError (transformers would initialise it at random), and tensors the model does not use are ignored
    as transformers ignores them, counted in one UnusedWeightsWarning line."""
    check_checkpoint_dir(path, kind)
    try:
        with _quiet_transformers():
            model, info = auto.from_pretrained(path, local_files_only=True, use_safetensors=True,
                                               output_loading_info=True, ignore_mismatched_sizes=True, **options)
    except LOAD_ERRORS as exc:
        raise load_error(path, kind, exc) from None
    mismatched = sorted(info.get("mismatched_keys") or ())
    if mismatched:
        name, found, expected = mismatched[0]
        raise ConfigError(f"{path}: tensor {name} has shape {list(found)} in the checkpoint, but the {kind.role}'s "
                          f"config.json gives it shape {list(expected)} ({len(mismatched)} mismatched in all)")
    missing = sorted(info.get("missing_keys") or ())
    if missing:
        raise ConfigError(f"{path}: tensor {missing[0]} the {kind.role} needs is not in the checkpoint "
                          f"({len(missing)} missing in all; gazebench does not start them from random values)")
    if info.get("error_msgs"):
        raise ConfigError(f"{path}: the {kind.role} could not be loaded ({_first_line(info['error_msgs'][0])})")
    unused = sorted(info.get("unexpected_keys") or ())
    if unused:
        warnings.warn(f"{path}: {len(unused)} tensors in the checkpoint are not used by the {kind.role} and were "
                      f"ignored, as transformers does (first: {unused[0]})", UnusedWeightsWarning, stacklevel=2)
    return model


def read_header(file: Path) -> dict[str, tuple[str, tuple[int, ...]]]:
    """{tensor name: (dtype, shape)} of a safetensors file, its header checked against the format (8-byte
    length, a JSON object, known dtypes, byte ranges that fit the file and the shape): a one-line ConfigError
    naming the file, so a truncated or corrupt download is refused before any model is built."""
    try:
        size = file.stat().st_size
        with file.open("rb") as handle:
            prefix = handle.read(8)
            length = int.from_bytes(prefix, "little") if len(prefix) == 8 else -1
            if not 0 < length <= min(MAX_HEADER, size - 8):
                raise ConfigError(f"{file}: not a safetensors file, or truncated (its {size} bytes hold no "
                                  "complete header)")
            header = json.loads(handle.read(length).decode("utf-8"))
    except OSError as exc:
        raise ConfigError(f"{file}: unreadable weights ({exc})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{file}: the safetensors header is not valid JSON ({exc})") from None
    if not isinstance(header, dict):
        raise ConfigError(f"{file}: the safetensors header is not a JSON object")
    data = size - 8 - length
    return {name: _tensor(file, name, entry, data) for name, entry in header.items() if name != "__metadata__"}


def weight_files(path: Path, kind: CheckpointKind) -> list[Path]:
    """The safetensors files of a checkpoint folder: model.safetensors, or the shards its index names (every
    one present, inside the folder); pickled weights are refused (gazebench never unpickles)."""
    if (path / SAFETENSORS).is_file():
        return [path / SAFETENSORS]
    index = path / SAFETENSORS_INDEX
    if index.is_file():
        shards = sorted(set(_weight_map(index).values()))
        outside = [s for s in shards if Path(s).name != s]
        if outside:
            raise ConfigError(f"{index}: weight_map names {outside[0]!r}, which is not a file name in the folder")
        missing = [s for s in shards if not (path / s).is_file()]
        if missing:
            raise ConfigError(f"{path}: {len(missing)} of {len(shards)} weight shards listed in {SAFETENSORS_INDEX} "
                              f"are missing (first: {missing[0]})")
        return [path / s for s in shards]
    pickled = sorted(f.name for f in path.iterdir() if f.suffix in PICKLE_SUFFIXES)
    if pickled:
        raise ConfigError(f"{path}: only safetensors weights are loaded (gazebench never unpickles a file it did not "
                          f"write), and the {kind.role} has only {pickled[0]}; convert it to {SAFETENSORS}")
    raise ConfigError(f"{path}: no weight files for the {kind.role} (expected {SAFETENSORS} or {SAFETENSORS_INDEX})")


def load_error(path: Path, kind: CheckpointKind, exc: BaseException) -> ConfigError:
    """A transformers load failure as one line naming the directory and the loader's own first line."""
    return ConfigError(f"{path}: the {kind.role} could not be loaded ({type(exc).__name__}: "
                       f"{_first_line(exc) or type(exc).__name__})")


def _model_type(path: Path, kind: CheckpointKind) -> str:
    config = path / "config.json"
    if not config.is_file():
        raise ConfigError(f"{path}: no config.json, so not a transformers checkpoint for the {kind.role}")
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{config}: unreadable config.json ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{config}: config.json is not a JSON object")
    if not isinstance(data.get("model_type"), str):
        raise ConfigError(f"{config}: no model_type (supported: {kind.supported()})")
    return str(data["model_type"])


def _weight_map(index: Path) -> dict[str, str]:
    """The index's `weight_map` ({tensor: shard file}), a one-line ConfigError naming the index if it is not one."""
    try:
        data = json.loads(index.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{index}: unreadable safetensors index ({type(exc).__name__}: {exc})") from None
    weight_map = data.get("weight_map") if isinstance(data, dict) else None
    if not isinstance(weight_map, dict) or not all(isinstance(v, str) for v in weight_map.values()):
        raise ConfigError(f"{index}: not a safetensors index (expected a JSON object whose weight_map maps each "
                          "tensor to a shard file name)")
    return weight_map


def _tensor(file: Path, name: str, entry: Any, data: int) -> tuple[str, tuple[int, ...]]:
    """(dtype, shape) of one header entry, checked: a known dtype, and a byte range inside the file's data that
    holds exactly the shape's elements."""
    if not isinstance(entry, dict):
        raise ConfigError(f"{file}: tensor {name} has no dtype, shape and data_offsets in the safetensors header")
    dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
    if dtype not in DTYPE_BITS:
        raise ConfigError(f"{file}: tensor {name} has dtype {dtype!r}, which safetensors does not define "
                          f"(known: {', '.join(DTYPE_BITS)})")
    if not (isinstance(shape, list) and all(isinstance(d, int) and d >= 0 for d in shape)
            and isinstance(offsets, list) and len(offsets) == 2 and all(isinstance(o, int) for o in offsets)):
        raise ConfigError(f"{file}: tensor {name} has a malformed shape or data_offsets in the safetensors header")
    begin, end = offsets
    elements = 1
    for d in shape:
        elements *= d
    if not 0 <= begin <= end <= data:
        raise ConfigError(f"{file}: tensor {name} lies past the end of the file (bytes {begin}-{end} of {data}): "
                          "truncated")
    if (end - begin) * 8 != elements * DTYPE_BITS[dtype]:
        raise ConfigError(f"{file}: tensor {name} holds {end - begin} bytes, not the {elements} {dtype} values of "
                          f"its shape {shape}")
    return dtype, tuple(shape)


@contextmanager
def _quiet_transformers() -> Iterator[None]:
    """transformers' load report and progress bar off while `load_checked` reads a folder: it says what matters
    itself, each in one line."""
    from transformers.utils import logging

    verbosity, bar = logging.get_verbosity(), logging.is_progress_bar_enabled()
    logging.set_verbosity_error()
    logging.disable_progress_bar()
    try:
        yield
    finally:
        logging.set_verbosity(verbosity)
        if bar:
            logging.enable_progress_bar()


def _first_line(message: object) -> str:
    return (str(message).strip().splitlines() or [""])[0]
