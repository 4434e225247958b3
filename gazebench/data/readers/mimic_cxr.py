"""Typed views of the MIMIC-CXR(-JPG) v2.0.0 tables (`mimic-cxr-2.0.0-{chexpert,negbio,metadata,split}.csv(.gz)`)
and of MIMIC-EYE's `cxr_*` copies (same columns after its unnamed index column).

Label files are study-level with the 14 labels in alphabetical order; we return them in CHEXPERT_LABELS order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from gazebench.data.codes import label_vector
from gazebench.data.tables import Row, iter_csv
from gazebench.labels import CHEXPERT_LABELS

SPLITS = ("train", "validate", "test")
MIMIC_LABEL_COLUMNS: tuple[str, ...] = tuple(sorted(CHEXPERT_LABELS))
"""Column order of the MIMIC label files (alphabetical), for writers and checks."""
METADATA_COLUMNS = ("dicom_id", "subject_id", "study_id", "ViewPosition", "Rows", "Columns", "StudyDate", "StudyTime")

StudyKey = tuple[str, str]
"""(subject_id, study_id) as digit strings."""


@dataclass(frozen=True)
class ImageMeta:
    """One row of the image-level metadata table."""

    dicom_id: str
    subject_id: str
    study_id: str
    view: str
    """ViewPosition (PA, AP, LATERAL, LL, ..., or blank)."""
    width: int
    """DICOM Columns: the frame of REFLACX/EyeGaze coordinates."""
    height: int
    """DICOM Rows."""
    study_date: str
    study_time: str
    """HH:MM:SS.ffffff, recovered from the float-like StudyTime (`80556.875` → `08:05:56.875000`)."""


def mimic_id(row: Row, column: str) -> str:
    """A MIMIC subject/study id as digits (tolerates pandas' `10000032.0`); blank is a DataError."""
    text = row[column]
    if re.fullmatch(r"\d+(\.0+)?", text) is None:
        raise row.error(f"column {column!r} is not a MIMIC id: {text!r}")
    return text.split(".")[0]


IMAGE_PATH = re.compile(r"(?:.*/)?p(\d+)/s(\d+)/([^/]+)\.(?:dcm|jpg)")
"""`.../p{subject_id}/s{study_id}/{dicom_id}.dcm` (or `.jpg`): where MIMIC-CXR keeps each image."""


def refuse_path_mismatch(row: Row, column: str, **ids: str) -> None:
    """A DataError naming the row unless its MIMIC-CXR image path (`row[column]`) ends in
    `p{subject_id}/s{study_id}/{dicom_id}.dcm|.jpg` with the `ids` given (any of subject_id, study_id, dicom_id):
    a row whose ids are not its image's would join labels, gaze and patients to the wrong image."""
    match = IMAGE_PATH.fullmatch(row[column].replace("\\", "/"))
    if match is None:
        raise row.error(f"column {column!r} is not a MIMIC-CXR image path p<subject>/s<study>/<dicom_id>.dcm: "
                        f"{row[column]!r}")
    found = dict(zip(("subject_id", "study_id", "dicom_id"), match.groups(), strict=True))
    wrong = [f"{name} {value} (path has {found[name]})" for name, value in ids.items()
             if value.split(".")[0] != found[name]]
    if wrong:
        raise row.error(f"ids disagree with {column} {row[column]!r}: {', '.join(wrong)}")


def study_time(text: str) -> str:
    """StudyTime `HHMMSS.fff` written as a float with leading zeros lost → `HH:MM:SS.ffffff` ('' if blank)."""
    if text == "":
        return ""
    whole, _, frac = text.partition(".")
    if not whole.isdigit() or len(whole) > 6 or (frac and not frac.isdigit()):
        raise ValueError(f"not a StudyTime: {text!r}")
    hhmmss = whole.zfill(6)
    return f"{hhmmss[:2]}:{hhmmss[2:4]}:{hhmmss[4:]}.{frac.ljust(6, '0')[:6]}"


def read_study_labels(path: Path) -> dict[StudyKey, tuple[float, ...]]:
    """Study-level CheXpert (or NegBio) codes keyed by (subject_id, study_id), in CHEXPERT_LABELS order."""
    out: dict[StudyKey, tuple[float, ...]] = {}
    lines: dict[StudyKey, int] = {}
    for row in iter_csv(path, required=("subject_id", "study_id", *MIMIC_LABEL_COLUMNS)):
        key = (mimic_id(row, "subject_id"), mimic_id(row, "study_id"))
        if key in out:
            raise row.error(f"duplicate study {key[1]} of subject {key[0]} (also row {lines[key]}"
                            f"{'' if label_vector(row) == out[key] else ', with other labels'})")
        out[key], lines[key] = label_vector(row), row.line
    return out


def read_metadata(path: Path) -> dict[str, ImageMeta]:
    """Image metadata keyed by dicom_id."""
    out: dict[str, ImageMeta] = {}
    lines: dict[str, int] = {}
    for row in iter_csv(path, required=METADATA_COLUMNS):
        dicom_id = row["dicom_id"]
        if not dicom_id:
            raise row.error("blank dicom_id")
        if dicom_id in out:
            raise row.error(f"duplicate dicom_id {dicom_id} (also row {lines[dicom_id]})")
        lines[dicom_id] = row.line
        try:
            time = study_time(row["StudyTime"])
        except ValueError as exc:
            raise row.error(str(exc)) from None
        if row.integer("Columns") <= 0 or row.integer("Rows") <= 0:
            raise row.error("Rows and Columns must be positive image sizes")
        out[dicom_id] = ImageMeta(
            dicom_id=dicom_id,
            subject_id=mimic_id(row, "subject_id"),
            study_id=mimic_id(row, "study_id"),
            view=row["ViewPosition"],
            width=row.integer("Columns"),
            height=row.integer("Rows"),
            study_date=row["StudyDate"].split(".")[0],
            study_time=time,
        )
    return out


def read_split(path: Path) -> dict[str, str]:
    """Official split (train/validate/test) keyed by dicom_id."""
    out: dict[str, str] = {}
    lines: dict[str, int] = {}
    for row in iter_csv(path, required=("dicom_id", "split")):
        if row["split"] not in SPLITS:
            raise row.error(f"split must be one of {', '.join(SPLITS)}, not {row['split']!r}")
        dicom_id = row["dicom_id"]
        if dicom_id in out:
            other = "" if out[dicom_id] == row["split"] else f", split {out[dicom_id]} there"
            raise row.error(f"duplicate dicom_id {dicom_id} (also row {lines[dicom_id]}{other})")
        out[dicom_id], lines[dicom_id] = row["split"], row.line
    return out
