"""RSNA Pneumonia Detection Challenge (Kaggle stage 2): `stage_2_train_labels.csv` has one row per box, so
rows are merged per patientId (MERGE_RULE: positive if any row has a box; contradicting rows are reported as
damaged, every merge is counted); Pneumonia = Lung Opacity = Target.
"""
from __future__ import annotations

import math
from pathlib import Path

from gazebench.data.attributes import dicom_attributes
from gazebench.data.images import on_disk
from gazebench.data.plausible import keep_reference
from gazebench.data.readers.registry import READERS
from gazebench.data.release import release_version
from gazebench.data.skips import SkipLog
from gazebench.data.tables import Row, inside, read_csv
from gazebench.labels import LABEL_INDEX
from gazebench.records import Dataset, Sample

BOX_FIELDS = ("x", "y", "width", "height")
COLUMNS = ("patientId", *BOX_FIELDS, "Target")
Box = tuple[float, float, float, float]
FRAME = (1024, 1024)
"""(W, H) of the image the boxes are in: every RSNA stage-2 image is 1024 x 1024 (docs/data.md)."""


def _box(row: Row) -> Box:
    """(xmin, ymin, xmax, ymax) from the top-left corner and size of a Target=1 row."""
    x, y, w, h = (row.number(c) for c in BOX_FIELDS)
    if not all(math.isfinite(v) for v in (x, y, w, h)) or w <= 0 or h <= 0:
        raise row.error("Target=1 row needs numeric x, y and positive width, height (all finite)")
    return (x, y, x + w, y + h)


def _labels(target: int) -> tuple[float, ...]:
    labels = [math.nan] * len(LABEL_INDEX)
    labels[LABEL_INDEX["Pneumonia"]] = labels[LABEL_INDEX["Lung Opacity"]] = float(target)
    return tuple(labels)


MERGE_RULE = "a patient is positive if any of its rows has Target 1 (a box); its boxes are those rows' boxes"


def _rows(lines: list[int]) -> str:
    return f"row{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))}"


def merge_patient(pid: str, rows: list[Row], table: Path, skips: SkipLog) -> tuple[int, list[tuple[Box, Row]]]:
    """One patient's Target (by MERGE_RULE) and boxes from its rows; several rows are counted as a merge, and
    rows with Target 0 beside rows with Target 1, or a Target 0 row with a box (labels that contradict each
    other), as damaged: such a box is never used, the row stays negative."""
    targets = [row.integer("Target") for row in rows]
    boxes = [(_box(row), row) for row, target in zip(rows, targets, strict=True) if target == 1]
    for row, target in zip(rows, targets, strict=True):
        if target == 0 and any(row[c] for c in BOX_FIELDS):
            skips.damaged(f"{table}: Target 0 row with a box (box not used; the row counts as negative)",
                          f"{table} row {row.line}")
    lines = [row.line for row in rows]
    if len(set(targets)) > 1:
        skips.damaged(f"{table}: patientId with both Target 0 and Target 1 rows (merged: {MERGE_RULE})",
                      f"{pid} {_rows(lines)}")
    elif len(rows) > 1:
        skips.kept(f"{table}: several rows of one patientId merged into one sample ({MERGE_RULE})",
                   f"{pid} {_rows(lines)}")
    return max(targets), boxes


@READERS.register("rsna")
def read_rsna(root: Path) -> Dataset:
    """One sample per patientId with image `stage_2_train_images/{patientId}.dcm`, all in split "test"; a box
    entirely outside the FRAME is dropped as damaged, one across its border kept and counted."""
    root = Path(root)
    table = root / "stage_2_train_labels.csv"
    by_patient: dict[str, list[Row]] = {}
    for row in read_csv(table, required=COLUMNS):
        pid = row["patientId"]
        if not pid:
            raise row.error("blank patientId")
        target = row.integer("Target")
        if target not in (0, 1):
            raise row.error(f"Target must be 0 or 1, not {row['Target']!r}")
        by_patient.setdefault(pid, []).append(row)
    skips = SkipLog()
    samples = []
    for pid in sorted(by_patient):
        rows = by_patient[pid]
        path = inside(root, f"stage_2_train_images/{pid}.dcm", rows[0])
        target, boxes = merge_patient(pid, rows, table, skips)
        if not on_disk(path):
            skips.add(f"{root / 'stage_2_train_images'}: image file missing", f"{pid}.dcm")
            continue
        kept = [box for box, row in boxes
                if keep_reference(box, FRAME, skips, str(table), "box", f"{table} row {row.line}")]
        samples.append(Sample(pid, pid, pid, path, _labels(target), boxes=tuple(kept),
                              attributes=dicom_attributes(path)))
    return Dataset(
        name="rsna",
        root=root,
        samples=tuple(samples),
        skips=skips.summary(),
        version=release_version(root, "stage 2"),
        info={"labels": f"Pneumonia = Lung Opacity = Target, merged per patientId: {MERGE_RULE}; others blank",
              "boxes": "Target=1 rows as (xmin, ymin, xmax, ymax) in 1024x1024 image pixels"},
    )
