"""Every kind of impossible fixation (blank cell, NaN, inf, negative time on a clock from zero, time reversed,
far off the frame) is a damaged row named with its file and row, in every gaze format (REFLACX standalone and
in MIMIC-EYE, EyeGaze standalone and in MIMIC-EYE), by `data check` (exit 1) and in a run's recorded skips;
fixations merely off the image are kept and counted."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import fixtures.formats as F
from gazebench.cli.main import cli
from gazebench.data.check import check
from gazebench.engine.workload import load_task_data

T0, T1, X, Y = 0, 1, 2, 3  # REFLACX fixations.csv columns
EG_T, EG_D, EG_X, EG_Y = (F.EGD_FIXATION_HEADER.index(c) for c in ("Time (in secs)", "FPOGD", "X_ORIGINAL",
                                                                    "Y_ORIGINAL"))


def edit_row(path: Path, row: int, changes: dict[int, str]) -> None:
    """Set cells of CSV line `row` (header = row 1), keeping the file's line endings."""
    raw = path.read_bytes()
    end = b"\r\n" if b"\r\n" in raw else b"\n"
    lines = raw.split(end)
    cells = lines[row - 1].decode().split(",")
    for column, value in changes.items():
        cells[column] = value
    lines[row - 1] = ",".join(cells).encode()
    path.write_bytes(end.join(lines))


REFLACX_CASES = [  # (cells of R_A's row 2, damage reason)
    ({X: ""}, "blank or NaN x_position"),
    ({Y: "nan"}, "blank or NaN y_position"),
    ({T1: "inf"}, "infinite timestamp_end_fixation"),
    ({T0: "-99999"}, "fixation time more than 3600 s from the reading's clock origin"),
    ({T0: "1.9", T1: "1.5"}, "fixation ends before it starts (time reversed)"),
    ({X: "1000000"}, "fixation far outside the image frame"),
]


