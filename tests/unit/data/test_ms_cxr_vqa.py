"""MS-CXR phrase boxes (COCO xywh → corners, original pixels) and Medical-CXR-VQA questions (study-level, on the
study's frontal image), both attached to MIMIC-CXR images found by id under the data root."""
from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from fixtures import formats as F
from gazebench.data.check import check
from gazebench.data.readers import READERS
from gazebench.errors import DataError
from gazebench.labels import CHEXPERT_LABELS
from gazebench.records import Phrase, Question


def _copy(trees: dict[str, Path], tmp_path: Path, name: str) -> Path:
    shutil.copytree(trees["mimic-eye"], tmp_path / "mimic-eye")
    return Path(shutil.copytree(trees[name], tmp_path / name))


def test_ms_cxr_boxes_become_corners_on_the_mimic_eye_images(trees: dict[str, Path]) -> None:
    dataset = READERS.create("ms-cxr", root=trees["ms-cxr"])
    samples = {s.sample_id: s for s in dataset.samples}
    assert dataset.version == "1.1.0" and set(samples) == {F.D_A, F.D_C, F.D_D}
    a = samples[F.D_A]
    assert a.phrases == (Phrase("enlarged heart", "Cardiomegaly", (600.0, 1400.0, 1800.0, 2300.0)),
                         Phrase("small left effusion", "Pleural Effusion", (1500.0, 2400.0, 2200.0, 2900.0)))
    assert (a.patient_id, a.study_id, a.split, a.view) == (F.S1, "50000001", "test", "PA")
    assert a.image_path.name == f"{F.D_A}.jpg" and a.image_path.is_file()
    positives = {CHEXPERT_LABELS[i] for i, v in enumerate(a.labels) if v == 1.0}
    assert positives == {"Cardiomegaly", "Pleural Effusion"} and math.isnan(a.labels[0])
    assert samples[F.D_C].split == "validate"
    lines = "\n".join(dataset.skipped)
    for reason in ("box with zero width or height: 1 (row 4)", "box outside the image: 1 (row 7)",
                   "image not found under mimic-eye/ or mimic-cxr-jpg/: 1 (row 8)"):
        assert reason in lines


def test_ms_cxr_without_split_column_is_all_test_and_bad_rows_name_the_row(trees: dict[str, Path],
                                                                          tmp_path: Path) -> None:
    root = _copy(trees, tmp_path, "ms-cxr")
    (root / "MS_CXR_Local_Alignment_v1.1.0.csv").unlink()
    dataset = READERS.create("ms-cxr", root=root)
    assert dataset.version == "1.0.0" and [s.split for s in dataset.samples] == ["test"]
    rows = [list(r) for r in F.MS_CXR_ROWS]
    rows[1][1] = "Fracture"
    F.write_csv(root / "MS_CXR_Local_Alignment_v1.1.0.csv", F.MS_CXR_HEADER, rows)
    with pytest.raises(DataError, match=r"v1\.1\.0\.csv, row 3: category_name 'Fracture' is not one of"):
        READERS.create("ms-cxr", root=root)
    rows[1][1], rows[1][4] = "Cardiomegaly", "wide"
    F.write_csv(root / "MS_CXR_Local_Alignment_v1.1.0.csv", F.MS_CXR_HEADER, rows)
    with pytest.raises(DataError, match=r"row 3: column 'x' is not a number: 'wide'"):
        READERS.create("ms-cxr", root=root)
    (root / "MS_CXR_Local_Alignment_v1.0.0.csv").unlink()
    (root / "MS_CXR_Local_Alignment_v1.1.0.csv").unlink()
    with pytest.raises(DataError, match="no MS_CXR_Local_Alignment_v<version>.csv here"):
        READERS.create("ms-cxr", root=root)


