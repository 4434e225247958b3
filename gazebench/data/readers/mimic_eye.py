"""MIMIC-EYE (PhysioNet `mimic-eye-multimodal-datasets` 1.0.0): the CXR-JPG images of each `patient_*/`
folder that carry REFLACX and/or EyeGaze fixations, with study-level CheXpert labels, the official split
and the view, every REFLACX reader's located findings (ellipses), and the FINDINGS section of the study's
MIMIC-CXR report (`CXR-DICOM/s{study_id}.txt`, kept in memory only). Tables and folders are joined on ids;
whatever does not join is passed over and counted.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from gazebench.data.attributes import attribute_pairs
from gazebench.data.readers import eyegaze, reflacx
from gazebench.data.readers.mimic_cxr import mimic_id, read_metadata, read_split, read_study_labels
from gazebench.data.readers.mimic_report import reference_report
from gazebench.data.readers.registry import READERS
from gazebench.data.release import release_version
from gazebench.data.skips import SkipLog
from gazebench.data.tables import Row, present, read_csv
from gazebench.errors import DataError
from gazebench.records import Dataset, GazeRecord, Sample

PATIENTS = Path("spreadsheets") / "Hosp" / "patients.csv"
"""MIMIC-IV's patients table as MIMIC-EYE ships it (gender, anchor_age per subject_id)."""
Demographics = dict[str, tuple[str, str]]
"""subject_id → (gender, anchor_age) as recorded."""


def reflacx_metadata(folder: Path) -> list[Row]:
    """The rows of a patient folder's `REFLACX/metadata.csv` (none when the patient has no REFLACX reading)."""
    path = folder / "REFLACX" / "metadata.csv"
    return read_csv(path, required=reflacx.METADATA_COLUMNS) if present(path) else []


def patient_gaze(folder: Path, frames: dict[str, tuple[int, int]], metadata: list[Row],
                 skips: SkipLog) -> dict[str, list[GazeRecord]]:
    """Every usable REFLACX (`metadata` rows) and EyeGaze reading of one `patient_*` folder, keyed by dicom_id."""
    gaze: dict[str, list[GazeRecord]] = defaultdict(list)
    for dicom_id, records in reflacx.readings_by_image(metadata, folder / "REFLACX" / "main_data", skips).items():
        gaze[dicom_id] += records
    eyegaze_dir = folder / "EyeGaze"
    if present(eyegaze_dir / "fixations.csv"):
        master = eyegaze.read_master_sheet(eyegaze_dir / "master_sheet.csv")
        found = eyegaze.readings_by_image(eyegaze_dir / "fixations.csv", master, frames,
                                          eyegaze_dir / "audio_segmentation_transcripts", skips)
        for dicom_id, records in found.items():
            gaze[dicom_id] += records
    return gaze


def read_demographics(root: Path) -> Demographics:
    """subject_id → (gender, anchor_age) from `spreadsheets/Hosp/patients.csv`; empty if the table is absent."""
    path = root / PATIENTS
    if not present(path):
        return {}
    return {mimic_id(row, "subject_id"): (row["gender"], row["anchor_age"])
            for row in read_csv(path, required=("subject_id", "gender", "anchor_age"))}


