"""MS-CXR phrase grounding file (`ms-cxr/MS_CXR_Local_Alignment_v1.1.0.csv`) for the simulated MIMIC-EYE images:
one row per box (COCO x, y, w, h in the image's pixels) of every labeled finding of MS-CXR's eight categories."""
from __future__ import annotations

from pathlib import Path

from gazebench.labels import CHEXPERT_LABELS
from gazebench.synthetic.cases import MimicImage
from gazebench.synthetic.dictation import SIDES
from gazebench.synthetic.writers.files import Table, plain_csv

FOLDER = "ms-cxr"
FILE = "MS_CXR_Local_Alignment_v1.1.0.csv"
COLUMNS = ("dicom_id", "category_name", "label_text", "path", "x", "y", "w", "h", "image_width", "image_height",
           "split")
PHRASES: dict[str, str] = {
    "Atelectasis": "{side} basilar atelectasis", "Cardiomegaly": "enlarged cardiac silhouette",
    "Consolidation": "{side} lower lobe consolidation", "Edema": "pulmonary edema",
    "Lung Opacity": "patchy {side} opacity", "Pleural Effusion": "{side} pleural effusion",
    "Pneumonia": "{side} lung pneumonia", "Pneumothorax": "{side} apical pneumothorax",
}
"""MS-CXR's categories and the phrase written for each."""
SPLIT = {"train": "train", "validate": "val", "test": "test"}


def image_file(image: MimicImage) -> str:
    """The MIMIC-CXR-JPG relative path MS-CXR's `path` column holds."""
    s = image.subject_id
    return f"files/p{s[:2]}/p{s}/s{image.study_id}/{image.dicom_id}.jpg"


def pixel_box(box: tuple[float, float, float, float], size: tuple[int, int]) -> tuple[int, int, int, int]:
    """An h-unit box as integer COCO (x, y, w, h) inside a `size` (width, height) image, at least 1 px wide."""
    w, h = size
    x0, y0 = min(max(int(box[0] * h), 0), w - 1), min(max(int(box[1] * h), 0), h - 1)
    x1, y1 = min(max(int(box[2] * h), x0 + 1), w), min(max(int(box[3] * h), y0 + 1), h)
    return x0, y0, x1 - x0, y1 - y0


def write(out: Path, images: list[MimicImage], size: tuple[int, int]) -> dict[str, int]:
    """The CSV under `out/ms-cxr/`; returns the number of boxes and images."""
    rows = []
    for image in images:
        for spec in image.film.specs:
            if spec.name not in PHRASES or image.labels[CHEXPERT_LABELS.index(spec.name)] != 1.0:
                continue
            text = PHRASES[spec.name].format(side=SIDES[spec.side])
            for region in spec.regions:
                rows.append((image.dicom_id, spec.name, text, image_file(image), *pixel_box(region, size), *size,
                             SPLIT[image.split]))
    plain_csv(Table.from_rows(rows, COLUMNS), out / FOLDER / FILE)
    return {"boxes": len(rows), "images": len({r[0] for r in rows})}

