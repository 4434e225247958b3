"""CheXpert-v1.0-small valid set: `valid.csv` (consensus 1.0/0.0 labels) and
`valid/patientNNNNN/study1/view1_frontal.jpg`."""
from __future__ import annotations

from pathlib import Path

from gazebench.labels import CHEXPERT_LABELS
from gazebench.synthetic.cases import ExternalImage
from gazebench.synthetic.writers.files import Table, plain_csv

FOLDER = "CheXpert-v1.0-small"
FIRST_PATIENT = 64541


def relative_path(image: ExternalImage) -> str:
    """The `Path` value, with the release prefix,
    e.g. CheXpert-v1.0-small/valid/patient64541/study1/view1_frontal.jpg."""
    return f"{FOLDER}/valid/patient{FIRST_PATIENT + image.index:05d}/study1/view1_frontal.jpg"


def write(out: Path, images: list[ExternalImage]) -> dict[str, int]:
    rows = [{"Path": relative_path(im), "Sex": im.sex, "Age": im.age, "Frontal/Lateral": "Frontal", "AP/PA": im.view,
             **dict(zip(CHEXPERT_LABELS, im.labels, strict=True))} for im in images]
    plain_csv(Table.from_rows(rows), out / FOLDER / "valid.csv")
    return {"images": len(images)}
