"""SIIM-ACR: padded header and values, regions unioned per ImageId, RLE validated, images found by walk."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fixtures import formats as F
from gazebench.data.readers import READERS
from gazebench.data.rle import decode_rle
from gazebench.errors import DataError
from gazebench.labels import CHEXPERT_LABELS

PTX = CHEXPERT_LABELS.index("Pneumothorax")


def test_padded_csv_union_and_image_walk(trees: dict[str, Path]) -> None:
    dataset = READERS.create("siim-acr", root=trees["siim-acr"])
    samples = {s.sample_id: s for s in dataset.samples}
    a, b, c = F.SIIM_IDS
    assert set(samples) == {a, b}
    assert samples[a].labels[PTX] == 1.0 and samples[a].mask_rle == F.SIIM_RLES
    assert samples[b].labels[PTX] == 0.0 and samples[b].mask_rle == ()
    assert samples[a].image_path.parent.parent.parent.name == "dicom-images-train"
    union = np.logical_or.reduce([decode_rle(r) for r in samples[a].mask_rle])
    assert union.sum() == 4 + 3
    assert any(f"{c}.dcm" in line for line in dataset.skipped)


def test_unpadded_header_also_reads(tmp_path: Path) -> None:
    root = F.write_siim(tmp_path, header="ImageId,EncodedPixels")
    assert len(READERS.create("siim-acr", root=root).samples) == 2


def test_bad_rle_names_file_and_row(tmp_path: Path) -> None:
    root = F.write_siim(tmp_path)
    table = root / "train-rle.csv"
    table.write_text(table.read_text().replace(F.SIIM_RLES[1], "5000 3 7"))
    with pytest.raises(DataError, match=r"train-rle\.csv, row 4: bad EncodedPixels: RLE has an odd number"):
        READERS.create("siim-acr", root=root)
    table.write_text(table.read_text().replace("5000 3 7", "1048570 10"))  # a mask off the image: damaged
    dataset = READERS.create("siim-acr", root=root)
    off = next(s for s in dataset.skips if "mask outside the image" in s.reason)
    assert off.kind == "damaged" and off.examples == (f"{table} row 4",)
    assert next(s for s in dataset.samples if s.sample_id == F.SIIM_IDS[0]).mask_rle == (F.SIIM_RLES[0],)


def test_missing_image_folder_is_an_error(tmp_path: Path) -> None:
    root = F.write_siim(tmp_path)
    import shutil

    shutil.rmtree(root / "dicom-images-train")
    with pytest.raises(DataError, match=r"dicom-images-train: image folder not found"):
        READERS.create("siim-acr", root=root)
