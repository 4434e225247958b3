"""Content digests and their sqlite cache: unchanged files are not reread, rewritten ones are, a corrupt
cache is rebuilt, checkpoint folders are identified by names and content."""
from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest

from gazebench.data import digest
from gazebench.data.digest import directory_digest, file_digest, file_digests, path_digest
from gazebench.paths import cache_dir

OLD = 1_600_000_000


def write(path: Path, data: bytes, mtime: int = OLD) -> Path:
    """Write `data` and date the file in the past, so it is not "racily" fresh and may be cached."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, ns=(mtime * 10**9, mtime * 10**9))
    return path


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test digests into its own empty cache database."""
    monkeypatch.setenv("GAZEBENCH_CACHE", str(tmp_path / "cache"))


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every file the digest module actually hashes, in order; ctime is fresh in tests, so the racy window
    is closed to let the cache be exercised (the window itself has its own test)."""
    seen: list[Path] = []
    real = digest._hash_file

    def counting(path: Path) -> str:
        seen.append(path)
        return real(path)

    monkeypatch.setattr(digest, "_hash_file", counting)
    monkeypatch.setattr(digest, "RACY_SECONDS", 0.0)
    return seen


def test_digest_is_sha256_of_the_bytes_and_untouched_files_are_not_reread(tmp_path: Path,
                                                                          reads: list[Path]) -> None:
    f = write(tmp_path / "a.bin", b"hello world" * 1000)
    assert file_digest(f) == hashlib.sha256(b"hello world" * 1000).hexdigest()
    assert file_digest(f) == file_digest(tmp_path / "." / "a.bin")  # same resolved path: one cache entry
    assert reads == [f.resolve()]


def test_same_size_rewrite_gets_a_new_digest(tmp_path: Path, reads: list[Path]) -> None:
    f = write(tmp_path / "a.bin", b"A" * 64)
    first = file_digest(f)
    write(f, b"B" * 64, mtime=OLD + 7)  # same size, new bytes and mtime
    assert file_digest(f) != first and len(reads) == 2
    write(f, b"C" * 64, mtime=OLD + 7)  # even with the mtime restored: the ctime moved
    assert file_digest(f) == hashlib.sha256(b"C" * 64).hexdigest() and len(reads) == 3


def test_freshly_written_files_are_not_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file changed within the timestamp granularity could change again unseen: hash it, do not cache it."""
    seen: list[Path] = []
    real = digest._hash_file
    monkeypatch.setattr(digest, "_hash_file", lambda p: seen.append(p) or real(p))
    f = tmp_path / "fresh.bin"
    f.write_bytes(b"new")
    file_digest(f)
    file_digest(f)
    assert len(seen) == 2


def test_corrupt_cache_is_rebuilt_not_trusted(tmp_path: Path, reads: list[Path]) -> None:
    f = write(tmp_path / "a.bin", b"payload")
    truth = file_digest(f)
    digest._rebuild()  # drop this thread's connection, then damage the database file
    (cache_dir() / digest.DB_NAME).write_bytes(b"this is not an sqlite database" * 100)
    assert file_digest(f) == truth and len(reads) == 2
    assert file_digest(f) == truth and len(reads) == 2  # cached again in the rebuilt database


def test_a_tampered_entry_is_not_trusted(tmp_path: Path, reads: list[Path]) -> None:
    f = write(tmp_path / "a.bin", b"payload")
    truth = file_digest(f)
    digest._connect().execute("UPDATE digests SET sha256 = 'garbage'")
    assert file_digest(f) == truth and len(reads) == 2


def test_threads_share_the_cache(tmp_path: Path, reads: list[Path]) -> None:
    files = [write(tmp_path / f"f{i}.bin", bytes([i]) * 100) for i in range(12)]
    results: list[dict[Path, str | None]] = []
    workers = [threading.Thread(target=lambda: results.append(file_digests(files))) for _ in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert all(r == results[0] for r in results)
    assert results[0][files[5]] == hashlib.sha256(bytes([5]) * 100).hexdigest()
    before = len(reads)
    file_digests(files)
    assert len(reads) == before  # everything was cached


def test_unreadable_file_digests_to_none(tmp_path: Path) -> None:
    assert file_digests([tmp_path / "missing.png"]) == {tmp_path / "missing.png": None}
    assert path_digest(tmp_path / "missing") == "missing"


def checkpoint(folder: Path) -> Path:
    write(folder / "config.json", b'{"hidden_size": 8}')
    write(folder / "tokenizer.json", b"{}")
    write(folder / "model-00001-of-00002.safetensors", b"\x00" * 32)
    write(folder / "model-00002-of-00002.safetensors", b"\x01" * 32)
    write(folder / "model.safetensors.index.json", b"{}")
    write(folder / "README.md", b"notes")
    return folder


def test_directory_digest_covers_weights_configs_and_names_but_not_notes(tmp_path: Path) -> None:
    folder = checkpoint(tmp_path / "ckpt")
    base = directory_digest(folder)
    assert base == directory_digest(checkpoint(tmp_path / "copy"))  # location-independent
    assert path_digest(folder) == base and path_digest(folder / "config.json") == file_digest(folder / "config.json")
    write(folder / "README.md", b"other notes")
    assert directory_digest(folder) == base
    write(folder / "model-00002-of-00002.safetensors", b"\x02" * 32, mtime=OLD + 1)
    changed = directory_digest(folder)
    assert changed != base
    (folder / "model-00002-of-00002.safetensors").rename(folder / "model-00003-of-00002.safetensors")
    assert directory_digest(folder) not in (base, changed)
    write(folder / "preprocessor_config.json", b"{}")
    write(folder / "sub" / "adapter_model.bin", b"lora")
    assert len({base, changed, directory_digest(folder)}) == 3