def test_ms_cxr_image_size_must_match_the_mimic_metadata(trees: dict[str, Path], tmp_path: Path) -> None:
    root = _copy(trees, tmp_path, "ms-cxr")
    rows = [list(r) for r in F.MS_CXR_ROWS]
    rows[3][8:10] = [128, 96]  # D_C's width and height swapped
    F.write_csv(root / "MS_CXR_Local_Alignment_v1.1.0.csv", F.MS_CXR_HEADER, rows)
    dataset = READERS.create("ms-cxr", root=root)
    assert F.D_C not in {s.sample_id for s in dataset.samples}
    assert any("image_width/height differ from the MIMIC-CXR metadata Columns/Rows: 1 (row 5)" in line
               for line in dataset.skipped)


def test_vqa_questions_attach_to_the_studys_frontal_image(trees: dict[str, Path]) -> None:
    dataset = READERS.create("medical-cxr-vqa", root=trees["medical-cxr-vqa"])
    samples = {s.study_id: s for s in dataset.samples}
    assert set(samples) == {"50000001", "50000003", "50000004"}
    a = samples["50000001"]
    assert a.sample_id == F.D_A and a.patient_id == F.S1 and a.split == "test"
    assert a.questions[1] == Question("1", "view", "which view is this image taken?", "pa view")
    assert [q.kind for q in a.questions] == ["presence", "view", "location"] and a.questions[0].answer == "yes"
    assert samples["50000003"].split == "train"
    # study 50000004 lists D_NO_JPG (no JPG) and D_D: the existing frontal is used
    assert samples["50000004"].sample_id == F.D_D and [q.question_id for q in samples["50000004"].questions] == ["4"]
    lines = "\n".join(dataset.skipped)
    assert "splits_mimic_llm_VQA.json: question in no split: 1 (row 7)" in lines
    assert "study without a frontal image under mimic-eye/ or mimic-cxr-jpg/: 1 (s50000077" in lines


def test_vqa_without_split_file_and_bad_rows(trees: dict[str, Path], tmp_path: Path) -> None:
    root = _copy(trees, tmp_path, "medical-cxr-vqa")
    split_file = root / "splits_mimic_llm_VQA.json"
    split_file.write_text('{"train": [0, 99]}')
    with pytest.raises(DataError, match=r"splits_mimic_llm_VQA.json: 'train' lists 99, not a row index 0\.\.6"):
        READERS.create("medical-cxr-vqa", root=root)
    split_file.unlink()
    assert {s.split for s in READERS.create("medical-cxr-vqa", root=root).samples} == {"test"}
    rows = [list(r) for r in F.VQA_ROWS]
    rows[2][2] = "colour"
    F.write_csv(root / "medical-cxr-vqa-questions.csv", F.VQA_HEADER, rows)
    with pytest.raises(DataError, match=r"questions.csv, row 4: question_type must be one of abnormality, presence"):
        READERS.create("medical-cxr-vqa", root=root)


def test_reader_without_any_mimic_images_says_where_it_looked(trees: dict[str, Path], tmp_path: Path) -> None:
    root = Path(shutil.copytree(trees["medical-cxr-vqa"], tmp_path / "medical-cxr-vqa"))
    with pytest.raises(DataError, match="no MIMIC-CXR images to attach: expected mimic-eye/patient_"):
        READERS.create("medical-cxr-vqa", root=root)


@pytest.mark.parametrize("name", ["ms-cxr", "medical-cxr-vqa"])
def test_data_check_lists_the_new_files_problems(name: str, trees: dict[str, Path], tmp_path: Path) -> None:
    report = check(name, trees[name])
    assert report.usable and report.images == 3 and report.patients == 3 and report.skipped
    root = _copy(trees, tmp_path, name)
    (tmp_path / "mimic-eye" / f"patient_{F.S1}" / "CXR-JPG" / "s50000001" / f"{F.D_A}.jpg").write_bytes(b"")
    report = check(name, root)
    assert not report.usable and any(F.D_A in p and "empty" in p for p in report.problems)
