"""MIMIC-EYE reader: joins per patient folder, REFLACX + EyeGaze gaze, every documented pitfall."""
from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from fixtures import formats as F
from gazebench.data.readers import READERS
from gazebench.errors import DataError
from gazebench.labels import CHEXPERT_LABELS
from gazebench.records import Dataset


@pytest.fixture(scope="module")
def dataset(trees: dict[str, Path]) -> Dataset:
    return READERS.create("mimic-eye", root=trees["mimic-eye"])


def _by_id(dataset: Dataset) -> dict:
    return {s.sample_id: s for s in dataset.samples}


def _codes(labels: tuple[float, ...]) -> dict[str, float]:
    return {CHEXPERT_LABELS[i]: v for i, v in enumerate(labels) if not math.isnan(v)}


def test_samples_are_the_eye_tracked_images_with_their_study_labels(dataset: Dataset) -> None:
    samples = _by_id(dataset)
    assert set(samples) == F.MIMIC_EYE_SAMPLES
    a, c, d = samples[F.D_A], samples[F.D_C], samples[F.D_D]
    assert (a.patient_id, a.study_id, a.split, a.view) == (F.S1, "50000001", "train", "PA")
    assert _codes(a.labels) == F.MIMIC_EYE_LABELS["50000001"]  # 1 / -1 / 0 kept raw, blank NaN
    assert _codes(c.labels) == F.MIMIC_EYE_LABELS["50000003"]
    assert d.view == "AP" and a.image_path.name == f"{F.D_A}.jpg"
    assert dataset.version == "1.0.0" and dataset.name == "mimic-eye"


def test_reflacx_reading_is_in_dicom_pixels_sorted_with_words_and_box(dataset: Dataset) -> None:
    a = _by_id(dataset)[F.D_A]
    reflacx = [g for g in a.gaze if g.source == "reflacx"]
    assert [g.reading_id for g in reflacx] == [F.R_A]
    g = reflacx[0]
    assert g.image_size == (2544, 3056)  # metadata frame, though the JPG is 64x64
    assert g.fixations.t_start.tolist() == [-0.5, 0.3, 1.5]  # sorted; negative before dictation kept
    assert g.fixations.x.tolist() == [1000, 2700, 300]  # off-image x kept for the gaze code
    assert g.fixations.pixels_per_degree == pytest.approx(np.mean([40, 42, 44, 46, 40, 40]))
    assert [(w.text, w.t_start) for w in g.words] == [("enlarged", 0.5), ("heart", 1.0), (".", 1.3)]
    assert g.chest_box == (100, 150, 2400, 2900)


def test_eyegaze_readings_drop_off_image_rows_and_use_the_dicom_frame(dataset: Dataset) -> None:
    c = _by_id(dataset)[F.D_C]
    (g,) = c.gaze
    assert g.source == "eyegaze" and g.reading_id == f"1/{F.D_C}"
    assert g.image_size == (96, 128)  # cxr_meta Columns x Rows, not the 64x64 JPG
    assert g.fixations.x.tolist() == [10, 50] and g.fixations.y.tolist() == [20, 60]
    assert g.fixations.t_end.tolist() == pytest.approx([0.4, 1.3])  # Time + FPOGD
    assert g.fixations.pixels_per_degree == pytest.approx(40.0 * 96 / (1920 - 2 * 534))
    assert [(w.text, w.t_start, w.t_end) for w in g.words] == [("atelectasis", 0.4, 1.1), ("no effusion", 1.5, 2.0)]
    a = _by_id(dataset)[F.D_A]
    assert sorted(g.source for g in a.gaze) == ["eyegaze", "reflacx"]


def test_everything_passed_over_is_counted_once_per_reason(dataset: Dataset, trees: dict[str, Path]) -> None:
    root = trees["mimic-eye"]
    skipped = dict(line.split(": ", 1) for line in dataset.skipped)
    assert skipped[f"{root}/patient_*/CXR-JPG/cxr_meta.csv"].startswith("image without a metadata row")
    assert f"patient_{F.S1}: s50000001/{F.D_A_LAT}.jpg" in "\n".join(dataset.skipped)
    lines = "\n".join(line.replace(str(root), "ROOT") for line in dataset.skipped)
    assert (f"ROOT/patient_*/REFLACX/metadata.csv: REFLACX reading discarded (eye_tracking_data_discarded): "
            f"1 (patient_{F.S2}: P300R000002)") in lines
    assert (f"ROOT/patient_*/EyeGaze/fixations.csv: fixation off the image (negative X_ORIGINAL/Y_ORIGINAL): "
            f"2 (patient_{F.S2}: row 3, patient_{F.S2}: row 5)") in lines
    assert (f"ROOT/patient_*: image without a usable REFLACX or EyeGaze reading: "
            f"1 (patient_{F.S2}: s50000002/{F.D_B}.jpg)") in lines
    assert f"ROOT/patient_*/CXR-JPG: eye-tracked image whose JPG is missing: 1 (patient_{F.S3}: {F.D_NO_JPG})" in lines
    assert "index.html" not in lines and "19999999" not in lines  # strays and spreadsheets ignored


def _copy(trees: dict[str, Path], tmp_path: Path) -> Path:
    return Path(shutil.copytree(trees["mimic-eye"], tmp_path / "mimic-eye"))


def test_missing_table_is_an_error_naming_it(trees: dict[str, Path], tmp_path: Path) -> None:
    root = _copy(trees, tmp_path)
    (root / f"patient_{F.S2}" / "CXR-JPG" / "cxr_split.csv").unlink()
    with pytest.raises(DataError, match=rf"patient_{F.S2}/CXR-JPG/cxr_split\.csv: file not found"):
        READERS.create("mimic-eye", root=root)


def test_malformed_fixation_row_names_file_and_row(trees: dict[str, Path], tmp_path: Path) -> None:
    root = _copy(trees, tmp_path)
    fixations = root / f"patient_{F.S1}" / "REFLACX" / "main_data" / F.R_A / "fixations.csv"
    lines = fixations.read_bytes().split(b"\r\n")
    lines[2] = b"abc" + lines[2][lines[2].index(b","):]
    fixations.write_bytes(b"\r\n".join(lines))
    with pytest.raises(DataError, match=rf"{F.R_A}/fixations\.csv, row 3: column 'timestamp_start_fixation'"):
        READERS.create("mimic-eye", root=root)


def test_missing_column_in_eyegaze_fixations_names_the_file(trees: dict[str, Path], tmp_path: Path) -> None:
    root = _copy(trees, tmp_path)
    path = root / f"patient_{F.S2}" / "EyeGaze" / "fixations.csv"
    path.write_text(path.read_text().replace("X_ORIGINAL", "X"))
    with pytest.raises(DataError, match=r"EyeGaze/fixations\.csv: missing column\(s\) 'X_ORIGINAL'"):
        READERS.create("mimic-eye", root=root)


def test_not_a_mimic_eye_folder(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no patient_\\* folders"):
        READERS.create("mimic-eye", root=tmp_path)
