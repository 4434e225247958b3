"""Where local weights lie is no part of a run's identity: their content digests are (gazebench.engine.fit
`weights_digests`). `redact` replaces each path a model loads weights from, wherever a model option or the
adapter config records it, by a placeholder named after its role (`<backbone weights>`), so two copies of one
checkpoint in different folders give one run hash and one fit; the real locations are recorded apart, in a
run's `execution` block, and `restore` puts them back where a recorded run is rebuilt."""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any


def placeholder(role: str) -> str:
    """What a recorded config shows instead of the path of the `role` weights, e.g. `<backbone weights>`."""
    return f"<{role} weights>"


def redact(value: Any, weights: Mapping[str, Path | str]) -> Any:
    """`value` (JSON-like: dicts, lists, tuples, strings, paths) with every string or path that names one of
    `weights` (by role) replaced by that role's placeholder; `value` itself when there are no weights."""
    by_path = {_location(p): placeholder(role) for role, p in weights.items()}
    return _walk(value, lambda text: by_path.get(_location(text), text)) if by_path else value


def restore(value: Any, recorded: Mapping[str, str]) -> Any:
    """`value` with each placeholder of a role in `recorded` ({role: path}, a run's `execution.weights`) put back
    as that path: the inverse of `redact`."""
    by_placeholder = {placeholder(role): path for role, path in recorded.items()}
    return _walk(value, lambda text: by_placeholder.get(text, text)) if by_placeholder else value


def _walk(value: Any, swap: Callable[[str], str]) -> Any:
    if isinstance(value, (str, os.PathLike)):
        text = os.fspath(value)
        swapped = swap(text) if isinstance(text, str) and text else text
        return value if swapped == text else swapped
    if isinstance(value, dict):
        return {k: _walk(v, swap) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_walk(v, swap) for v in value)
    return value


def _location(path: Path | str) -> str:
    """The absolute, user-expanded form of `path`, so `~/ckpt`, `./ckpt` and `/home/me/ckpt` compare equal."""
    return os.path.abspath(os.path.expanduser(os.fspath(path)))
