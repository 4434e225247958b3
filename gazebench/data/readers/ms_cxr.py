"""MS-CXR (PhysioNet `ms-cxr`, Boecking et al. 2022): phrase–box pairs on MIMIC-CXR images, read from
`MS_CXR_Local_Alignment_v1.x.y.csv` (the newest version present): one row per box with `dicom_id,
category_name, label_text, path, x, y, w, h, image_width, image_height` (v1.1.0 adds `split`).

Boxes are COCO `x, y, w, h` (top-left corner and size) in the original image pixels (`image_width` ×
`image_height`); they become corners `(x, y, x + w, y + h)`. Images are found by dicom_id under the data root
(gazebench.data.readers.mimic_images); subject and study come from `path` (`files/pXX/pXXXXXXXX/sXXXXXXXX/…`).
Split: the file's `split` column when present (`val` read as `validate`), else every image is `test` (v1.0.0
has no split; MS-CXR is then an evaluation set). Labels: 1 for each category with a phrase, blank otherwise.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from pathlib import Path

from gazebench.data.images import on_disk
from gazebench.data.plausible import off_frame
from gazebench.data.readers.mimic_images import image_index
from gazebench.data.readers.registry import READERS
from gazebench.data.release import release_version
from gazebench.data.skips import SkipLog
from gazebench.data.tables import Row, read_csv
from gazebench.errors import DataError
from gazebench.labels import CHEXPERT_LABELS
from gazebench.records import Dataset, Phrase, Sample

COLUMNS = ("dicom_id", "category_name", "label_text", "path", "x", "y", "w", "h", "image_width", "image_height")
CATEGORIES = ("Atelectasis", "Cardiomegaly", "Consolidation", "Edema", "Lung Opacity", "Pleural Effusion",
              "Pneumonia", "Pneumothorax")
"""MS-CXR's eight findings (CheXpert names; matched case-insensitively)."""
SPLIT_NAMES = {"train": "train", "val": "validate", "validate": "validate", "valid": "validate", "test": "test"}
FILE = re.compile(r"MS_CXR_Local_Alignment_v(\d+)\.(\d+)\.(\d+)\.csv")


def alignment_file(root: Path) -> Path:
    """The newest `MS_CXR_Local_Alignment_v*.csv` in `root`; none is a DataError."""
    found = [(tuple(int(g) for g in m.groups()), p) for p in Path(root).glob("MS_CXR_Local_Alignment_v*.csv")
             if (m := FILE.fullmatch(p.name))]
    if not found:
        raise DataError(root, "no MS_CXR_Local_Alignment_v<version>.csv here; point at the unpacked ms-cxr folder")
    return max(found)[1]


def phrase_box(row: Row) -> tuple[float, float, float, float]:
    """The row's box as corners; a blank or non-numeric value or a non-positive image size is a DataError."""
    x, y, w, h = (row.number(c) for c in ("x", "y", "w", "h"))
    if not all(math.isfinite(v) for v in (x, y, w, h)):
        raise row.error("blank box value (x, y, w, h)")
    return (x, y, x + w, y + h)


def _category(row: Row) -> str:
    by_lower = {c.lower(): c for c in CATEGORIES}
    name = by_lower.get(row["category_name"].lower())
    if name is None:
        raise row.error(f"category_name {row['category_name']!r} is not one of the MS-CXR findings "
                        f"({', '.join(CATEGORIES)})")
    return name


def _ids(row: Row) -> tuple[str, str]:
    found = re.search(r"p(\d{8})/s(\d{8})/", row["path"])
    if found is None:
        raise row.error(f"path {row['path']!r} has no pXXXXXXXX/sXXXXXXXX/ folders")
    return found.group(1), found.group(2)


def _split(row: Row) -> str:
    if "split" not in row:
        return "test"
    if row["split"].lower() not in SPLIT_NAMES:
        raise row.error(f"split must be one of {', '.join(SPLIT_NAMES)}, not {row['split']!r}")
    return SPLIT_NAMES[row["split"].lower()]


@READERS.register("ms-cxr")
def read_ms_cxr(root: Path, images_root: Path | None = None) -> Dataset:
    """One sample per MS-CXR image with its phrase–box pairs. Images are looked up under `images_root`
    (default: the folder holding `root`, i.e. the data root); rows whose image is not there, whose box is
    empty or leaves the image, or whose image size disagrees with the MIMIC-CXR metadata are counted skips (a
    box entirely outside the image as damaged)."""
    root = Path(root)
    table = alignment_file(root)
    rows = read_csv(table, required=COLUMNS)
    index = image_index(Path(images_root) if images_root is not None else root.parent)
    skips = SkipLog()
    by_image: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_image[row["dicom_id"]].append(row)
    samples = []
    for dicom_id, image_rows in by_image.items():
        first = image_rows[0]
        subject, study = _ids(first)
        image = index.get(dicom_id)
        if image is None or not on_disk(image.path):  # a folder or loop there: the image check names it
            skips.add(f"{table}: image not found under mimic-eye/ or mimic-cxr-jpg/", f"row {first.line}")
            continue
        if (image.subject_id, image.study_id) != (subject, study):
            skips.add(f"{table}: path disagrees with the image's MIMIC-CXR subject/study", f"row {first.line}")
            continue
        phrases, split = [], _split(first)
        for row in image_rows:
            box, size = phrase_box(row), (row.integer("image_width"), row.integer("image_height"))
            if _split(row) != split or _ids(row) != (subject, study):
                raise row.error(f"rows of image {dicom_id} disagree on split or path (first: row {first.line})")
            if size != image.size:
                skips.add(f"{table}: image_width/height differ from the MIMIC-CXR metadata Columns/Rows",
                          f"row {row.line}")
            elif not (box[2] > box[0] and box[3] > box[1]):
                skips.add(f"{table}: box with zero width or height", f"row {row.line}")
            elif off_frame(box, size) == "outside":
                skips.damaged(f"{table}: box entirely outside the image", f"{table} row {row.line}")
            elif off_frame(box, size) == "across":
                skips.add(f"{table}: box outside the image", f"row {row.line}")
            else:
                phrases.append(Phrase(row["label_text"], _category(row), box))
        if not phrases:
            continue
        positive = {p.label for p in phrases}
        samples.append(Sample(
            sample_id=dicom_id, patient_id=subject, study_id=study, image_path=image.path,
            labels=tuple(1.0 if n in positive else math.nan for n in CHEXPERT_LABELS),
            split=split, view=image.view, phrases=tuple(phrases)))
    return Dataset(
        name="ms-cxr", root=root, samples=tuple(samples), skips=skips.summary(),
        version=release_version(root, ".".join(FILE.fullmatch(table.name).groups())),  # type: ignore[union-attr]
        info={"boxes": "COCO x, y, w, h in original pixels → corners", "file": table.name,
              "split": "the file's split column" if rows and "split" in rows[0] else "none shipped: all test"})
