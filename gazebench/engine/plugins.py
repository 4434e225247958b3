"""`--include FILE.py`: import user files so the models (or tasks) they register become available."""
from __future__ import annotations

import hashlib
import importlib.util
import sys
from collections.abc import Iterable
from pathlib import Path

from gazebench.errors import ConfigError


def include(paths: Iterable[str | Path]) -> list[str]:
    """Import each Python file once under a private module name, after the built-in models, so a file that
    registers a taken name fails here in one line naming both registrations; returns the module names. With no
    file nothing is imported (a run loads only the entry point of the model it names)."""
    from gazebench.adapter import MODELS

    paths = list(paths)
    if not paths:
        return []
    MODELS.load_entry_points()  # the built-in and installed models, so a taken name is refused, not shadowed

    names = []
    for raw in paths:
        path = Path(raw).expanduser().resolve()
        if not path.is_file() or path.suffix != ".py":
            raise ConfigError(f"--include {raw}: not a Python file")
        name = f"gazebench_include_{path.stem}_{hashlib.sha1(str(path).encode()).hexdigest()[:8]}"
        if name not in sys.modules:
            spec = importlib.util.spec_from_file_location(name, path)
            if spec is None or spec.loader is None:
                raise ConfigError(f"--include {raw}: cannot be imported")
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            try:
                spec.loader.exec_module(module)
            except Exception as exc:
                del sys.modules[name]
                raise ConfigError(f"--include {raw}: import failed: {type(exc).__name__}: {exc}") from None
        names.append(name)
    return names
