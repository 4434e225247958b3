"""Rows of one id whose labels contradict each other are reported by `data check` with the file and the rows,
in every reader that can have them; where a merge rule applies it is stated and every merge counted."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import fixtures.formats as F
from gazebench.cli.main import cli
from gazebench.data.check import check
from gazebench.data.readers import READERS
from gazebench.data.readers.rsna import MERGE_RULE as RSNA_RULE
from gazebench.data.readers.siim_acr import MERGE_RULE as SIIM_RULE
from gazebench.labels import LABEL_INDEX


def copy(trees: dict[str, Path], name: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(trees[name], tmp_path / trees[name].name))


def append(path: Path, line: str) -> int:
    """Append a CSV line; its row number (header = row 1)."""
    text = path.read_text()
    path.write_text(text + ("" if text.endswith("\n") else "\n") + line + "\n")
    return len(path.read_text().splitlines())


def test_rsna_target_0_and_1_for_one_patient_is_damaged_merged_by_the_stated_rule(
        trees: dict[str, Path], tmp_path: Path) -> None:
    root = copy(trees, "rsna", tmp_path)
    table = root / "stage_2_train_labels.csv"
    a, b, *_ = F.RSNA_IDS
    row = append(table, f"{b},100.0,100.0,50.0,50.0,1")  # b had one Target=0 row (row 3)
    report = check("rsna", root)
    assert report.usable and not report.clean and report.damaged_rows == 1
    assert report.damaged == (f"{table}: patientId with both Target 0 and Target 1 rows (merged: {RSNA_RULE}): "
                              f"1 ({b} rows 3, {row})",)
    assert f"{table}: several rows of one patientId merged into one sample ({RSNA_RULE}): 1 ({a} rows 2, 4)" \
        in report.kept  # the release's own one-row-per-box merges are counted, not called damage
    merged = {s.sample_id: s for s in READERS.create("rsna", root=root).samples}[b]
    assert merged.labels[LABEL_INDEX["Pneumonia"]] == 1.0 and merged.boxes == ((100, 100, 150, 150),)
    result = CliRunner().invoke(cli, ["data", "check", "rsna", str(root), "--json"])
    assert result.exit_code == 1
    assert '"damaged_rows": 1' in result.output and '"kind": "damaged"' in result.output


def test_siim_minus_one_and_an_rle_for_one_image_is_damaged(trees: dict[str, Path], tmp_path: Path) -> None:
    root = copy(trees, "siim-acr", tmp_path)
    table = root / "train-rle.csv"
    a, b, _ = F.SIIM_IDS
    row = append(table, f"{b}, 100 4")  # b had ` -1` at row 3
    report = check("siim-acr", root)
    assert report.damaged == (f"{table}: ImageId with both -1 (no pneumothorax) and RLE rows (merged: {SIIM_RULE}): "
                              f"1 ({b} rows 3, {row})",)
    assert f"{table}: several rows of one ImageId merged into one sample ({SIIM_RULE}): 1 ({a} rows 2, 4)" \
        in report.kept
    assert CliRunner().invoke(cli, ["data", "check", "siim-acr", str(root)]).exit_code == 1


def test_chexpert_rows_of_one_image_are_refused_with_both_rows(trees: dict[str, Path], tmp_path: Path) -> None:
    root = copy(trees, "chexpert", tmp_path)
    table = root / "valid.csv"
    row = append(table, "CheXpert-v1.0-small/valid/patient64541/study1/view1_frontal.jpg,Male,63,Frontal,AP,"
                        + ",".join("0.0" if n == "Cardiomegaly" else "" for n in F.CHEXPERT_LABELS))
    report = check("chexpert", root)
    assert not report.usable
    assert report.problems == (f"{table}: 1 duplicate Path rows: row {row} repeats row 2 "
                               "(valid/patient64541/study1/view1_frontal.jpg)",)


@pytest.mark.parametrize("table, key, first", [
    ("cxr_chexpert.csv", "study 50000001 of subject 10000001", 2),
    ("cxr_split.csv", f"dicom_id {F.D_A}", 2),
    ("cxr_meta.csv", f"dicom_id {F.D_A}", 2),
])
def test_mimic_eye_tables_with_two_rows_for_one_id_name_both_rows(table: str, key: str, first: int,
                                                                  trees: dict[str, Path], tmp_path: Path) -> None:
    root = copy(trees, "mimic-eye", tmp_path)
    path = root / f"patient_{F.S1}" / "CXR-JPG" / table
    lines = path.read_text().splitlines()
    row = append(path, lines[1])  # the same id again (conflicting or not, one id has one row)
    report = check("mimic-eye", root)
    assert not report.usable
    assert report.problems[0].startswith(f"{path}, row {row}: duplicate {key} (also row {first})")


def test_eyegaze_master_sheet_rows_of_one_image_name_both_rows(trees: dict[str, Path], tmp_path: Path) -> None:
    mirror = Path(shutil.copytree(trees["eyegaze"].parents[3], tmp_path / "mirror"))
    master = mirror / "physionet.org/files/egd-cxr/1.0.0/master_sheet.csv"
    row = append(master, master.read_text().splitlines()[1].replace(",M,", ",F,"))
    report = check("eyegaze", master.parent)
    assert report.problems == (f"{master}, row {row}: duplicate dicom_id {F.D_E1} (also row 2)",)


def test_reflacx_readings_of_one_image_that_disagree_name_every_row(trees: dict[str, Path], tmp_path: Path) -> None:
    mirror = Path(shutil.copytree(trees["reflacx"].parents[3], tmp_path / "mirror"))
    phase1 = mirror / "physionet.org/files/reflacx-xray-localization/1.0.0/main_data/metadata_phase_1.csv"
    lines = phase1.read_bytes().split(b"\r\n")
    lines[2] = lines[2].replace(b",train,", b",test,")
    phase1.write_bytes(b"\r\n".join(lines))
    report = check("reflacx", phase1.parents[1])
    assert report.problems == (f"{phase1}, row 2: readings of {F.D_R1} disagree on split: row 2 'train', "
                               "row 3 'test'",)


def test_vqa_question_asked_twice_with_different_answers_is_damaged(trees: dict[str, Path], tmp_path: Path) -> None:
    for name in ("mimic-eye", "medical-cxr-vqa"):
        shutil.copytree(trees[name], tmp_path / name)
    table = tmp_path / "medical-cxr-vqa" / "medical-cxr-vqa-questions.csv"
    row = append(table, f"50000001,{F.S1},presence,is there evidence of cardiomegaly in this image?,No")
    splits = tmp_path / "medical-cxr-vqa" / "splits_mimic_llm_VQA.json"
    splits.write_text(splits.read_text().replace('"test": [0,', f'"test": [{row - 2}, 0,'))
    report = check("medical-cxr-vqa", tmp_path / "medical-cxr-vqa")
    assert report.damaged == (f"{table}: one question of a study with different answers (all passed over): 1 "
                              f"({table} rows 2, {row})",)
    sample = next(s for s in READERS.create("medical-cxr-vqa", root=tmp_path / "medical-cxr-vqa").samples
                  if s.study_id == "50000001")
    assert [q.kind for q in sample.questions] == ["view", "location"]
