"""CheXpert v1.0 (`CheXpert-v1.0-small/` or `CheXpert-v1.0/`): the radiologist-labelled valid set, or the
test set when `groundtruth.csv` (study-level, `Study` column) and `test/` are present. Frontal images only.
"""
from __future__ import annotations

import re
from pathlib import Path

from gazebench.data.attributes import attribute_pairs
from gazebench.data.codes import label_vector
from gazebench.data.images import on_disk
from gazebench.data.readers.registry import READERS
from gazebench.data.release import release_version
from gazebench.data.skips import SkipLog
from gazebench.data.tables import Row, inside, present, read_csv, refuse_duplicates
from gazebench.labels import CHEXPERT_LABELS
from gazebench.records import Dataset, Sample

PREFIXES = ("CheXpert-v1.0-small/", "CheXpert-v1.0/")
VIEWS = {"Frontal/Lateral": ("Frontal", "Lateral"), "AP/PA": ("AP", "PA", "LL", "RL", "")}
"""The published values of the view columns (AP/PA is blank for laterals); any other value is refused rather
than read as a lateral or kept as an unknown view."""


def strip_prefix(path: str) -> str:
    """`CheXpert-v1.0-small/valid/...` → `valid/...` (either release prefix; other paths unchanged)."""
    for prefix in PREFIXES:
        if path.startswith(prefix):
            return path[len(prefix):]
    return path


def _patient(relative: str, row: Row) -> tuple[str, str]:
    """(patient_id, study_id) from `split/patientNNNNN/studyN/...`."""
    match = re.match(r"[^/]+/(patient\d+)/(study\d+)", relative)
    if match is None:
        raise row.error(f"path is not <split>/patientNNNNN/studyN/...: {relative!r}")
    return match.group(1), f"{match.group(1)}/{match.group(2)}"


def view_value(row: Row, column: str) -> str:
    """`row[column]` when it is one of VIEWS[column], else a DataError naming the row and the value."""
    if row[column] not in VIEWS[column]:
        allowed = ", ".join(repr(v) for v in VIEWS[column])
        raise row.error(f"column {column!r} must be one of {allowed}, not {row[column]!r}")
    return row[column]


def valid_samples(root: Path, skips: SkipLog) -> list[Sample]:
    """Frontal images of valid.csv (`Frontal/Lateral` = Frontal) with their raw label codes (blank NaN = not
    mentioned, -1 uncertain: the task's label policy decides what they become)."""
    table = root / "valid.csv"
    samples = []
    rows = read_csv(table, required=("Path", "Frontal/Lateral", "AP/PA", *CHEXPERT_LABELS))
    refuse_duplicates(rows, lambda row: strip_prefix(row["Path"]), "Path rows")
    for row in rows:
        relative = strip_prefix(row["Path"])
        path = inside(root, relative, row)
        patient, study = _patient(relative, row)
        view = view_value(row, "AP/PA")
        if view_value(row, "Frontal/Lateral") == "Lateral":
            skips.add(f"{table}: lateral image (frontal only)", f"row {row.line}")
        elif not on_disk(path):
            skips.add(f"{root}: image file missing", relative)
        else:
            samples.append(Sample(relative, patient, study, path, label_vector(row), view=view,
                                  attributes=attribute_pairs(view=view, sex=row.get("Sex", ""),
                                                             age=row.get("Age", ""))))
    return samples


def test_samples(root: Path, skips: SkipLog) -> list[Sample]:
    """Frontal images (`view*_frontal.jpg`) of every study in groundtruth.csv, sharing the study's labels."""
    table = root / "groundtruth.csv"
    samples = []
    rows = read_csv(table, required=("Study", *CHEXPERT_LABELS))
    refuse_duplicates(rows, lambda row: strip_prefix(row["Study"]).rstrip("/"), "Study rows")
    for row in rows:
        relative = strip_prefix(row["Study"]).rstrip("/")
        folder = inside(root, relative, row)
        patient, study = _patient(relative, row)
        frontals = sorted(folder.glob("view*_frontal.jpg")) if folder.is_dir() else []
        if not frontals:
            skips.add(f"{root}: study folder without a frontal image", relative)
        labels = label_vector(row)
        samples += [Sample(f"{relative}/{p.name}", patient, study, p, labels) for p in frontals]
    return samples


@READERS.register("chexpert")
def read_chexpert(root: Path) -> Dataset:
    """CheXpert frontal images, all in split "test" (it is a zero-shot set)."""
    root = Path(root)
    use_test = present(root / "groundtruth.csv") and (root / "test").is_dir()
    skips = SkipLog()
    samples = test_samples(root, skips) if use_test else valid_samples(root, skips)
    which = "test (groundtruth.csv, majority of 5 radiologists)" if use_test else "valid (valid.csv)"
    return Dataset(
        name="chexpert",
        root=root,
        samples=tuple(samples),
        skips=skips.summary(),
        version=release_version(root, f"{root.name} {which.split()[0]}"),
        info={"set": which, "views": "frontal images only; laterals are passed over"},
    )
