"""REFLACX per-case files (verbatim REFLACX format: no index column, CRLF) and metadata rows (phase 3 labels)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from gazebench.synthetic.cases import MimicImage, SimReading
from gazebench.synthetic.dictation import certainty, transcript
from gazebench.synthetic.writers.files import Table, crlf_csv

PHASE3_LABELS: tuple[str, ...] = tuple(sorted((
    "Abnormal mediastinal contour", "Acute fracture", "Atelectasis", "Consolidation", "Enlarged cardiac silhouette",
    "Enlarged hilum", "Groundglass opacity", "Hiatal hernia", "High lung volume / emphysema",
    "Interstitial lung disease", "Lung nodule or mass", "Other", "Pleural abnormality", "Pneumothorax",
    "Pulmonary edema", "Support devices")))
"""Phase 2-3 label columns in Python sorted() order, as REFLACX writes them."""

TO_REFLACX: dict[str, str] = {
    "Enlarged Cardiomediastinum": "Abnormal mediastinal contour", "Cardiomegaly": "Enlarged cardiac silhouette",
    "Lung Opacity": "Groundglass opacity", "Lung Lesion": "Lung nodule or mass", "Edema": "Pulmonary edema",
    "Consolidation": "Consolidation", "Pneumonia": "Consolidation", "Atelectasis": "Atelectasis",
    "Pneumothorax": "Pneumothorax", "Pleural Effusion": "Pleural abnormality", "Pleural Other": "Pleural abnormality",
    "Fracture": "Acute fracture", "Support Devices": "Support devices",
}
"""Which REFLACX label a simulated reader chooses for each reported CheXpert finding."""

FIXATION_COLUMNS = (
    "timestamp_start_fixation", "timestamp_end_fixation", "x_position", "y_position", "pupil_area_normalized",
    "angular_resolution_x_pixels_per_degree", "angular_resolution_y_pixels_per_degree", "window_width",
    "window_level", "xmin_shown_from_image", "ymin_shown_from_image", "xmax_shown_from_image",
    "ymax_shown_from_image", "xmin_in_screen_coordinates", "ymin_in_screen_coordinates",
    "xmax_in_screen_coordinates", "ymax_in_screen_coordinates")
SCREEN = (3840, 2160)


def reader_labels(image: MimicImage, reading: SimReading) -> dict[str, object]:
    """The reader's REFLACX labels: max certainty (float, 0.0 if not chosen) per label; booleans for devices."""
    values: dict[str, object] = {name: 0.0 for name in PHASE3_LABELS}
    values["Other"] = np.nan
    values["Support devices"] = False
    for o in reading.reading.outcomes:
        if o.status != "reported":
            continue
        spec = image.film.specs[o.finding]
        label = TO_REFLACX[spec.name]
        if label == "Support devices":
            values[label] = True
        else:
            values[label] = max(float(values[label]), float(certainty(spec.conspicuity)))  # type: ignore[arg-type]
    return values


def metadata_row(image: MimicImage, reading: SimReading, size: tuple[int, int]) -> dict[str, object]:
    sid = image.subject_id
    path = f"physionet.org/files/mimic-cxr/2.0.0/files/p{sid[:2]}/p{sid}/s{image.study_id}/{image.dicom_id}.dcm"
    row: dict[str, object] = {
        "id": reading.reading_id, "split": image.split, "eye_tracking_data_discarded": reading.discarded,
        "image": path, "dicom_id": image.dicom_id, "subject_id": int(sid),
        "image_size_x": size[0], "image_size_y": size[1]}
    row.update(reader_labels(image, reading))
    return row


def _fixations(reading: SimReading, size: tuple[int, int], rng: np.random.Generator) -> Table:
    w, h = size
    r = reading.reading
    n = len(r.t_start)
    shown_w = round(SCREEN[1] * w / h)
    x0 = (SCREEN[0] - shown_w) // 2
    ppd = h / 30.0
    cols: dict[str, Any] = {
        "timestamp_start_fixation": np.round(r.t_start - reading.audio_start_s, 3),
        "timestamp_end_fixation": np.round(r.t_end - reading.audio_start_s, 3),
        "x_position": np.round(r.x * h).astype(int), "y_position": np.round(r.y * h).astype(int),
        "pupil_area_normalized": np.round(rng.normal(1.0, 0.05, n), 3),
        "angular_resolution_x_pixels_per_degree": np.round(np.full(n, ppd * 1.002), 4),
        "angular_resolution_y_pixels_per_degree": np.round(np.full(n, ppd), 4),
        "window_width": ["1.00000"] * n, "window_level": ["0.50000"] * n,
        "xmin_shown_from_image": 0, "ymin_shown_from_image": 0, "xmax_shown_from_image": w,
        "ymax_shown_from_image": h, "xmin_in_screen_coordinates": x0, "ymin_in_screen_coordinates": 0,
        "xmax_in_screen_coordinates": x0 + shown_w, "ymax_in_screen_coordinates": SCREEN[1]}
    return Table.from_columns({k: (cols[k] if np.ndim(cols[k]) else [cols[k]] * n) for k in FIXATION_COLUMNS})


def _ellipses(image: MimicImage, reading: SimReading, h: int) -> Table:
    """One ellipse (its bounding box) per region of every finding the reader reported, except support devices
    (REFLACX did not ask for ellipses around devices)."""
    rows = []
    for o in reading.reading.outcomes:
        spec = image.film.specs[o.finding]
        if o.status != "reported" or TO_REFLACX[spec.name] == "Support devices":
            continue
        for box in spec.regions:
            row: dict[str, object] = {k: int(round(v * h))
                                      for k, v in zip(("xmin", "ymin", "xmax", "ymax"), box, strict=True)}
            row["certainty"] = certainty(spec.conspicuity)
            row.update({label: label == TO_REFLACX[spec.name] for label in PHASE3_LABELS})
            rows.append(row)
    return Table.from_rows(rows, columns=["xmin", "ymin", "xmax", "ymax", "certainty", *PHASE3_LABELS])


def write_case(
    root: Path, image: MimicImage, reading: SimReading, size: tuple[int, int], rng: np.random.Generator
) -> None:
    """`main_data/{id}/` files; a discarded case gets only the chest box and ellipses."""
    case = root / "main_data" / reading.reading_id
    a, h = image.film.anatomy, size[1]
    chest = (a.lateral_x(0, a.cp_y[0]), a.apex_y - 0.01, a.lateral_x(1, a.cp_y[1]), max(a.cp_y) + 0.01)
    crlf_csv(Table.from_rows([[int(round(float(v) * h)) for v in chest]], columns=["xmin", "ymin", "xmax", "ymax"]),
             case / "chest_bounding_box.csv")
    crlf_csv(_ellipses(image, reading, h), case / "anomaly_location_ellipses.csv")
    (root / "gaze_data" / reading.reading_id).mkdir(parents=True, exist_ok=True)
    if reading.discarded:
        return
    crlf_csv(_fixations(reading, size, rng), case / "fixations.csv")
    words = Table.from_rows(
        [(w, f"{t0 - reading.audio_start_s:.3f}", f"{t1 - reading.audio_start_s:.3f}") for w, t0, t1 in reading.words],
        columns=["word", "timestamp_start_word", "timestamp_end_word"])
    crlf_csv(words, case / "timestamps_transcription.csv")
    (case / "transcription.txt").write_text(transcript(list(reading.words)), encoding="utf-8")
