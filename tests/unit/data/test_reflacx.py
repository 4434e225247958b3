"""Standalone REFLACX: phases merged, certainty labels mapped to CheXpert by majority, images in the mirror."""
from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from fixtures import formats as F
from gazebench.data.readers import READERS
from gazebench.data.readers.reflacx import REFLACX_TO_CHEXPERT, majority_labels, reflacx_gaze
from gazebench.errors import DataError
from gazebench.labels import CHEXPERT_LABELS


def _codes(labels: tuple[float, ...]) -> dict[str, float]:
    return {CHEXPERT_LABELS[i]: v for i, v in enumerate(labels) if not math.isnan(v)}


def test_reader_merges_phases_and_maps_labels(trees: dict[str, Path]) -> None:
    root = trees["reflacx"]
    dataset = READERS.create("reflacx", root=root)
    samples = {s.sample_id: s for s in dataset.samples}
    assert set(samples) == {F.D_R1, F.D_R3}
    one = samples[F.D_R1]
    codes = _codes(one.labels)
    # two phase-1 readers: effusion 4 and 5 -> positive; Mass 2 / Nodule 3 -> one vote each -> tie -> positive;
    # Support devices True / False -> tie -> positive; labels phase 1 lacks (Pneumonia...) stay NaN
    assert codes["Pleural Effusion"] == 1.0 and codes["Lung Lesion"] == 1.0 and codes["Support Devices"] == 1.0
    assert codes["Atelectasis"] == 0.0 and "Pneumonia" not in codes and "No Finding" not in codes
    assert [g.reading_id for g in one.gaze] == [F.R_P1_A, F.R_P1_B]
    assert one.gaze[0].image_size == (32, 48) and one.gaze[0].chest_box == (1, 2, 30, 40)
    assert one.image_path.is_file() and one.study_id == "50000001" and one.patient_id == F.S1
    three = samples[F.D_R3]
    assert three.gaze == () and _codes(three.labels)["Atelectasis"] == 1.0  # discarded: labels, no gaze
    assert any("discarded" in line and F.R_P3 in line for line in dataset.skipped)


def test_gaze_is_exposed_by_dicom_id(trees: dict[str, Path]) -> None:
    gaze = reflacx_gaze(trees["reflacx"])
    assert set(gaze) == {F.D_R1}
    assert [len(g.fixations) for g in gaze[F.D_R1]] == [1, 1]
    assert gaze[F.D_R1][1].fixations.pixels_per_degree == pytest.approx(13.0)


def test_majority_and_map_cover_the_documented_names() -> None:
    assert majority_labels([{"Edema": 1.0}, {"Edema": 0.0}, {"Edema": 0.0}])[CHEXPERT_LABELS.index("Edema")] == 0.0
    assert set(REFLACX_TO_CHEXPERT) <= set(CHEXPERT_LABELS)
    sources = {c for cols in REFLACX_TO_CHEXPERT.values() for c in cols}
    assert {"Pulmonary edema", "Enlarged cardiac silhouette", "Pleural abnormality", "Acute fracture",
            "Lung nodule or mass"} <= sources


def test_image_path_escaping_the_mirror_is_an_error(trees: dict[str, Path], tmp_path: Path) -> None:
    mirror = Path(shutil.copytree(trees["reflacx"].parents[2].parent, tmp_path / "mirror"))
    meta = mirror / "physionet.org/files/reflacx-xray-localization/1.0.0/main_data/metadata_phase_3.csv"
    meta.write_bytes(meta.read_bytes().replace(b"physionet.org/files/mimic-cxr", b"../../../outside"))
    with pytest.raises(DataError, match=r"metadata_phase_3\.csv, row 2: path .* is outside the dataset root"):
        READERS.create("reflacx", root=meta.parent.parent)


def test_bad_certainty_names_the_row(trees: dict[str, Path], tmp_path: Path) -> None:
    mirror = Path(shutil.copytree(trees["reflacx"].parents[2].parent, tmp_path / "mirror"))
    meta = mirror / "physionet.org/files/reflacx-xray-localization/1.0.0/main_data/metadata_phase_1.csv"
    meta.write_bytes(meta.read_bytes().replace(b",5,", b",7,", 1))
    with pytest.raises(DataError, match=r"metadata_phase_1\.csv, row 3: column 'Pleural effusion' is not a certainty"):
        READERS.create("reflacx", root=meta.parent.parent)
