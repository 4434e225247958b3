"""A task's data manifest without reading its dataset again, so a finished run is recognised in seconds.

Reading a dataset (parsing thousands of CSV and gaze files) only to recompute the data fingerprint that names a
run is most of what `gazebench run` on a finished run used to cost. This cache keeps, per task, the manifest of
a dataset that was read and whose images passed the data checks, under a key over:
- every file under the task's data folder: relative name, size, mtime_ns, ctime_ns and inode — the key
  gazebench.data.digest already trusts to stand for a file's bytes (rewriting a file changes its ctime), with
  the same racy-clean rule: nothing is stored while a file is younger than `RACY_SECONDS`;
- the task's definition (`Task.describe()`, version included) and the --limit the images were checked under;
- the source of gazebench itself and of the task's reader (a plugin's module), so any change of code misses.
A hit proves the reader would parse the same bytes with the same code, hence the same manifest; the fingerprint
stays a content digest (gazebench.data.manifest) and nothing here replaces it. The dataset itself is then read
only when a caller needs its samples, and its manifest is recomputed and compared then: a mismatch is an error,
never silently used. Tasks with a patient re-split are not cached (their split manifest lives outside the data
folder).

Beside a manifest, `DataFacts` keeps what a run learns by reading those same files that is not a sample: the
reader's skips (shown and recorded by every run, finished ones too) and the task's item count per model frame
(a run skips a task with no item). A finished run then reads no dataset at all. The facts are kept per data
folder as well (skips name files by path), and only for the data whose manifest the cache holds under the
same key: a read of files that changed meanwhile keeps nothing."""
from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gazebench.data.digest import RACY_SECONDS
from gazebench.engine.source_digest import code_digest, package_digest
from gazebench.paths import cache_dir
from gazebench.task import Task

CACHE_VERSION = "1"


def data_key(task: Task, data_root: Path, limit: int | None) -> str | None:
    """The cache key of `task`'s data under `data_root`, or None when it cannot be cached (no data folder,
    a patient re-split, or a file changed too recently to trust its timestamps)."""
    folder = task.data_dir(data_root)
    if task.patient_split is not None or not folder.is_dir():
        return None
    digest = hashlib.sha256(json.dumps({"cache": CACHE_VERSION, "task": task.describe(), "limit": limit,
                                        "code": _code_digest(task.reader)}, sort_keys=True).encode())
    newest = 0
    for name, st in _files(folder):
        newest = max(newest, st.st_mtime_ns, st.st_ctime_ns)
        digest.update(f"{name}\t{st.st_size}\t{st.st_mtime_ns}\t{st.st_ctime_ns}\t{st.st_ino}\n".encode())
    if newest >= (time.time() - RACY_SECONDS) * 1e9:
        return None
    return digest.hexdigest()


def _files(folder: Path) -> list[tuple[str, os.stat_result]]:
    """(name relative to `folder`, stat) of every file below it, sorted by name (os.scandir: pathlib's rglob
    is several times slower on the thousands of files of a MIMIC-EYE copy)."""
    out: list[tuple[str, os.stat_result]] = []
    pending = [("", str(folder))]
    while pending:
        prefix, directory = pending.pop()
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=True):
                    pending.append((f"{prefix}{entry.name}/", entry.path))
                elif entry.is_file(follow_symlinks=True):
                    out.append((prefix + entry.name, entry.stat(follow_symlinks=True)))
    return sorted(out, key=lambda item: item[0])


def cached_manifest(key: str | None) -> dict[str, Any] | None:
    """The manifest stored under `key`, None on a miss (an unreadable entry is a miss, and is replaced later)."""
    if key is None:
        return None
    try:
        entry = json.loads(_entry(key).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    manifest = entry.get("manifest") if isinstance(entry, dict) else None
    return manifest if isinstance(manifest, dict) and isinstance(manifest.get("sha256"), str) else None


def store_manifest(key: str | None, manifest: dict[str, Any]) -> None:
    """Remember `manifest` (of a dataset read and checked under `key`)."""
    if key is None:
        return
    from gazebench.engine.rundir import atomic_write_json

    path = _entry(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_json(path, {"cache": CACHE_VERSION, "manifest": manifest})


def _entry(key: str) -> Path:
    return cache_dir() / "manifests" / f"{key}.json"


def _code_digest(reader: str) -> str:
    """sha256 of gazebench's own source and of `reader`'s factory's (gazebench.engine.source_digest)."""
    from gazebench.data.readers import READERS

    code = code_digest(READERS.get(reader))
    if code is None:  # a reader with no source file: keyed by gazebench's own source and the reader's name
        code = hashlib.sha256(f"{package_digest()}\0{reader}".encode()).hexdigest()
    return code


@dataclass(frozen=True)
class DataFacts:
    """Where the facts of one task's data are kept: its manifest key (`data_key`) and the data folder read."""

    key: str
    folder: str

    def read(self, sha: str) -> dict[str, Any]:
        """The facts kept for the data of manifest sha256 `sha` ({} on a miss, for other data, or unreadable)."""
        try:
            entry = json.loads(self._path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(entry, dict) or entry.get("sha256") != sha or not isinstance(entry.get("facts"), dict):
            return {}
        return dict(entry["facts"])

    def add(self, sha: str, **facts: Any) -> None:
        """Keep `facts` (JSON) with those kept already, if the cache holds data of sha256 `sha` under `key`."""
        known = cached_manifest(self.key)
        if known is None or known["sha256"] != sha:
            return
        from gazebench.engine.rundir import atomic_write_json

        atomic_write_json(self._path(), {"cache": CACHE_VERSION, "sha256": sha, "facts": {**self.read(sha), **facts}})

    def _path(self) -> Path:
        place = hashlib.sha256(f"{self.key}\0{self.folder}".encode()).hexdigest()
        return cache_dir() / "manifests" / f"{place}.facts.json"


def data_facts(task: Task, data_root: Path, limit: int | None) -> DataFacts | None:
    """Where the facts of `task`'s data under `data_root` are kept, or None when its manifest cannot be cached."""
    key = data_key(task, data_root, limit)
    return None if key is None else DataFacts(key, str(task.data_dir(data_root)))
