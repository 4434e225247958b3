"""RSNA Pneumonia Detection Challenge (Kaggle stage 2): `stage_2_train_labels.csv` has one row per box, so
rows are merged per patientId (Target = max, boxes from Target=1 rows); Pneumonia = Lung Opacity = Target.
"""
from __future__ import annotations

import math
from pathlib import Path

from gazebench.data.attributes import dicom_attributes
from gazebench.data.images import on_disk
from gazebench.data.readers.registry import READERS
from gazebench.data.release import release_version
from gazebench.data.skips import SkipLog
from gazebench.data.tables import Row, inside, read_csv
from gazebench.labels import LABEL_INDEX
from gazebench.records import Dataset, Sample

COLUMNS = ("patientId", "x", "y", "width", "height", "Target")
Box = tuple[float, float, float, float]


def _box(row: Row) -> Box:
    """(xmin, ymin, xmax, ymax) from the top-left corner and size of a Target=1 row."""
    x, y, w, h = (row.number(c) for c in ("x", "y", "width", "height"))
    if any(math.isnan(v) for v in (x, y, w, h)) or w <= 0 or h <= 0:
        raise row.error("Target=1 row needs numeric x, y and positive width, height")
    return (x, y, x + w, y + h)


def _labels(target: int) -> tuple[float, ...]:
    labels = [math.nan] * len(LABEL_INDEX)
    labels[LABEL_INDEX["Pneumonia"]] = labels[LABEL_INDEX["Lung Opacity"]] = float(target)
    return tuple(labels)


@READERS.register("rsna")
def read_rsna(root: Path) -> Dataset:
    """One sample per patientId with image `stage_2_train_images/{patientId}.dcm`, all in split "test"."""
    root = Path(root)
    table = root / "stage_2_train_labels.csv"
    targets: dict[str, int] = {}
    boxes: dict[str, list[Box]] = {}
    first_row: dict[str, Row] = {}
    for row in read_csv(table, required=COLUMNS):
        pid = row["patientId"]
        if not pid:
            raise row.error("blank patientId")
        target = row.integer("Target")
        if target not in (0, 1):
            raise row.error(f"Target must be 0 or 1, not {row['Target']!r}")
        first_row.setdefault(pid, row)
        targets[pid] = max(targets.get(pid, 0), target)
        boxes.setdefault(pid, [])
        if target == 1:
            boxes[pid].append(_box(row))
    skips = SkipLog()
    samples = []
    for pid in sorted(targets):
        path = inside(root, f"stage_2_train_images/{pid}.dcm", first_row[pid])
        if not on_disk(path):
            skips.add(f"{root / 'stage_2_train_images'}: image file missing", f"{pid}.dcm")
            continue
        samples.append(Sample(pid, pid, pid, path, _labels(targets[pid]), boxes=tuple(boxes[pid]),
                              attributes=dicom_attributes(path)))
    return Dataset(
        name="rsna",
        root=root,
        samples=tuple(samples),
        skips=skips.summary(),
        version=release_version(root, "stage 2"),
        info={"labels": "Pneumonia = Lung Opacity = Target (max over a patient's rows); others blank",
              "boxes": "Target=1 rows as (xmin, ymin, xmax, ymax) in 1024x1024 image pixels"},
    )
