"""EyeGaze (EGD) tables for the images that have an EyeGaze reading: master sheet, fixations (GazePoint
fields + X_ORIGINAL/Y_ORIGINAL), anatomical boxes and phrase-level transcripts. Calibration screens (truncated
DICOM_ID) appear only in the spreadsheet-level fixations."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from gazebench.labels import CHEXPERT_LABELS
from gazebench.synthetic.cases import MimicImage, SimReading
from gazebench.synthetic.writers.files import Table

SCREEN = (1920, 1080)
SHOWN_HEIGHT = 1024
FIXATION_COLUMNS = ("SESSION_ID", "DICOM_ID", "CNT", "Time (in secs)", "TIMETICK(f=10000000)", "FPOGX", "FPOGY",
                    "FPOGS", "FPOGD", "FPOGID", "FPOGV", "X_ORIGINAL", "Y_ORIGINAL")
FINDING_COLUMNS = ("Normal", "CHF", "pneumonia", "consolidation", "enlarged_cardiac_silhouette",
                   "linear__patchy_atelectasis", "lobar__segmental_collapse",
                   "not_otherwise_specified_opacity___pleural__parenchymal_opacity__",
                   "pleural_effusion_or_thickening", "pulmonary_edema__hazy_opacity", "normal_anatomically",
                   "elevated_hemidiaphragm", "hyperaeration", "vascular_redistribution")
CHX_COLUMNS = tuple(f"{n.lower().replace(' ', '_')}__chx" for n in sorted(CHEXPERT_LABELS))
SESSION_LENGTH = 20
"""Images per session; a calibration screen is shown before each session's images."""


def pads(size: tuple[int, int]) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) screen padding of an image resized to 1024 rows on the 1920x1080 screen."""
    w, h = size
    shown_w = round(SHOWN_HEIGHT * w / h)
    left = (SCREEN[0] - shown_w) // 2
    top = (SCREEN[1] - SHOWN_HEIGHT) // 2
    return top, SCREEN[1] - SHOWN_HEIGHT - top, left, SCREEN[0] - shown_w - left


def master_row(image: MimicImage, size: tuple[int, int]) -> dict[str, object]:
    f = image.film.findings
    top, bottom, left, right = pads(size)
    sid = image.subject_id
    flags = {
        "Normal": not (set(f) - {"Support Devices"}), "CHF": "Cardiomegaly" in f and "Edema" in f,
        "pneumonia": "Pneumonia" in f, "consolidation": "Consolidation" in f,
        "enlarged_cardiac_silhouette": "Cardiomegaly" in f, "linear__patchy_atelectasis": "Atelectasis" in f,
        "lobar__segmental_collapse": False,
        "not_otherwise_specified_opacity___pleural__parenchymal_opacity__": "Lung Opacity" in f,
        "pleural_effusion_or_thickening": "Pleural Effusion" in f or "Pleural Other" in f,
        "pulmonary_edema__hazy_opacity": "Edema" in f, "normal_anatomically": not f,
        "elevated_hemidiaphragm": "Atelectasis" in f, "hyperaeration": False, "vascular_redistribution": "Edema" in f}
    row: dict[str, object] = {
        "dicom_id": image.dicom_id, "path": f"files/p{sid[:2]}/p{sid}/s{image.study_id}/{image.dicom_id}.dcm",
        "study_id": int(image.study_id), "patient_id": int(sid), "stay_id": np.nan, "gender": "M",
        "anchor_age": "50 - 60", "image_top_pad": top, "image_bottom_pad": bottom, "image_left_pad": left,
        "image_right_pad": right}
    for k in range(1, 10):
        row[f"dx{k}"], row[f"dx{k}_icd"] = np.nan, np.nan
    row["normal_reports"] = int(flags["Normal"])
    row.update({k: int(v) for k, v in flags.items()})
    labels = dict(zip(CHEXPERT_LABELS, image.labels, strict=True))
    row.update({col: labels[name] for col, name in zip(CHX_COLUMNS, sorted(CHEXPERT_LABELS), strict=True)})
    row["cxr_exam_indication"] = "Simulated indication."
    return row


def fixation_rows(image: MimicImage, reading: SimReading, session: str, clock: float, size: tuple[int, int],
                  rng: np.random.Generator) -> list[dict[str, object]]:
    """One row per fixation; a few glances land on the screen padding (X_ORIGINAL/Y_ORIGINAL = -1)."""
    w, h = size
    top, bottom, left, right = pads(size)
    r = reading.reading
    shown_w = SCREEN[0] - left - right
    eye_x = left + r.x * h * shown_w / w
    eye_y = top + r.y * h * SHOWN_HEIGHT / h
    off = rng.random(len(eye_x)) < 0.04
    eye_x = np.where(off, rng.uniform(5, left - 5, len(eye_x)), eye_x)
    rows = []
    for k in range(len(eye_x)):
        inside = left < eye_x[k] < SCREEN[0] - right and top < eye_y[k] < SCREEN[1] - bottom
        x_orig = int(w / shown_w * (eye_x[k] - left)) if inside else -1
        y_orig = int(h / SHOWN_HEIGHT * (eye_y[k] - top)) if inside else -1
        start = clock + float(r.t_start[k])
        rows.append({
            "SESSION_ID": session, "DICOM_ID": image.dicom_id, "CNT": k,
            "Time (in secs)": round(float(r.t_start[k]), 5),
            "TIMETICK(f=10000000)": int(start * 1e7) + 1_000_000_000, "FPOGX": round(eye_x[k] / SCREEN[0], 5),
            "FPOGY": round(eye_y[k] / SCREEN[1], 5), "FPOGS": round(start, 5),
            "FPOGD": round(float(r.t_end[k] - r.t_start[k]), 5), "FPOGID": k + 1, "FPOGV": 1,
            "X_ORIGINAL": x_orig, "Y_ORIGINAL": y_orig})
    return rows


def calibration_rows(dicom_id: str, session: str, clock: float, rng: np.random.Generator) -> list[dict[str, object]]:
    """Fixations on the calibration dot; DICOM_ID is the next image's id minus its last 5 characters."""
    rows = []
    for k in range(3):
        ex, ey = SCREEN[0] / 2 + rng.normal(0, 12), SCREEN[1] / 2 + rng.normal(0, 12)
        rows.append({
            "SESSION_ID": session, "DICOM_ID": dicom_id[:-5], "CNT": k, "Time (in secs)": round(0.4 * k, 5),
            "TIMETICK(f=10000000)": int((clock + 0.4 * k) * 1e7) + 1_000_000_000, "FPOGX": round(ex / SCREEN[0], 5),
            "FPOGY": round(ey / SCREEN[1], 5), "FPOGS": round(clock + 0.4 * k, 5), "FPOGD": 0.35, "FPOGID": k + 1,
            "FPOGV": 1, "X_ORIGINAL": int(ex), "Y_ORIGINAL": int(ey)})
    return rows


