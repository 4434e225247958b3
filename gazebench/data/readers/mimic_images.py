"""Where the MIMIC-CXR JPGs of datasets that ship no images (MS-CXR, Medical-CXR-VQA) live under a data root:
the `patient_*/CXR-JPG/` folders of a MIMIC-EYE tree (`mimic-eye/`), and a MIMIC-CXR-JPG release
(`mimic-cxr-jpg/`: `mimic-cxr-2.0.0-metadata.csv[.gz]` beside `files/pXX/pXXXXXXXX/sXXXXXXXX/{dicom_id}.jpg`).
Images are found by id from the tables, never through a path column of another dataset.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gazebench.data.images import on_disk
from gazebench.data.readers.mimic_cxr import read_metadata
from gazebench.errors import DataError

MIMIC_EYE = "mimic-eye"
MIMIC_CXR_JPG = "mimic-cxr-jpg"
FRONTAL = ("PA", "AP")


@dataclass(frozen=True)
class MimicJpg:
    """One MIMIC-CXR image that can be loaded: its ids, view, DICOM frame and JPG path."""

    dicom_id: str
    subject_id: str
    study_id: str
    view: str
    size: tuple[int, int]
    """(width, height) of the DICOM frame (metadata Columns, Rows)."""
    path: Path


def _release_metadata(folder: Path) -> Path | None:
    for name in ("mimic-cxr-2.0.0-metadata.csv.gz", "mimic-cxr-2.0.0-metadata.csv"):
        if (folder / name).is_file():
            return folder / name
    return None


def image_index(data_root: Path) -> dict[str, MimicJpg]:
    """Every MIMIC-CXR image listed under `data_root`, keyed by dicom_id (MIMIC-EYE first, then MIMIC-CXR-JPG
    for ids MIMIC-EYE lacks). No such tree is a DataError; whether each JPG exists is the caller's check."""
    root = Path(data_root)
    out: dict[str, MimicJpg] = {}
    eye = root / MIMIC_EYE
    for meta_csv in sorted(eye.glob("patient_*/CXR-JPG/cxr_meta.csv")) if eye.is_dir() else []:
        for m in read_metadata(meta_csv).values():
            out.setdefault(m.dicom_id, MimicJpg(m.dicom_id, m.subject_id, m.study_id, m.view, (m.width, m.height),
                                                meta_csv.parent / f"s{m.study_id}" / f"{m.dicom_id}.jpg"))
    release = root / MIMIC_CXR_JPG
    table = _release_metadata(release)
    if table is not None:
        for m in read_metadata(table).values():
            folder = release / "files" / f"p{m.subject_id[:2]}" / f"p{m.subject_id}" / f"s{m.study_id}"
            path = folder / f"{m.dicom_id}.jpg"
            out.setdefault(m.dicom_id, MimicJpg(m.dicom_id, m.subject_id, m.study_id, m.view,
                                                (m.width, m.height), path))
    if not out:
        raise DataError(root, f"no MIMIC-CXR images to attach: expected {MIMIC_EYE}/patient_*/CXR-JPG/cxr_meta.csv "
                              f"or {MIMIC_CXR_JPG}/mimic-cxr-2.0.0-metadata.csv[.gz] here")
    return out


def frontal_by_study(index: dict[str, MimicJpg]) -> dict[tuple[str, str], MimicJpg]:
    """(subject_id, study_id) → the study's frontal (PA/AP) image whose JPG is on disk (`on_disk`: a folder or
    symlink loop there counts, and the image check names it); with several, the smallest dicom_id. Only frontal
    entries are looked up on disk."""
    out: dict[tuple[str, str], MimicJpg] = {}
    for dicom_id in sorted(index):
        image = index[dicom_id]
        key = (image.subject_id, image.study_id)
        if image.view in FRONTAL and key not in out and on_disk(image.path):
            out[key] = image
    return out