@pytest.mark.parametrize("changes, reason", REFLACX_CASES)
def test_reflacx_in_mimic_eye(changes: dict[int, str], reason: str, trees: dict[str, Path], tmp_path: Path) -> None:
    root = Path(shutil.copytree(trees["mimic-eye"], tmp_path / "mimic-eye"))
    fixations = root / f"patient_{F.S1}" / "REFLACX" / "main_data" / F.R_A / "fixations.csv"
    edit_row(fixations, 2, changes)
    result = CliRunner().invoke(cli, ["data", "check", "mimic-eye", str(root), "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    where = f"{root}/patient_*/REFLACX/main_data/*/fixations.csv"
    assert report["usable"] and not report["clean"] and report["damaged_rows"] == 1
    assert report["damaged"] == [f"{where}: {reason}: 1 ({fixations} row 2)"]
    assert report["skip_counts"][f"{where}: {reason}"] == {"count": 1, "examples": [f"{fixations} row 2"],
                                                          "kind": "damaged"}
    assert report["fixations"] == 6  # one of the 7 fixations passed over


def test_reflacx_empty_cell_is_recorded_by_the_run(trees: dict[str, Path], tmp_path: Path) -> None:
    root = Path(shutil.copytree(trees["mimic-eye"], tmp_path / "mimic-eye"))
    fixations = root / f"patient_{F.S1}" / "REFLACX" / "main_data" / F.R_A / "fixations.csv"
    edit_row(fixations, 2, {X: ""})
    skips = load_task_data(["mimic-eye"], tmp_path, None)["mimic-eye"].skips
    assert skips[f"{root}/patient_*/REFLACX/main_data/*/fixations.csv: blank or NaN x_position"] == {
        "count": 1, "examples": [f"{fixations} row 2"], "kind": "damaged"}


def test_reflacx_fixtures_negative_and_off_image_fixations_are_real(trees: dict[str, Path]) -> None:
    report = check("mimic-eye", trees["mimic-eye"])
    fixations = trees["mimic-eye"] / f"patient_{F.S1}" / "REFLACX" / "main_data" / F.R_A / "fixations.csv"
    assert report.clean and report.damaged == ()  # -0.5 s (before the dictation) is a real REFLACX time
    assert (f"{trees['mimic-eye']}/patient_*/REFLACX/main_data/*/fixations.csv: fixation off the image (kept; the "
            f"gaze metrics pass it over): 1 ({fixations} row 4)") in report.kept


def test_standalone_reflacx(trees: dict[str, Path], tmp_path: Path) -> None:
    mirror = Path(shutil.copytree(trees["reflacx"].parents[3], tmp_path / "mirror"))
    root = mirror / "physionet.org/files/reflacx-xray-localization/1.0.0"
    fixations = root / "main_data" / F.R_P1_A / "fixations.csv"
    F.write_csv(fixations, F.REFLACX_FIXATION_HEADER,
                [(0.0, 0.3, 5, 6, 1.0, 10.0, 10.0, *[0] * 10), (0.5, 0.4, 5, 6, 1.0, 10.0, 10.0, *[0] * 10)],
                crlf=True)
    report = check("reflacx", root)
    assert (f"{root / 'main_data'}/*/fixations.csv: fixation ends before it starts (time reversed): 1 "
            f"({fixations} row 3)") in report.damaged


EYEGAZE_CASES = [  # (cells of fixations.csv row 2: D_E1 session 1, on a 250 x 300 image; damage reason)
    ({EG_X: ""}, "blank or NaN X_ORIGINAL"),
    ({EG_T: "nan"}, "blank or NaN Time (in secs)"),
    ({EG_D: "inf"}, "infinite Time (in secs) + FPOGD"),
    ({EG_T: "-0.5"}, "negative time on a clock that starts at 0 (Time (in secs))"),
    ({EG_D: "-0.2"}, "negative fixation duration FPOGD (time reversed)"),
    ({EG_T: "5000"}, "fixation time more than 3600 s from the reading's clock origin"),
    ({EG_Y: "100000"}, "fixation far outside the image frame"),
]


@pytest.mark.parametrize("changes, reason", EYEGAZE_CASES)
def test_standalone_eyegaze(changes: dict[int, str], reason: str, trees: dict[str, Path], tmp_path: Path) -> None:
    mirror = Path(shutil.copytree(trees["eyegaze"].parents[3], tmp_path / "mirror"))
    root = mirror / "physionet.org/files/egd-cxr/1.0.0"
    edit_row(root / "fixations.csv", 2, changes)
    report = check("eyegaze", root)
    assert report.damaged == (f"{root / 'fixations.csv'}: {reason}: 1 ({root / 'fixations.csv'} row 2)",)
    assert CliRunner().invoke(cli, ["data", "check", "eyegaze", str(root)]).exit_code == 1


def test_eyegaze_past_the_far_border_is_kept_and_counted(trees: dict[str, Path], tmp_path: Path) -> None:
    mirror = Path(shutil.copytree(trees["eyegaze"].parents[3], tmp_path / "mirror"))
    root = mirror / "physionet.org/files/egd-cxr/1.0.0"
    edit_row(root / "fixations.csv", 2, {EG_X: "260"})  # the image is 250 wide
    report = check("eyegaze", root)
    assert report.clean
    assert (f"{root / 'fixations.csv'}: fixation off the image (kept; the gaze metrics pass it over): 1 "
            f"({root / 'fixations.csv'} row 2)") in report.kept


def test_eyegaze_in_mimic_eye(trees: dict[str, Path], tmp_path: Path) -> None:
    root = Path(shutil.copytree(trees["mimic-eye"], tmp_path / "mimic-eye"))
    fixations = root / f"patient_{F.S2}" / "EyeGaze" / "fixations.csv"
    edit_row(fixations, 2, {1 + EG_T: "inf"})  # the per-patient copy has pandas' index column first
    report = check("mimic-eye", root)
    assert report.damaged == (f"{root}/patient_*/EyeGaze/fixations.csv: infinite Time (in secs): 1 "
                              f"({fixations} row 2)",)
