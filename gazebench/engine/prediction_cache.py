"""Finished predictions kept by content: a run's prediction and validation chunks, stored in the cache under its
config hash (which digests the model and its config, the fit, the local weights, the data manifests, the seed,
the limit, the device kind and the precision: everything that decides a prediction, never a path) and the digest
of the code that made them (gazebench's source and the model adapter's, gazebench.engine.source_digest, with the
Python and library versions a run's provenance records), so the same run into another output folder copies
them, each file checked against its sha256, instead of calling the model; an edited adapter or gazebench, or
another torch or transformers, predicts anew.

    <cache>/predictions/<config hash>/<code>/files.json            {"predictions/<task>/chunk-00000.csv": sha256, …}
    <cache>/predictions/<config hash>/<code>/predictions/<task>/…  the chunk files, as the finished run holds them

An entry is written once, atomically (a temporary folder renamed into place), from a run whose results were
computed from exactly these files (their digests are in its results.json); a file that no longer matches its
digest makes the entry unusable, said in one line, and the model predicts as usual. As with fitted checkpoints
(gazebench.engine.fit), a fresh `$GAZEBENCH_CACHE` is how to make a run predict anew.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from gazebench.engine.rundir import RunDir, atomic_write_bytes, atomic_write_json, package_versions
from gazebench.engine.source_digest import code_digest
from gazebench.paths import cache_dir

FILES_NAME = "files.json"
FOLDERS = ("predictions", "validation")
"""The run folders an entry holds (gazebench.engine.rundir)."""


@dataclass(frozen=True)
class Restored:
    """What `restore` copied into a run: how many files, from the entry of which config hash and code digest."""

    config_hash: str
    code: str
    files: int


def predictor_digest(adapter_class: type) -> str | None:
    """The `code` an entry is kept under: the adapter's and gazebench's source (`code_digest`), the Python version
    and the versions of the libraries that compute predictions; None when the adapter has no source file."""
    source = code_digest(adapter_class)
    if source is None:
        return None
    runtime = {"python": platform.python_version(), "packages": package_versions()}
    return hashlib.sha256(f"{source}\0{json.dumps(runtime, sort_keys=True)}".encode()).hexdigest()


def entry_dir(config_hash: str, code: str) -> Path:
    """The cache folder of the run identified by `config_hash`, predicted by the code of digest `code`."""
    return cache_dir() / "predictions" / config_hash / code


def store(run: RunDir, config_hash: str, code: str, files: Mapping[str, str]) -> bool:
    """Keep `files` ({run-relative path: sha256}, the prediction files the run's results were computed from) under
    `config_hash` and `code`; False when an entry is there already (the first finished run of an identity wins)."""
    target = entry_dir(config_hash, code)
    if target.is_dir() or not files:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{code[:12]}.", suffix=".tmp", dir=target.parent))
    try:
        for rel, sha in files.items():
            data = (run.path / rel).read_bytes()
            if hashlib.sha256(data).hexdigest() != sha:  # changed since scoring: not what the results came from
                shutil.rmtree(work, ignore_errors=True)
                return False
            destination = work / rel
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(data)
        atomic_write_json(work / FILES_NAME, {"config_hash": config_hash, "code": code,
                                              "files": dict(sorted(files.items()))})
        try:
            os.rename(work, target)
        except OSError:
            if not target.is_dir():
                raise
            shutil.rmtree(work, ignore_errors=True)  # another process stored this identity first
            return False
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return True


def ready(run: RunDir, config_hash: str, code: str, log: Callable[[str], None]) -> bool:
    """Whether `restore` has an entry to try: one is cached under `config_hash` and `code`, and `run` holds no
    prediction file yet (a partial run resumes from its own chunks instead). Entries of the same identity made by
    other code are said through `log` (the model predicts)."""
    if any(_holds_files(run.path / f) for f in FOLDERS):
        return False
    if (entry_dir(config_hash, code) / FILES_NAME).is_file():
        return True
    others = entry_dir(config_hash, code).parent
    if others.is_dir() and any((o / FILES_NAME).is_file() for o in others.iterdir()):
        log("cached predictions of this run's identity were made by other code (gazebench's or the model "
            "adapter's source, Python or a library version has changed since): predicting anew")
    return False


def restore(run: RunDir, config_hash: str, code: str, log: Callable[[str], None]) -> Restored | None:
    """Copy the predictions cached under `config_hash` and `code` into `run` (a run `ready` said yes to), every
    file checked against its digest before any is copied; None when the entry is not usable (said through `log`)."""
    target = entry_dir(config_hash, code)
    listed = _listing(target, config_hash, code)
    if listed is None:
        log(f"[yellow]cached predictions {target} are not a gazebench entry for this run; predicting anew[/]")
        return None
    blobs: dict[str, bytes] = {}
    for rel, sha in listed.items():
        path = target / rel
        try:
            data: bytes | None = path.read_bytes()
        except OSError:  # missing or unreadable
            data = None
        if data is None or hashlib.sha256(data).hexdigest() != sha:
            log(f"[yellow]cached predictions: {path} is missing or does not match its digest; predicting anew[/]")
            return None
        blobs[rel] = data
    # sidecars before their chunk CSV: a chunk is taken as predicted once its CSV is there (gazebench.engine.predict)
    for rel in sorted(blobs, key=lambda r: (r.endswith(".csv"), r)):
        atomic_write_bytes(run.path / rel, blobs[rel])
    return Restored(config_hash, code, len(blobs))


def _listing(target: Path, config_hash: str, code: str) -> dict[str, str] | None:
    """The entry's {run-relative path: sha256}, None unless it is one `store` wrote for `config_hash` and `code`
    (paths only inside the prediction folders)."""
    try:
        listed = json.loads((target / FILES_NAME).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(listed, dict) or (listed.get("config_hash"), listed.get("code")) != (config_hash, code):
        return None
    files = listed.get("files")
    if not isinstance(files, dict) or not files:
        return None
    for rel, sha in files.items():
        parts = Path(rel).parts
        if (not isinstance(sha, str) or len(parts) != 3 or parts[0] not in FOLDERS
                or any(p in ("", ".", "..") for p in parts) or Path(rel).is_absolute()):
            return None
    return dict(files)


def _holds_files(folder: Path) -> bool:
    return folder.is_dir() and any(p.is_file() for p in folder.rglob("*"))
