"""Deterministic patient-level train/validate/test splits, written once as an ID-only manifest CSV
(`patient_id,split`) under cache_dir()/"splits" and read back on every later run."""
from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import math
import os
import tempfile
from pathlib import Path

from gazebench.data.manifest import manifest
from gazebench.data.tables import read_csv
from gazebench.errors import ConfigError, DataError
from gazebench.paths import cache_dir
from gazebench.records import Dataset

SPLITS = ("train", "validate", "test")
SALT = "gazebench-patient-split-v1"
"""Hash salt: the same patient lands in the same split for every task over the same patients."""


def split_counts(n: int, fractions: tuple[float, float, float]) -> tuple[int, int, int]:
    """Largest-remainder counts summing to `n`; with n >= 3 every positive fraction gets at least one."""
    exact = [f * n for f in fractions]
    counts = [math.floor(e) for e in exact]
    for i in sorted(range(3), key=lambda i: exact[i] - counts[i], reverse=True)[: n - sum(counts)]:
        counts[i] += 1
    for i in range(3):
        if n >= 3 and fractions[i] > 0 and counts[i] == 0:
            donor = max(range(3), key=lambda j: counts[j])
            counts[donor] -= 1
            counts[i] += 1
    return counts[0], counts[1], counts[2]


def assign_patients(patients: set[str], fractions: tuple[float, float, float], salt: str = SALT) -> dict[str, str]:
    """Patients ordered by sha256(salt:patient_id), cut at the fraction boundaries: stable and reproducible."""
    order = sorted(patients, key=lambda p: (hashlib.sha256(f"{salt}:{p}".encode()).hexdigest(), p))
    n_train, n_val, _ = split_counts(len(order), fractions)
    return {p: SPLITS[0] if i < n_train else SPLITS[1] if i < n_train + n_val else SPLITS[2]
            for i, p in enumerate(order)}


def _check_fractions(fractions: tuple[float, ...]) -> tuple[float, float, float]:
    if len(fractions) != 3 or any(not 0 <= f <= 1 for f in fractions) or abs(sum(fractions) - 1) > 1e-6:
        raise ConfigError(f"patient split fractions must be 3 numbers in [0, 1] summing to 1, not {fractions}")
    return (float(fractions[0]), float(fractions[1]), float(fractions[2]))


def _write_atomic(path: Path, assignment: dict[str, str]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("patient_id", "split"))
    writer.writerows(sorted(assignment.items()))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".csv")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(buffer.getvalue())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read(path: Path, patients: set[str]) -> dict[str, str]:
    assignment: dict[str, str] = {}
    for row in read_csv(path, required=("patient_id", "split")):
        if row["split"] not in SPLITS:
            raise row.error(f"split must be one of {', '.join(SPLITS)}; delete the file to rebuild it")
        assignment[row["patient_id"]] = row["split"]
    if set(assignment) != patients:
        raise DataError(path, "split manifest does not list exactly this dataset's patients; delete it to rebuild")
    return assignment


def split_manifest_path(dataset: Dataset, task: str) -> Path:
    """cache_dir()/splits/{task}-{first 12 hex of the dataset manifest sha256}.csv."""
    return cache_dir() / "splits" / f"{task}-{str(manifest(dataset)['sha256'])[:12]}.csv"


def apply_patient_split(dataset: Dataset, fractions: tuple[float, ...], task: str) -> Dataset:
    """`dataset` with every sample's split replaced by its patient's (train/validate/test), the assignment
    written once per (task, dataset fingerprint) and reused, so every run uses the same split."""
    fractions3 = _check_fractions(tuple(fractions))
    patients = {s.patient_id for s in dataset.samples}
    path = split_manifest_path(dataset, task)
    if path.is_file():
        assignment = _read(path, patients)
    else:
        assignment = assign_patients(patients, fractions3)
        _write_atomic(path, assignment)
    samples = tuple(dataclasses.replace(s, split=assignment[s.patient_id]) for s in dataset.samples)
    info = {**dataset.info, "split": f"patient-level {fractions3} from {path.name}", "split_manifest": str(path)}
    return dataclasses.replace(dataset, samples=samples, info=info)