def patient_samples(folder: Path, skips: SkipLog, demographics: Demographics | None = None) -> list[Sample]:
    """The samples of one `patient_{subject_id}` folder; pass-overs are logged with paths inside `folder`."""
    subject = folder.name.removeprefix("patient_")
    cxr = folder / "CXR-JPG"
    if not cxr.is_dir():
        skips.add(f"{folder}: patient folder without CXR-JPG/", "-")
        return []
    meta = read_metadata(cxr / "cxr_meta.csv")
    labels = read_study_labels(cxr / "cxr_chexpert.csv")
    splits = read_split(cxr / "cxr_split.csv")
    metadata = reflacx_metadata(folder)
    gaze = patient_gaze(folder, {d: (m.width, m.height) for d, m in meta.items()}, metadata, skips)
    findings = reflacx.findings_by_image(metadata, folder / "REFLACX" / "main_data", skips)
    images = {p.stem: p for p in sorted(cxr.glob("s*/*.jpg"))}  # a folder, FIFO or loop: the image check names it
    sex, age = (demographics or {}).get(subject, ("", ""))
    samples = []
    for dicom_id, path in images.items():
        where = str(path.relative_to(cxr))
        m = meta.get(dicom_id)
        if m is None:
            skips.add(f"{cxr / 'cxr_meta.csv'}: image without a metadata row (e.g. a lateral)", where)
        elif m.subject_id != subject or path.parent.name != f"s{m.study_id}":
            skips.add(f"{cxr / 'cxr_meta.csv'}: image folder disagrees with its subject/study ids", where)
        elif dicom_id not in gaze:
            skips.add(f"{folder}: image without a usable REFLACX or EyeGaze reading", where)
        elif (m.subject_id, m.study_id) not in labels:
            skips.add(f"{cxr / 'cxr_chexpert.csv'}: no label row for the image's study", where)
        elif dicom_id not in splits:
            skips.add(f"{cxr / 'cxr_split.csv'}: image without a split row", where)
        else:
            samples.append(Sample(
                sample_id=dicom_id,
                patient_id=subject,
                study_id=m.study_id,
                image_path=path,
                labels=labels[(m.subject_id, m.study_id)],
                split=splits[dicom_id],
                view=m.view,
                gaze=tuple(gaze[dicom_id]),
                findings=tuple(findings.get(dicom_id, ())),
                report=study_report(folder, m.study_id, where, skips),
                attributes=attribute_pairs(view=m.view, sex=sex, age=age),
            ))
    for dicom_id in sorted(set(gaze) - set(images)):
        skips.add(f"{cxr}: eye-tracked image whose JPG is missing", dicom_id)
    return samples


def study_report(folder: Path, study_id: str, where: str, skips: SkipLog) -> str | None:
    """The FINDINGS section of `CXR-DICOM/s{study_id}.txt`; a missing report or one without FINDINGS is
    counted in `skips` (the image stays, with no reference report)."""
    path = folder / "CXR-DICOM" / f"s{study_id}.txt"
    if not present(path):
        skips.add(f"{folder / 'CXR-DICOM'}: no report s<study_id>.txt (image kept without a reference report)", where)
        return None
    report = reference_report(path)
    if report is None:
        skips.add(f"{folder / 'CXR-DICOM'}: report without a FINDINGS section (image kept without a reference "
                  "report)", where)
    return report


@READERS.register("mimic-eye")
def read_mimic_eye(root: Path) -> Dataset:
    """Every eye-tracked CXR-JPG image under `root` (the `mimic-eye/` folder)."""
    root = Path(root)
    folders = sorted(p for p in root.glob("patient_*") if p.is_dir()) if root.is_dir() else []
    if not folders:
        raise DataError(root, "no patient_* folders here; point at the unpacked mimic-eye/ folder")
    skips = SkipLog()
    demographics = read_demographics(root)
    samples = []
    for folder in folders:
        patient_skips = SkipLog()
        samples += patient_samples(folder, patient_skips, demographics)
        skips.absorb(patient_skips, folder, "patient_*")
    readings = sum(len(s.gaze) for s in samples)
    return Dataset(
        name="mimic-eye",
        root=root,
        samples=tuple(samples),
        skips=skips.summary(),
        version=release_version(root, "1.0.0"),
        info={"labels": "study-level CheXpert labeler codes (CXR-JPG/cxr_chexpert.csv)",
              "split": "official MIMIC-CXR split (CXR-JPG/cxr_split.csv)",
              "gaze": f"{readings} readings (REFLACX + EyeGaze) on {len(samples)} images",
              "report": "FINDINGS section of CXR-DICOM/s<study_id>.txt (MIMIC-CXR section parser)",
              "findings": f"{sum(len(s.findings) for s in samples)} REFLACX ellipse labels; present at certainty "
                          f">= {reflacx.POSITIVE_CERTAINTY:g}",
              "attributes": "view: CXR-JPG/cxr_meta.csv ViewPosition; sex, age: "
                            + (f"{PATIENTS} ({len(demographics)} patients)" if demographics
                               else f"not recorded (no {PATIENTS})")},
    )
