"""Digests of code, never of data: gazebench's own source and the source of a plugin object (a task's reader, a
model's adapter), so what the engine caches by content besides code (a data manifest, a run's predictions)
misses after any edit of the code that produced it."""
from __future__ import annotations

import hashlib
import inspect
from pathlib import Path

_PACKAGE: list[str] = []
"""The package digest once computed (an explicit holder of a digest, not an lru_cache: the predict-contract test
flags every filled lru_cache as a route a model could read)."""


def package_digest() -> str:
    """sha256 over every source file of the installed gazebench package, by relative name (once per process)."""
    if not _PACKAGE:
        import gazebench

        package = Path(gazebench.__file__).parent
        digest = hashlib.sha256()
        for path in sorted(package.rglob("*.py")):
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
        _PACKAGE.append(digest.hexdigest())
    return _PACKAGE[0]


def code_digest(obj: object) -> str | None:
    """sha256 of gazebench's source and of `obj`'s own: for a class, the file of every class of its MRO (a model's
    adapter and the library classes it builds on), each with the rest of its package when it lives in one (the
    repository's `reference_model/`, a plugin package); for a function, its file alike. None when some of that
    code has no source file (defined in `python -c` or a REPL): then nothing can tell an edit."""
    files = _source_files(obj)
    if files is None:
        return None
    # each file named by its folder and name only, so the digest never depends on where it is installed
    named = sorted(f"{f.parent.name}/{f.name}\0{hashlib.sha256(f.read_bytes()).hexdigest()}" for f in files)
    return hashlib.sha256("\0".join([package_digest(), *named]).encode()).hexdigest()


def _source_files(obj: object) -> set[Path] | None:
    """The source files `code_digest` reads for `obj` (none for built-ins); None when one of its classes has no
    source file."""
    owners = [c for c in inspect.getmro(obj) if c is not object] if inspect.isclass(obj) else [obj]
    files: set[Path] = set()
    for owner in owners:
        try:
            source = inspect.getsourcefile(owner)  # type: ignore[arg-type]
        except TypeError:  # a built-in
            continue
        except OSError:  # defined where no file holds it
            return None
        if not source or not Path(source).is_file():
            return None
        path = Path(source).resolve()
        folder = path.parent
        files |= set(folder.glob("*.py")) if (folder / "__init__.py").is_file() else {path}
    return files
