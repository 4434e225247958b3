"""Finished predictions kept by content: a run's prediction and validation chunks, stored in the cache under its
config hash (which digests the model and its config, the fit, the local weights, the data manifests, the seed,
the limit, the device kind and the precision: everything that decides a prediction, never a path), so the same
run into another output folder copies them, each file checked against its sha256, instead of calling the model.

    <cache>/predictions/<config hash>/files.json            {"predictions/<task>/chunk-00000.csv": sha256, ...}
    <cache>/predictions/<config hash>/predictions/<task>/…  the chunk files, as the finished run holds them

An entry is written once, atomically (a temporary folder renamed into place), from a run whose results were
computed from exactly these files (their digests are in its results.json); a file that no longer matches its
digest makes the entry unusable, said in one line, and the model predicts as usual. As with fitted checkpoints
(gazebench.engine.fit), a fresh `$GAZEBENCH_CACHE` is how to make a run predict anew.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from gazebench.engine.rundir import RunDir, atomic_write_bytes, atomic_write_json
from gazebench.paths import cache_dir

FILES_NAME = "files.json"
FOLDERS = ("predictions", "validation")
"""The run folders an entry holds (gazebench.engine.rundir)."""


@dataclass(frozen=True)
class Restored:
    """What `restore` copied into a run: how many files, from the entry of which config hash."""

    config_hash: str
    files: int


def entry_dir(config_hash: str) -> Path:
    """The cache folder of the run identified by `config_hash`."""
    return cache_dir() / "predictions" / config_hash


def store(run: RunDir, config_hash: str, files: Mapping[str, str]) -> bool:
    """Keep `files` ({run-relative path: sha256}, the prediction files the run's results were computed from) under
    `config_hash`; False when an entry is there already (the first finished run of an identity wins)."""
    target = entry_dir(config_hash)
    if target.is_dir() or not files:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{config_hash[:12]}.", suffix=".tmp", dir=target.parent))
    try:
        for rel, sha in files.items():
            data = (run.path / rel).read_bytes()
            if hashlib.sha256(data).hexdigest() != sha:  # changed since scoring: not what the results came from
                shutil.rmtree(work, ignore_errors=True)
                return False
            destination = work / rel
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(data)
        atomic_write_json(work / FILES_NAME, {"config_hash": config_hash, "files": dict(sorted(files.items()))})
        os.rename(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        if target.is_dir():  # another process stored this identity first
            return False
        raise
    return True


def ready(run: RunDir, config_hash: str) -> bool:
    """Whether `restore` has an entry to try: one is cached under `config_hash` and `run` holds no prediction
    file yet (a partial run resumes from its own chunks instead)."""
    return (entry_dir(config_hash) / FILES_NAME).is_file() and not any(_holds_files(run.path / f) for f in FOLDERS)


def restore(run: RunDir, config_hash: str, log: Callable[[str], None]) -> Restored | None:
    """Copy the cached predictions of `config_hash` into `run` when `ready`, every file checked against its
    digest before any is copied; None when there is no usable entry (a damaged one is reported through `log`)."""
    if not ready(run, config_hash):
        return None
    target = entry_dir(config_hash)
    listed = _listing(target, config_hash)
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
    return Restored(config_hash, len(blobs))


def _listing(target: Path, config_hash: str) -> dict[str, str] | None:
    """The entry's {run-relative path: sha256}, None unless it is one `store` wrote for `config_hash` (paths only
    inside the prediction folders)."""
    try:
        listed = json.loads((target / FILES_NAME).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    files = listed.get("files") if isinstance(listed, dict) else None
    if listed.get("config_hash") != config_hash or not isinstance(files, dict) or not files:
        return None
    for rel, sha in files.items():
        parts = Path(rel).parts
        if (not isinstance(sha, str) or len(parts) != 3 or parts[0] not in FOLDERS
                or any(p in ("", ".", "..") for p in parts) or Path(rel).is_absolute()):
            return None
    return dict(files)


def _holds_files(folder: Path) -> bool:
    return folder.is_dir() and any(p.is_file() for p in folder.rglob("*"))
