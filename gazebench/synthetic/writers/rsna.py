"""RSNA Pneumonia Detection (stage 2): labels with one row per opacity box, detailed class info, DICOMs."""
from __future__ import annotations

import uuid
from pathlib import Path

from gazebench.synthetic.cases import ExternalImage
from gazebench.synthetic.rng import stream
from gazebench.synthetic.writers.files import Table, plain_csv

FOLDER = "rsna-pneumonia-detection-challenge"
SIZE = 1024


def patient_id(seed: int, image: ExternalImage) -> str:
    """A UUID-shaped patientId, deterministic in (seed, index)."""
    return str(uuid.UUID(bytes=stream(seed, "rsna", image.index, "id").bytes(16), version=4))


def dicom_path(out: Path, seed: int, image: ExternalImage) -> Path:
    return out / FOLDER / "stage_2_train_images" / f"{patient_id(seed, image)}.dcm"


def write(out: Path, seed: int, images: list[ExternalImage]) -> dict[str, int]:
    """Target=1 rows carry x, y, width, height (top-left corner, 1024 frame) per pneumonia cluster."""
    labels, classes = [], []
    for im in images:
        pid = patient_id(seed, im)
        pneumonia = [s for s in im.film.specs if s.name == "Pneumonia"]
        boxes = [b for s in pneumonia for b in s.regions]
        if boxes:
            for x0, y0, x1, y1 in boxes:
                x0, y0 = max(0.0, x0 * SIZE), max(0.0, y0 * SIZE)
                x1, y1 = min(SIZE, x1 * SIZE), min(SIZE, y1 * SIZE)
                labels.append({"patientId": pid, "x": float(round(x0)), "y": float(round(y0)),
                               "width": float(round(x1 - x0)), "height": float(round(y1 - y0)), "Target": 1})
                classes.append({"patientId": pid, "class": "Lung Opacity"})
        else:
            labels.append({"patientId": pid, "x": None, "y": None, "width": None, "height": None, "Target": 0})
            other = set(im.film.findings) - {"Support Devices"}
            classes.append({"patientId": pid, "class": "No Lung Opacity / Not Normal" if other else "Normal"})
    plain_csv(Table.from_rows(labels), out / FOLDER / "stage_2_train_labels.csv")
    plain_csv(Table.from_rows(classes), out / FOLDER / "stage_2_detailed_class_info.csv")
    return {"images": len(images), "positive": sum(1 for im in images if "Pneumonia" in im.film.findings)}
