"""SIIM-ACR Pneumothorax: `train-rle.csv` (header `ImageId, EncodedPixels`, values with a leading space,
relative column-major RLE on 1024x1024) and `dicom-images-train/{Study UID}/{Series UID}/{ImageId}.dcm`."""
from __future__ import annotations

from pathlib import Path

from gazebench.synthetic.cases import ExternalImage
from gazebench.synthetic.writers.files import dicom_uid

FOLDER = "siim-acr-pneumothorax"
SIZE = 1024
SITE_NUMBER = 6904


def uids(image: ExternalImage) -> tuple[str, str, str]:
    """(study, series, SOP instance) UIDs; the SOP UID is the ImageId."""
    serial, stamp = 850817 + 3 * image.index, 1517875201 + image.index
    return (dicom_uid(2, SITE_NUMBER, serial, stamp), dicom_uid(3, SITE_NUMBER, serial + 1, stamp),
            dicom_uid(4, SITE_NUMBER + image.index, serial + 2, stamp))


def dicom_path(out: Path, image: ExternalImage) -> Path:
    study, series, sop = uids(image)
    return out / FOLDER / "dicom-images-train" / study / series / f"{sop}.dcm"


def write(out: Path, images: list[ExternalImage], rles: dict[int, str]) -> dict[str, int]:
    """`rles` maps image index → RLE of its pneumothorax mask ("-1" or missing when none)."""
    rows = [f"{uids(im)[2]}, {rles.get(im.index, '-1')}" for im in images]
    path = out / FOLDER / "train-rle.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("ImageId, EncodedPixels\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return {"images": len(images), "positive": sum(1 for v in rles.values() if v != "-1")}
