"""The hidden-style cases of a real-format tree: `data check` names each one with its file (and row), lists
every bad image at once, fills the run's image cache, and the run refuses the same tree before model time."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

import fixtures.formats as F
from gazebench.data import images
from gazebench.data.check import check, validate_images
from gazebench.data.images import load_image
from gazebench.data.readers import READERS
from gazebench.engine.workload import load_task_data
from gazebench.errors import DataError


def copy(trees: dict[str, Path], name: str, tmp_path: Path) -> Path:
    """An editable copy of a fixture tree, keeping its folder name (mirror trees keep their PhysioNet path)."""
    return Path(shutil.copytree(trees[name], tmp_path / trees[name].name))


def append_line(path: Path, line: str) -> int:
    """Append a CSV line; returns its row number (header = row 1)."""
    text = path.read_text()
    path.write_text(text + ("" if text.endswith("\n") else "\n") + line + "\n")
    return len(path.read_text().splitlines())


def test_corrupt_and_empty_jpgs_are_all_listed_with_their_files(trees: dict[str, Path], tmp_path: Path) -> None:
    root = copy(trees, "chexpert", tmp_path)
    corrupt = root / "valid/patient64541/study1/view1_frontal.jpg"
    corrupt.write_text("not a jpeg at all")
    empty = root / "valid/patient64542/study1/view1_frontal.jpg"
    empty.write_bytes(b"")
    report = check("chexpert", root)
    assert not report.usable
    assert any(p.startswith(f"{corrupt}: not a readable") for p in report.problems)
    assert any(p.startswith(f"{empty}: empty image file") for p in report.problems)
    missing = [s for s in report.skipped if "image file missing" in s]  # the fixture's frontal without a JPG
    assert missing == [f"{root}: image file missing: 1 (valid/patient64543/study1/view1_frontal.jpg)"]


def test_duplicate_rows_name_the_table_and_both_rows(trees: dict[str, Path], tmp_path: Path) -> None:
    root = copy(trees, "chexpert", tmp_path)
    table = root / "valid.csv"
    lines = table.read_text().splitlines()
    n = append_line(table, lines[1])
    m = append_line(table, lines[3])
    report = check("chexpert", root)
    assert report.problems == (f"{table}: 2 duplicate Path rows: row {n} repeats row 2 "
                               f"(valid/patient64541/study1/view1_frontal.jpg); row {m} repeats row 4 "
                               "(valid/patient64542/study1/view1_frontal.jpg)",)


def test_path_traversal_is_refused_naming_the_row(trees: dict[str, Path], tmp_path: Path) -> None:
    root = copy(trees, "chexpert", tmp_path)
    line = open(root / "valid.csv").read().splitlines()[1].replace(
        "CheXpert-v1.0-small/valid/patient64541/study1/view1_frontal.jpg", "../../etc/passwd")
    n = append_line(root / "valid.csv", line)
    (problem,) = check("chexpert", root).problems
    assert problem == f"{root / 'valid.csv'}, row {n}: path '../../etc/passwd' is outside the dataset root {root}"


@pytest.mark.filterwarnings("ignore::UserWarning")  # pydicom warns while reading a cut file
def test_truncated_dicom_is_named(trees: dict[str, Path], tmp_path: Path) -> None:
    root = copy(trees, "rsna", tmp_path)
    dcm = root / "stage_2_train_images" / f"{F.RSNA_IDS[1]}.dcm"
    dcm.write_bytes(dcm.read_bytes()[:-40])
    report = check("rsna", root)
    assert [p.split(": ")[0] for p in report.problems] == [str(dcm)]


@pytest.mark.parametrize("rle, why", [("5 3 7", "odd number of values"),
                                      ("1 99999999999999999999", "runs past the end"),
                                      ("9223372036854775000 5 9223372036854775000 5", "runs past the end")])
def test_odd_and_overflowing_rle_name_file_and_row(trees: dict[str, Path], tmp_path: Path, rle: str, why: str) -> None:
    root = copy(trees, "siim-acr", tmp_path)
    n = append_line(root / "train-rle.csv", f"{F.SIIM_IDS[1]}, {rle}")
    report = check("siim-acr", root)
    if why == "runs past the end":  # a mask off the image: a damaged row, passed over
        (line,) = report.damaged
        assert line == (f"{root / 'train-rle.csv'}: mask outside the image (RLE runs past the end of a 1024x1024 "
                        f"image): 1 ({root / 'train-rle.csv'} row {n})") and report.usable
        return
    (problem,) = report.problems
    assert problem.startswith(f"{root / 'train-rle.csv'}, row {n}: bad EncodedPixels") and why in problem


def test_bad_split_value_names_file_and_row(trees: dict[str, Path], tmp_path: Path) -> None:
    root = copy(trees, "mimic-eye", tmp_path)
    table = root / f"patient_{F.S2}" / "CXR-JPG" / "cxr_split.csv"
    table.write_text(table.read_text().replace(",train", ",training", 1))
    (problem,) = check("mimic-eye", root).problems
    assert problem == f"{table}, row 2: split must be one of train, validate, test, not 'training'"


def test_nan_fixations_and_missing_fixations_are_counted_skips(trees: dict[str, Path], tmp_path: Path) -> None:
    root = copy(trees, "mimic-eye", tmp_path)
    fixations = root / f"patient_{F.S1}" / "REFLACX" / "main_data" / F.R_A / "fixations.csv"
    lines = fixations.read_bytes().split(b"\r\n")
    lines[1] = b"nan," + lines[1].split(b",", 1)[1]
    lines[2] = lines[2].split(b",", 1)[0] + b",1e15," + lines[2].split(b",", 2)[2]
    fixations.write_bytes(b"\r\n".join(lines))
    (root / f"patient_{F.S3}" / "REFLACX" / "main_data" / F.R_D / "fixations.csv").unlink()
    report = check("mimic-eye", root)
    skipped, damaged = "\n".join(report.skipped), "\n".join(report.damaged)
    assert (f"{root}/patient_*/REFLACX/main_data/*/fixations.csv: blank or NaN timestamp_start_fixation: "
            f"1 ({fixations} row 2)") in damaged
    assert (f"fixation time more than 3600 s from the reading's clock origin: 1 ({fixations} row 3)" in damaged)
    assert report.damaged_rows == 2 and not report.clean
    assert (f"{root}/patient_*/REFLACX/main_data: REFLACX case without fixations.csv: 1 (patient_{F.S3}: {F.R_D})"
            in skipped)
    # D_D lost its only reading: no longer a sample, and that is said too
    assert "image without a usable REFLACX or EyeGaze reading" in skipped
    assert report.splits == {"train": 2}
    assert report.problems == (f"{root}: the test split is empty (splits: {{'train': 2}})",)  # refused


def test_check_fills_the_cache_the_run_reads(trees: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    report = check("chexpert", trees["chexpert"], size=24)
    assert report.usable and report.splits == {"test": 2}
    calls: list[Path] = []
    real = images._decode
    monkeypatch.setattr(images, "_decode", lambda p, at_least=None: calls.append(p) or real(p, at_least))
    for sample in READERS.create("chexpert", root=trees["chexpert"]).samples:
        assert load_image(sample.image_path, 24).shape == (24, 24)
    assert calls == []


def test_validate_images_reports_every_bad_file_in_one_error(trees: dict[str, Path], tmp_path: Path) -> None:
    root = copy(trees, "rsna", tmp_path)
    samples = READERS.create("rsna", root=root).samples
    for s in samples:
        s.image_path.write_bytes(b"")
    with pytest.raises(DataError) as info:
        validate_images(samples, root)
    message = str(info.value)
    assert message.startswith(f"{root}: 3 of 3 images cannot be used (") and "\n" not in message
    assert message.count("empty image file (0 bytes)") == 3 and "`gazebench data check` lists them all" in message


def test_run_refuses_a_bad_image_before_any_model_time(small_root: Path, tmp_path: Path) -> None:
    root = tmp_path / "data"
    root.mkdir()
    for name in ("mimic-eye", "CheXpert-v1.0-small"):
        (root / name).symlink_to(small_root / name)
    (root / "SIMULATED.json").symlink_to(small_root / "SIMULATED.json")
    assert set(load_task_data(["chexpert"], root, None)) == {"chexpert"}
    chexpert = Path(shutil.copytree(small_root / "CheXpert-v1.0-small", tmp_path / "copy"))
    (root / "CheXpert-v1.0-small").unlink()
    (root / "CheXpert-v1.0-small").symlink_to(chexpert)
    bad = sorted(chexpert.rglob("*.jpg"))[-1]
    bad.write_bytes(bad.read_bytes()[:100])
    with pytest.raises(DataError, match=rf"1 of \d+ images cannot be used \({bad}: cannot decode image"):
        load_task_data(["chexpert"], root, None)
    np.testing.assert_equal(len(load_task_data(["chexpert"], root, 1)["chexpert"].eval_samples), 1)
