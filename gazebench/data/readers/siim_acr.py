"""SIIM-ACR Pneumothorax Segmentation (Kaggle 2019): `train-rle.csv` (header ` EncodedPixels` with a leading
space, values possibly padded too), one row per region, unioned per ImageId; Pneumothorax = any RLE but -1.
DICOMs live at `dicom-images-train/{StudyUID}/{SeriesUID}/{ImageId}.dcm` and are found by one walk.
"""
from __future__ import annotations

import math
from pathlib import Path

from gazebench.data.attributes import dicom_attributes
from gazebench.data.readers.registry import READERS
from gazebench.data.release import release_version
from gazebench.data.rle import decode_rle
from gazebench.data.skips import SkipLog
from gazebench.data.tables import read_csv
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


@READERS.register("siim-acr")
def read_siim_acr(root: Path) -> Dataset:
    """One sample per ImageId whose DICOM is on disk, all in split "test"; mask_rle keeps every region."""
    root = Path(root)
    table = root / "train-rle.csv"
    regions: dict[str, list[str]] = {}
    for row in read_csv(table, required=("ImageId", "EncodedPixels")):
        image_id, rle = row["ImageId"], row["EncodedPixels"]
        if not image_id or "/" in image_id or image_id in (".", ".."):
            raise row.error(f"not an ImageId: {image_id!r}")
        regions.setdefault(image_id, [])
        if rle in ("", EMPTY):
            continue
        try:
            decode_rle(rle)
        except ValueError as exc:
            raise row.error(f"bad EncodedPixels: {exc}") from None
        regions[image_id].append(rle)
    if not (root / IMAGES).is_dir():
        raise DataError(root / IMAGES, "image folder not found")
    images = index_images(root / IMAGES)
    skips = SkipLog()
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
        info={"labels": "Pneumothorax = any EncodedPixels other than -1; others blank",
              "patients": "SIIM ships no patient id; each ImageId is its own patient"},
    )
