"""SIIM-ACR Pneumothorax Segmentation (Kaggle 2019): `train-rle.csv` (header ` EncodedPixels` with a leading
space, values possibly padded too), one row per region, unioned per ImageId (MERGE_RULE; `-1` rows beside RLE
rows are reported as damaged, every merge is counted); Pneumothorax = any RLE that marks a pixel (`-1`, blank and
all-zero-length runs such as `0 0` are empty masks).
DICOMs live at `dicom-images-train/{StudyUID}/{SeriesUID}/{ImageId}.dcm` and are found by one walk.
"""
from __future__ import annotations

import math
from pathlib import Path

from gazebench.data.attributes import dicom_attributes
from gazebench.data.readers.registry import READERS
from gazebench.data.release import release_version
from gazebench.data.rle import RunsPastImage, decode_rle
from gazebench.data.skips import SkipLog
from gazebench.data.tables import Row, read_csv
from gazebench.errors import DataError
from gazebench.labels import LABEL_INDEX
from gazebench.records import Dataset, Sample

IMAGES = "dicom-images-train"
EMPTY = "-1"


def index_images(folder: Path) -> dict[str, Path]:
    """`{ImageId: path}` for every `folder/*/*/*.dcm` (stems must be unique)."""
    index: dict[str, Path] = {}
    for path in sorted(folder.glob("*/*/*.dcm")):
        if path.stem in index:
            raise DataError(path, f"ImageId {path.stem} also found at {index[path.stem]}")
        index[path.stem] = path
    return index


def _labels(positive: bool) -> tuple[float, ...]:
    labels = [math.nan] * len(LABEL_INDEX)
    labels[LABEL_INDEX["Pneumothorax"]] = float(positive)
    return tuple(labels)


MERGE_RULE = "an image is positive if any of its rows has an RLE; its mask is the union of those RLEs"


def merge_rows(image_id: str, rows: list[tuple[Row, str | None]], table: Path, skips: SkipLog) -> list[str]:
    """The RLEs of one ImageId's rows (by MERGE_RULE; each row with its RLE, None for an empty mask); several
    rows are counted as a merge, empty-mask rows beside RLE rows (labels that contradict each other) as damaged."""
    rles = [rle for _, rle in rows if rle is not None]
    lines = ", ".join(str(row.line) for row, _ in rows)
    if rles and len(rles) < len(rows):
        skips.damaged(f"{table}: ImageId with both -1 (no pneumothorax) and RLE rows (merged: {MERGE_RULE})",
                      f"{image_id} rows {lines}")
    elif len(rows) > 1:
        skips.kept(f"{table}: several rows of one ImageId merged into one sample ({MERGE_RULE})",
                   f"{image_id} rows {lines}")
    return rles


def row_rle(row: Row, table: Path, skips: SkipLog) -> str | None:
    """The row's RLE, or None for an empty mask: `-1` (the release's mark), and, counted as kept, a blank cell or
    an RLE whose runs all have length 0 (`0 0`, other tools' empty mask). A malformed RLE is a DataError naming the
    row; RunsPastImage (a mask off the image) passes through."""
    rle = row["EncodedPixels"]
    if rle == EMPTY:
        return None
    try:
        if rle and decode_rle(rle).any():
            return rle
    except RunsPastImage:
        raise
    except ValueError as exc:
        raise row.error(f"bad EncodedPixels: {exc}") from None
    skips.kept(f"{table}: blank EncodedPixels or RLE of zero-length runs read as no pneumothorax (an empty mask, "
               "as -1)", f"{row['ImageId']} row {row.line}")
    return None


@READERS.register("siim-acr")
def read_siim_acr(root: Path) -> Dataset:
    """One sample per ImageId whose DICOM is on disk, all in split "test"; mask_rle keeps every region. A row
    whose RLE runs past the 1024 x 1024 image is passed over as damaged (a mask off the image)."""
    root = Path(root)
    table = root / "train-rle.csv"
    by_image: dict[str, list[tuple[Row, str | None]]] = {}
    skips = SkipLog()
    for row in read_csv(table, required=("ImageId", "EncodedPixels")):
        image_id = row["ImageId"]
        if not image_id or "/" in image_id or image_id in (".", ".."):
            raise row.error(f"not an ImageId: {image_id!r}")
        try:
            rle = row_rle(row, table, skips)
        except RunsPastImage as exc:
            skips.damaged(f"{table}: mask outside the image ({exc})", f"{table} row {row.line}")
            continue
        by_image.setdefault(image_id, []).append((row, rle))
    regions = {image_id: merge_rows(image_id, rows, table, skips) for image_id, rows in by_image.items()}
    if not (root / IMAGES).is_dir():
        raise DataError(root / IMAGES, "image folder not found")
    images = index_images(root / IMAGES)
    samples = []
    for image_id, rles in sorted(regions.items()):
        if image_id not in images:
            skips.add(f"{root / IMAGES}: image file missing", f"{image_id}.dcm")
            continue
        path = images[image_id]
        study = path.parent.parent.name
        samples.append(Sample(image_id, image_id, study, path, _labels(bool(rles)), mask_rle=tuple(rles),
                              attributes=dicom_attributes(path)))
    return Dataset(
        name="siim-acr",
        root=root,
        samples=tuple(samples),
        skips=skips.summary(),
        version=release_version(root, "2019 (train-rle.csv)"),
        info={"labels": f"Pneumothorax = any EncodedPixels that marks a pixel ({MERGE_RULE}); others blank",
              "patients": "SIIM ships no patient id; each ImageId is its own patient"},
    )