def anatomy_boxes(image: MimicImage, h: int) -> list[dict[str, object]]:
    """Anatomical boxes (x1, x2, y1, y2 in image pixels) for lungs, heart, mediastinum and CP angles."""
    a = image.film.anatomy
    r_lat, l_lat = float(a.lateral_x(0, a.cp_y[0])), float(a.lateral_x(1, a.cp_y[1]))
    boxes: dict[str, tuple[Any, ...]] = {
        "right lung": (a.lateral_x(0, a.cp_y[0]), a.cx - a.medi_hw, a.apex_y, a.cp_y[0]),
        "left lung": (a.cx + a.medi_hw, a.lateral_x(1, a.cp_y[1]), a.apex_y, a.cp_y[1]),
        "heart": (a.heart_cx - a.heart_a, a.heart_cx + a.heart_a, a.heart_cy - a.heart_b, a.dome_y[1]),
        "upper mediastinum": (a.cx - a.medi_hw, a.cx + a.medi_hw, a.apex_y, a.hilum_y),
        "right costophrenic angle": (r_lat, r_lat + 0.08, a.cp_y[0] - 0.08, a.cp_y[0]),
        "left costophrenic angle": (l_lat - 0.08, l_lat, a.cp_y[1] - 0.08, a.cp_y[1]),
    }
    return [{"dicom_id": image.dicom_id, "bbox_name": name,
             **{k: int(round(float(v) * h)) for k, v in zip(("x1", "x2", "y1", "y2"), box, strict=True)}}
            for name, box in boxes.items()]


def write_transcript(folder: Path, reading: SimReading) -> None:
    """`audio_segmentation_transcripts/{dicom_id}/transcript.json`: phrases with begin/end seconds (no audio)."""
    phrases: list[dict[str, Any]] = []
    current, begin = [], None
    for word, t0, t1 in reading.words:
        begin = t0 if begin is None else begin
        current.append(word)
        if word == ".":
            text = " ".join(current).replace(" .", ".").replace(" ,", ",")
            phrases.append({"phrase": text, "begin_time": round(begin, 3), "end_time": round(t1, 3)})
            current, begin = [], None
    folder.mkdir(parents=True, exist_ok=True)
    payload = {"full_text": " ".join(p["phrase"] for p in phrases), "time_stamped_text": phrases}
    (folder / "transcript.json").write_text(json.dumps(payload, indent=1), encoding="utf-8")


def tables(images: list[MimicImage], size: tuple[int, int], rng: np.random.Generator) -> dict[str, Table]:
    """All EyeGaze tables over the eye-tracked images, sessions of 20 with a calibration screen first.
    `fixations` includes calibration rows; filter on master_sheet dicom_ids to drop them."""
    master, fixations, boxes = [], [], []
    clock = 0.0
    tracked = [im for im in images if im.eyegaze is not None]
    for k, image in enumerate(tracked):
        session = f"S{k // SESSION_LENGTH + 1:03d}"
        if k % SESSION_LENGTH == 0:
            clock = 0.0
            fixations += calibration_rows(image.dicom_id, session, clock, rng)
            clock += 2.0
        reading = image.eyegaze
        assert reading is not None
        master.append(master_row(image, size))
        fixations += fixation_rows(image, reading, session, clock, size, rng)
        boxes += anatomy_boxes(image, size[1])
        clock += float(reading.reading.t_end[-1]) + 1.5
    return {"master_sheet": Table.from_rows(master), "fixations": Table.from_rows(fixations, FIXATION_COLUMNS),
            "bounding_boxes": Table.from_rows(boxes, ["dicom_id", "bbox_name", "x1", "x2", "y1", "y2"])}
