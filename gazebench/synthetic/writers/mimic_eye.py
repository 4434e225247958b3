"""MIMIC-EYE tree: `patient_{subject_id}/` folders (CXR-JPG tables and images, CXR-DICOM report text,
REFLACX, EyeGaze) and `spreadsheets/`. Tables are written like the build code (pandas index column)."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from gazebench.labels import CHEXPERT_LABELS
from gazebench.synthetic.cases import MimicImage
from gazebench.synthetic.report import report_text
from gazebench.synthetic.rng import stream
from gazebench.synthetic.writers import eyegaze, reflacx
from gazebench.synthetic.writers.files import Table, pandas_csv

MIMIC_LABELS = tuple(sorted(CHEXPERT_LABELS))
"""MIMIC label-file column order (alphabetical)."""
INDEX_HTML = "<html><body>Index of simulated data (a wget artefact kept on purpose)</body></html>\n"


def patient_dir(root: Path, image: MimicImage) -> Path:
    return root / f"patient_{image.subject_id}"


def jpg_path(root: Path, image: MimicImage, dicom_id: str | None = None) -> Path:
    return patient_dir(root, image) / "CXR-JPG" / f"s{image.study_id}" / f"{dicom_id or image.dicom_id}.jpg"


def _meta_row(image: MimicImage, size: tuple[int, int]) -> dict[str, object]:
    date, time = image.study_datetime.split(" ")
    hh, mm, ss = time.split(":")
    return {
        "dicom_id": image.dicom_id, "subject_id": int(image.subject_id), "study_id": int(image.study_id),
        "PerformedProcedureStepDescription": "CHEST (PORTABLE AP)" if image.view == "AP" else "CHEST (PA AND LAT)",
        "ViewPosition": image.view, "Rows": size[1], "Columns": size[0], "StudyDate": int(date.replace("-", "")),
        "StudyTime": float(f"{int(hh)}{mm}{ss}"), "ProcedureCodeSequence_CodeMeaning": "CHEST (PA AND LAT)",
        "ViewCodeSequence_CodeMeaning": "antero-posterior" if image.view == "AP" else "postero-anterior",
        "PatientOrientationCodeSequence_CodeMeaning": "Erect", "in_eye_gaze": image.eyegaze is not None,
        "in_reflacx": True, "StudyDateTime": image.study_datetime, "stay_id": np.nan}


def _label_rows(image: MimicImage, rng: np.random.Generator) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """(chexpert rows, negbio rows) for the image's study and its folder-less phantom study, if any.
    NegBio resolves some uncertain labels the other way, as the two labelers do disagree."""
    studies = [(image.study_id, dict(zip(CHEXPERT_LABELS, image.labels, strict=True)))]
    if image.phantom_study:
        studies.append((image.phantom_study, {n: math.nan for n in CHEXPERT_LABELS} | {"No Finding": 1.0}))
    chexpert: list[dict[str, object]] = []
    negbio: list[dict[str, object]] = []
    for study, labels in studies:
        base = {"subject_id": int(image.subject_id), "study_id": int(study)}
        chexpert.append(base | {n: labels[n] for n in MIMIC_LABELS})
        negbio.append(base | {n: (1.0 if labels[n] == -1.0 and rng.random() < 0.3 else labels[n])
                              for n in MIMIC_LABELS})
    return chexpert, negbio


def write(root: Path, images: list[MimicImage], size: tuple[int, int], seed: int) -> dict[str, int]:
    """All MIMIC-EYE tables and text files (images are written separately); returns counts."""
    rng = stream(seed, "mimic", "writer")
    meta, chexpert, negbio, split, reflacx_rows = [], [], [], [], []
    by_patient: dict[str, list[MimicImage]] = {}
    for image in images:
        by_patient.setdefault(image.subject_id, []).append(image)
    eg = eyegaze.tables(images, size, rng)
    for subject, own in by_patient.items():
        pdir = patient_dir(root, own[0])
        p_meta, p_chex, p_neg, p_split, p_reflacx = [], [], [], [], []
        for image in own:
            p_meta.append(_meta_row(image, size))
            c_rows, n_rows = _label_rows(image, rng)
            p_chex += c_rows
            p_neg += n_rows
            p_split.append({"dicom_id": image.dicom_id, "study_id": int(image.study_id),
                            "subject_id": int(subject), "split": image.split})
            if image.phantom_study:
                p_split.append({"dicom_id": image.dicom_id[:-8] + f"{rng.integers(2**32):08x}",
                                "study_id": int(image.phantom_study), "subject_id": int(subject), "split": image.split})
            report = pdir / "CXR-DICOM" / f"s{image.study_id}.txt"
            report.parent.mkdir(parents=True, exist_ok=True)
            report.write_text(report_text(image.labels, image.film.specs, image.view,
                                          stream(seed, *image.film.key, "report")), encoding="utf-8")
            for reading in image.reflacx:
                p_reflacx.append(reflacx.metadata_row(image, reading, size))
                reflacx.write_case(pdir / "REFLACX", image, reading, size, rng)
            if image.eyegaze is not None:
                transcripts = pdir / "EyeGaze" / "audio_segmentation_transcripts"
                eyegaze.write_transcript(transcripts / image.dicom_id, image.eyegaze)
        tables = {"cxr_meta": p_meta, "cxr_chexpert": p_chex, "cxr_negbio": p_neg, "cxr_split": p_split}
        for name, rows in tables.items():
            pandas_csv(Table.from_rows(rows), pdir / "CXR-JPG" / f"{name}.csv")
        pandas_csv(_reflacx_frame(p_reflacx), pdir / "REFLACX" / "metadata.csv")
        ids = {im.dicom_id for im in own if im.eyegaze is not None}
        if ids:
            for name, table in eg.items():
                column = "DICOM_ID" if "DICOM_ID" in table.columns else "dicom_id"
                pandas_csv(table.where(column, ids.__contains__), pdir / "EyeGaze" / f"{name}.csv")
            pandas_csv(eg["fixations"].where("DICOM_ID", ids.__contains__), pdir / "EyeGaze" / "eye_gaze.csv")
        for folder in (pdir, pdir / "CXR-JPG"):
            (folder / "index.html").write_text(INDEX_HTML, encoding="utf-8")
        meta += p_meta
        chexpert += p_chex
        negbio += p_neg
        split += p_split
        reflacx_rows += p_reflacx
    _write_spreadsheets(root / "spreadsheets", meta, chexpert, negbio, split, reflacx_rows, eg, rng)
    pandas_csv(patients_table(sorted(by_patient), seed), root / "spreadsheets" / "Hosp" / "patients.csv")
    return {"patients": len(by_patient), "images": len(images), "studies": len({i.study_id for i in images}),
            "reflacx_readings": len(reflacx_rows),
            "reflacx_discarded": sum(bool(r["eye_tracking_data_discarded"]) for r in reflacx_rows),
            "eyegaze_readings": len(eg["master_sheet"]),
            "stray_laterals": sum(i.lateral_id is not None for i in images)}


def patients_table(subjects: list[str], seed: int) -> Table:
    """MIMIC-IV `patients.csv` (subject_id, gender, anchor_age, anchor_year, anchor_year_group, dod) for the
    simulated subjects, from its own random stream so adding it changed no other file."""
    rows = []
    for subject in subjects:
        rng = stream(seed, "mimic", "patients", subject)
        year = int(rng.integers(2110, 2190))
        rows.append({"subject_id": int(subject), "gender": str(rng.choice(["F", "M"])),
                     "anchor_age": int(rng.integers(18, 92)), "anchor_year": year,
                     "anchor_year_group": "2014 - 2016", "dod": np.nan})
    return Table.from_rows(rows)


def _reflacx_frame(rows: list[dict[str, object]]) -> Table:
    """Concatenation of phase 2 and phase 3 rows as pd.concat leaves it (certainties as floats)."""
    floats = [label for label in reflacx.PHASE3_LABELS if label not in ("Support devices", "Other")]
    ordered = sorted(rows, key=lambda row: not str(row["id"]).startswith("P2"))  # stable: phase 2 first
    return Table.from_rows([row | {label: float(row[label]) for label in floats} for row in ordered],  # type: ignore[arg-type]
                           columns=list(rows[0]))


def _write_spreadsheets(sheets: Path, meta: list[dict[str, object]], chexpert: list[dict[str, object]],
                        negbio: list[dict[str, object]], split: list[dict[str, object]],
                        reflacx_rows: list[dict[str, object]], eg: dict[str, Table],
                        rng: np.random.Generator) -> None:
    """Dataset-wide tables; cxr_meta also lists one subject that has no patient folder."""
    orphan = dict(meta[0]) | {"subject_id": 19999999, "study_id": 59999999,
                             "dicom_id": "-".join(f"{int(v):08x}" for v in rng.integers(0, 2**32, 5))}
    meta_table = Table.from_rows([*meta, orphan])
    pandas_csv(meta_table, sheets / "cxr_meta.csv")
    pandas_csv(meta_table.where("in_eye_gaze", "True".__eq__), sheets / "cxr_meta_with_stay_id_only.csv")
    pandas_csv(Table.from_rows(chexpert), sheets / "CXR-JPG" / "cxr_chexpert.csv")
    pandas_csv(Table.from_rows(negbio), sheets / "CXR-JPG" / "cxr_negbio.csv")
    pandas_csv(Table.from_rows(split), sheets / "CXR-JPG" / "cxr_split.csv")
    pandas_csv(_reflacx_frame(reflacx_rows), sheets / "REFLACX" / "metadata.csv")
    pandas_csv(eg["bounding_boxes"], sheets / "EyeGaze" / "bounding_boxes.csv")
    pandas_csv(eg["fixations"], sheets / "EyeGaze" / "fixations.csv")
    pandas_csv(eg["fixations"], sheets / "EyeGaze" / "eye_gaze.csv")
    pandas_csv(eg["master_sheet"], sheets / "EyeGaze" / "master_sheet_with_updated_stayId.csv")
