"""The manifest cache: a second load of unchanged data takes its manifest from the cache and reads the dataset
only on first use (checked against it); a rewritten file, another task definition or a file too young to
trust misses; a cache entry that disagrees with the data is an error, never used. The reader's skips and the
item counts are kept beside the manifest, per data folder and per model frame, so a rerun reads no dataset."""
from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from gazebench.engine import manifest_cache
from gazebench.engine.manifest_cache import data_key, store_manifest
from gazebench.engine.workload import load_task_data, with_facts
from gazebench.errors import DataError
from gazebench.task import Task, get_task


@pytest.fixture
def rsna_root(small_root: Path, tmp_path: Path) -> Path:
    """A private copy of the small study's RSNA folder (its files are tests' own to rewrite)."""
    task = get_task("rsna")
    shutil.copytree(task.data_dir(small_root), task.data_dir(tmp_path))
    return tmp_path


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the tasks whose dataset is read from disk (Task.load) from now on; timestamps trusted at once."""
    monkeypatch.setattr(manifest_cache, "RACY_SECONDS", 0.0)
    calls: list[str] = []
    real = Task.load
    monkeypatch.setattr(Task, "load", lambda self, root: calls.append(self.name) or real(self, root))
    return calls


def test_unchanged_data_is_not_read_again_until_used(rsna_root: Path, reads: list[str]) -> None:
    first = load_task_data(["rsna"], rsna_root, None)["rsna"]
    assert reads == ["rsna"]
    second = load_task_data(["rsna"], rsna_root, None)["rsna"]
    assert second.manifest == first.manifest and reads == ["rsna"]  # identity without reading
    assert second.eval_samples == first.eval_samples and reads == ["rsna", "rsna"]  # read on first use


def test_a_rewritten_file_is_read_again(rsna_root: Path, reads: list[str]) -> None:
    first = load_task_data(["rsna"], rsna_root, None)["rsna"]
    table = next(p for p in sorted(get_task("rsna").data_dir(rsna_root).rglob("*.csv")))
    table.write_bytes(table.read_bytes())  # same bytes, new ctime: the cache cannot know, so it reads
    second = load_task_data(["rsna"], rsna_root, None)["rsna"]
    assert reads == ["rsna", "rsna"] and second.manifest == first.manifest


def test_the_key_covers_the_task_and_the_limit(rsna_root: Path, reads: list[str]) -> None:
    task = get_task("rsna")
    key = data_key(task, rsna_root, None)
    assert key is not None
    assert key != data_key(dataclasses.replace(task, version=task.version + "-next"), rsna_root, None)
    assert key != data_key(task, rsna_root, 5)


def test_files_too_young_to_trust_are_not_cached(rsna_root: Path) -> None:
    assert data_key(get_task("rsna"), rsna_root, None) is None  # copied just now, within RACY_SECONDS


def test_a_cache_entry_that_disagrees_with_the_data_is_an_error(rsna_root: Path, reads: list[str]) -> None:
    task = get_task("rsna")
    good = load_task_data(["rsna"], rsna_root, None)["rsna"].manifest
    store_manifest(data_key(task, rsna_root, None), {**good, "sha256": "0" * 64})
    data = load_task_data(["rsna"], rsna_root, None)["rsna"]
    assert data.sha == "0" * 64 and reads == ["rsna"]
    with pytest.raises(DataError, match="does not match the cached manifest"):
        _ = data.eval_samples


def test_skips_and_item_counts_are_kept_per_folder_and_frame(rsna_root: Path, reads: list[str],
                                                             tmp_path: Path) -> None:
    first = with_facts(load_task_data(["rsna"], rsna_root, None), rsna_root)["rsna"]
    skips, counts = first.skips, first.item_counts(16)
    assert skips and counts[0] > 0 and reads == ["rsna"]
    again = with_facts(load_task_data(["rsna"], rsna_root, None), rsna_root)["rsna"]
    assert (again.skips, again.item_counts(16)) == (skips, counts) and reads == ["rsna"]  # no dataset read
    assert again.item_counts(32) == counts and reads == ["rsna", "rsna"]  # another frame is counted on the data
    task, moved = get_task("rsna"), tmp_path / "moved"
    key = data_key(task, rsna_root, None)
    task.data_dir(moved).parent.mkdir(parents=True, exist_ok=True)
    task.data_dir(rsna_root).rename(task.data_dir(moved))
    assert data_key(task, moved, None) == key  # the same files (inodes and times): the same manifest key
    there = with_facts(load_task_data(["rsna"], moved, None), moved)["rsna"]
    assert there.sha == first.sha and len(reads) == 2  # the manifest is reused...
    assert str(moved) in " ".join(there.skips) and len(reads) == 3  # ...but skips name files: read where they are
