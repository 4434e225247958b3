"""Patient-level split manifests (written once, read back) and the dataset fingerprint."""
from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gazebench.data.manifest import manifest
from gazebench.data.splits import apply_patient_split, split_counts, split_manifest_path
from gazebench.errors import ConfigError, DataError
from gazebench.records import Dataset, Sample

NAN14 = (math.nan,) * 14


def _dataset(tmp_path: Path, patients: int, per_patient: int = 2, name: str = "toy") -> Dataset:
    image = tmp_path / "img.jpg"
    image.write_bytes(b"12345")
    samples = tuple(
        Sample(f"{p}-{i}", f"p{p}", f"s{p}", image, NAN14) for p in range(patients) for i in range(per_patient)
    )
    return Dataset(name, tmp_path, samples, version="1")


@given(st.integers(0, 500), st.sampled_from([(0.7, 0.1, 0.2), (0.8, 0.2, 0.0), (0.98, 0.01, 0.01), (1 / 3,) * 3]))
def test_split_counts_sum_and_are_non_empty(n: int, fractions: tuple[float, float, float]) -> None:
    counts = split_counts(n, fractions)
    assert sum(counts) == n
    if n >= 3:
        assert all(c > 0 for c, f in zip(counts, fractions, strict=True) if f > 0)


def test_every_patient_in_one_split_written_once_and_reused(tmp_path: Path) -> None:
    dataset = _dataset(tmp_path, patients=10)
    split = apply_patient_split(dataset, (0.7, 0.1, 0.2), task="toy-v1")
    by_patient: dict[str, set[str]] = {}
    for s in split.samples:
        by_patient.setdefault(s.patient_id, set()).add(s.split)
    assert all(len(v) == 1 for v in by_patient.values())
    counts = {k: sum(1 for v in by_patient.values() if k in v) for k in ("train", "validate", "test")}
    assert counts == {"train": 7, "validate": 1, "test": 2}
    path = split_manifest_path(dataset, "toy-v1")
    assert split.info["split_manifest"] == str(path) and path.read_text().startswith("patient_id,split\n")
    again = apply_patient_split(dataset, (0.7, 0.1, 0.2), task="toy-v1")
    assert [s.split for s in again.samples] == [s.split for s in split.samples]
    # the written manifest is the source of truth on later calls
    lines = path.read_text().splitlines()
    flipped = [lines[0]] + [f"{line.split(',')[0]},test" for line in lines[1:]]
    path.write_text("\n".join(flipped) + "\n")
    assert {s.split for s in apply_patient_split(dataset, (0.7, 0.1, 0.2), task="toy-v1").samples} == {"test"}


def test_three_patients_fill_every_split(tmp_path: Path) -> None:
    split = apply_patient_split(_dataset(tmp_path, patients=3), (0.7, 0.1, 0.2), task="three")
    assert {s.split for s in split.samples} == {"train", "validate", "test"}


def test_split_is_stable_when_other_patients_come_and_go(tmp_path: Path) -> None:
    small = apply_patient_split(_dataset(tmp_path, patients=200), (0.5, 0.0, 0.5), task="a")
    big = apply_patient_split(_dataset(tmp_path, patients=201), (0.5, 0.0, 0.5), task="a")
    before = {s.patient_id: s.split for s in small.samples}
    after = {s.patient_id: s.split for s in big.samples}
    assert sum(before[p] != after[p] for p in before) <= 1


def test_bad_fractions_and_foreign_manifest(tmp_path: Path) -> None:
    dataset = _dataset(tmp_path, patients=4)
    with pytest.raises(ConfigError, match="fractions"):
        apply_patient_split(dataset, (0.5, 0.5, 0.5), task="bad")
    path = split_manifest_path(dataset, "foreign")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("patient_id,split\nsomeone,train\n")
    with pytest.raises(DataError, match="does not list exactly this dataset's patients"):
        apply_patient_split(dataset, (0.7, 0.1, 0.2), task="foreign")


def test_manifest_counts_and_fingerprint(tmp_path: Path) -> None:
    dataset = _dataset(tmp_path, patients=3)
    m = manifest(dataset)
    assert (m["name"], m["version"], m["n_images"], m["n_patients"]) == ("toy", "1", 6, 3)
    assert m["splits"] == {"test": 6} and len(str(m["sha256"])) == 64
    reordered = dataclasses.replace(dataset, samples=dataset.samples[::-1])
    assert manifest(reordered)["sha256"] == m["sha256"]
    relabelled = dataclasses.replace(dataset, samples=(dataclasses.replace(dataset.samples[0], labels=(1.0,) * 14),
                                                       *dataset.samples[1:]))
    resplit = dataclasses.replace(dataset, samples=(dataclasses.replace(dataset.samples[0], split="train"),
                                                    *dataset.samples[1:]))
    assert len({manifest(d)["sha256"] for d in (dataset, relabelled, resplit)}) == 3
    (tmp_path / "img.jpg").write_bytes(b"123456")  # image file size is part of the fingerprint
    assert manifest(dataset)["sha256"] != m["sha256"]
