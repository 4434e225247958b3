"""The image check decodes big sets in forked processes: every bad file is still found there, with the same
line as in this process, the cache is filled by the workers, and a file that kills its worker is named in a
one-line error without blaming any other file."""
from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pydicom
import pytest

from fixtures.formats import pattern, write_dicom, write_jpg
from gazebench.data import check, images
from gazebench.errors import DataError
from gazebench.labels import CHEXPERT_LABELS
from gazebench.records import Sample


def hostile_set(folder: Path) -> tuple[list[Path], list[Path]]:
    """(all paths in order, the bad ones): good JPGs and JPEG DICOMs between corrupt, empty, truncated, FIFO,
    non-radiograph and (with MAX_PIXELS at 5000) decompression-bomb files."""
    good = [write_jpg(folder / f"good{i}.jpg") for i in range(6)]
    good += [write_dicom(folder / f"good{i}.dcm", pattern(64, 64), jpeg=True) for i in range(3)]
    (folder / "text.jpg").write_text("not a radiograph\n")
    (folder / "empty.jpg").write_bytes(b"")
    cut = write_jpg(folder / "cut.jpg", width=64, height=64)
    cut.write_bytes(cut.read_bytes()[: cut.stat().st_size // 2])
    cut_dcm = write_dicom(folder / "cut.dcm", pattern(64, 64), jpeg=True)
    cut_dcm.write_bytes(cut_dcm.read_bytes()[:-300])
    os.mkfifo(folder / "pipe.jpg")
    ct = write_dicom(folder / "ct.dcm", pattern(64, 64))
    ds = pydicom.dcmread(ct)
    ds.Modality = "CT"
    ds.save_as(ct)
    bomb = write_jpg(folder / "bomb.jpg", width=128, height=64)
    bad = [folder / "text.jpg", folder / "empty.jpg", cut, cut_dcm, folder / "pipe.jpg", ct, bomb]
    return [p for pair in zip(good, bad, strict=False) for p in pair] + good[len(bad):], bad


def cached(folder: Path) -> dict[str, bytes]:
    """The cached arrays under cache `folder` (not the temporary file a worker killed mid-write may leave)."""
    return {p.name: p.read_bytes() for p in (folder / "images").rglob("*.npy") if not p.name.startswith(".tmp-")}


@pytest.mark.filterwarnings("ignore::UserWarning")  # pydicom warns while reading a cut file
def test_every_bad_file_is_found_in_worker_processes_as_in_this_one(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    paths, bad = hostile_set(tmp_path / "set")
    monkeypatch.setattr(images, "MAX_PIXELS", 5000)  # forked workers see the parent's limits
    found = {}
    for workers in (1, 2):
        monkeypatch.setenv("GAZEBENCH_CACHE", str(tmp_path / f"cache{workers}"))
        monkeypatch.setattr(check, "_workers", lambda n, w=workers: w)
        found[workers] = check.image_problems(paths)
    assert found[2] == found[1]
    assert [line.split(": ")[0] for line in found[2]] == [str(p) for p in paths if p in bad]
    assert any("decompression bomb: 8192 pixels" in line for line in found[2])
    assert any("DICOM Modality is CT" in line for line in found[2])
    filled = cached(tmp_path / "cache2")
    assert len(filled) == len(paths) - len(bad) and filled == cached(tmp_path / "cache1")  # bit-identical arrays


def test_a_file_that_kills_its_worker_is_named_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = [write_jpg(tmp_path / f"good{i}.jpg") for i in range(40)]
    crash = write_jpg(tmp_path / "crash.jpg")
    decode = images._decode_raster

    def crashing(path: Path, at_least: int | None = None) -> tuple[np.ndarray, int, tuple[int, int]]:
        if path.name == "crash.jpg":
            os._exit(70)  # what a segfault in a C decoder, or the out-of-memory killer, does to the worker
        return decode(path, at_least)

    monkeypatch.setattr(images, "_decode_raster", crashing)
    monkeypatch.setattr(check, "_workers", lambda n: 2)
    monkeypatch.setenv("GAZEBENCH_CACHE", str(tmp_path / "cache"))
    paths = good[:20] + [crash] + good[20:]
    assert check.image_problems(paths) == [
        f"{crash}: the process decoding this image died (a decoder crash, or out of memory); not used"]
    assert len(cached(tmp_path / "cache")) == len(good)  # every other file decoded and cached
    samples = [Sample(f"s{i}", "p", "1", p, (math.nan,) * len(CHEXPERT_LABELS)) for i, p in enumerate(paths)]
    with pytest.raises(DataError, match=r"1 of 41 images cannot be used \(.*crash\.jpg: the process decoding") as info:
        check.validate_images(samples, tmp_path)
    assert "\n" not in str(info.value)


def test_small_sets_are_decoded_in_this_process_and_big_ones_on_every_core() -> None:
    cores = os.cpu_count() or 1
    assert check._workers(check.PER_WORKER * 2 - 1) == 1
    assert check._workers(10_000) == min(8, cores)
