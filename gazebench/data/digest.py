"""Content digests (sha256) of files and checkpoint folders, cached in a small sqlite database under the
gazebench cache so a rerun never rereads an unchanged file (a 16 GB snapshot or a terabyte of images is
hashed once).

A cache entry is keyed by (resolved path, size, mtime_ns, ctime_ns, inode): rewriting a file, even with the
same size and a restored mtime, changes its ctime and so misses the cache. A file modified less than
`RACY_SECONDS` before it was hashed is not cached, because a second write within the file system's
timestamp granularity would leave every key field unchanged (git's "racy clean" problem, see git's
Documentation/technical/racy-git.txt). The database runs in WAL mode with a busy timeout, so threads and
processes share it safely; a corrupt or unreadable database is deleted and rebuilt, never trusted.
"""
from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from gazebench.errors import GazebenchError
from gazebench.paths import cache_dir

DB_NAME = "digests.sqlite"
RACY_SECONDS = 2.0
"""Files changed this recently are hashed but not cached (2 s covers the coarsest common timestamps, FAT's)."""
_HEX64 = re.compile(r"[0-9a-f]{64}")

CHECKPOINT_PATTERNS = ("config*.json", "tokenizer*", "processor*", "preprocessor*", "chat_template*",
                       "generation_config.json", "vocab*", "merges*", "special_tokens_map.json",
                       "added_tokens.json", "*.model", "*.safetensors", "*.bin", "*.pt", "*.pth", "*.th",
                       "*.index.json", "vocabulary/*.txt")
"""What identifies a checkpoint folder: configs, tokenizer/processor files (incl. the vocabulary and merges
a slow tokenizer reads), every weight file, and the label vocabulary of an AllenNLP archive (RadGraph's)."""

_local = threading.local()
_setup_lock = threading.Lock()


def file_digest(path: Path | str) -> str:
    """sha256 hex of the bytes of `path`, from the cache when (path, size, mtime, ctime, inode) is unchanged;
    OSError if the file cannot be read."""
    resolved = Path(path).resolve()
    before = resolved.stat()
    key = _key(resolved, before)
    cached = _lookup(key)
    if cached is not None:
        return cached
    digest = _hash_file(resolved)
    after = resolved.stat()
    if _key(resolved, after) == key and max(after.st_mtime_ns, after.st_ctime_ns) < (
            time.time() - RACY_SECONDS) * 1e9:
        _store(key, digest)
    return digest


def file_digests(paths: Iterable[Path], workers: int = 4) -> dict[Path, str | None]:
    """`file_digest` of each path (None where it cannot be read), hashed on a few threads: sha256 releases
    the GIL, and on network storage reads overlap."""
    unique = list(dict.fromkeys(paths))
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return dict(zip(unique, pool.map(_digest_or_none, unique), strict=True))


def directory_digest(folder: Path | str) -> str:
    """sha256 over the relative names and content digests of the checkpoint files in `folder` (configs,
    tokenizer/processor files, every weight file; see CHECKPOINT_PATTERNS), in sorted order."""
    root = Path(folder)
    files = sorted({p for pattern in CHECKPOINT_PATTERNS for p in root.rglob(pattern) if p.is_file()})
    digest = hashlib.sha256(b"gazebench checkpoint folder v1\n")
    for name, sha in zip((p.relative_to(root).as_posix() for p in files), _digests_in_order(files), strict=True):
        digest.update(f"{name}\t{sha}\n".encode())
    return digest.hexdigest()


def path_digest(path: Path | str) -> str:
    """`directory_digest` of a folder, `file_digest` of a file, or "missing" when `path` does not exist."""
    p = Path(path)
    if p.is_dir():
        return directory_digest(p)
    return file_digest(p) if p.exists() else "missing"


def _digests_in_order(files: list[Path]) -> Iterator[str]:
    digests = file_digests(files)
    for f in files:
        found = digests[f]
        yield found if found is not None else "unreadable"


def _digest_or_none(path: Path) -> str | None:
    try:
        return file_digest(path)
    except OSError:
        return None


def _key(path: Path, st: os.stat_result) -> tuple[str, int, int, int, int]:
    return (str(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _hash_file(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _db_path() -> Path:
    return cache_dir() / DB_NAME


def _connect() -> sqlite3.Connection:
    """This thread's connection (per process, per cache folder), creating the table on first use."""
    path = _db_path()
    conn: sqlite3.Connection | None = getattr(_local, "conn", None)
    if conn is not None and getattr(_local, "owner", None) == (os.getpid(), path):
        return conn
    with _setup_lock:  # one thread at a time switches a new database to WAL and creates the table
        conn = sqlite3.connect(path, timeout=60.0, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("CREATE TABLE IF NOT EXISTS digests (path TEXT NOT NULL, size INTEGER NOT NULL, "
                     "mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL, inode INTEGER NOT NULL, "
                     "sha256 TEXT NOT NULL, PRIMARY KEY (path, size, mtime_ns, ctime_ns, inode))")
    _local.conn, _local.owner = conn, (os.getpid(), path)
    return conn


def _lookup(key: tuple[str, int, int, int, int]) -> str | None:
    """The cached digest for `key`, or None; a value that is not a sha256 hex means a damaged database."""
    try:
        row = _select(key)
    except sqlite3.DatabaseError:
        _rebuild()
        row = _select(key)
    if row is None:
        return None
    if isinstance(row[0], str) and _HEX64.fullmatch(row[0]):
        return row[0]
    _rebuild()
    return None


def _select(key: tuple[str, int, int, int, int]) -> tuple[object, ...] | None:
    """The row for `key`; a database that stays unusable after a rebuild is a one-line GazebenchError."""
    try:
        row: tuple[object, ...] | None = _connect().execute(
            "SELECT sha256 FROM digests WHERE path=? AND size=? AND mtime_ns=? AND ctime_ns=? AND inode=?",
            key).fetchone()
    except sqlite3.OperationalError as exc:
        raise GazebenchError(f"{_db_path()}: digest cache unusable ({exc})") from None
    return row


def _store(key: tuple[str, int, int, int, int], digest: str) -> None:
    """Remember `digest`; a database still busy after the timeout just misses this entry (the cache only
    saves rereads), a damaged one is rebuilt."""
    try:
        _connect().execute("INSERT OR REPLACE INTO digests VALUES (?, ?, ?, ?, ?, ?)", (*key, digest))
    except sqlite3.OperationalError:
        return
    except sqlite3.DatabaseError:
        _rebuild()


def _rebuild() -> None:
    """Delete a damaged database (and its WAL files); the next connection starts an empty one."""
    with _setup_lock:
        conn: sqlite3.Connection | None = getattr(_local, "conn", None)
        if conn is not None:
            conn.close()
        _local.conn = None
        path = _db_path()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
