"""Reference boxes, ellipses and masks off the image are damaged rows named with file and row (dropped), ones
across the border are counted; `data check` fails on the first kind, and a run records both in its skips."""
from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

import fixtures.formats as F
from gazebench.cli.main import cli
from gazebench.data.check import check
from gazebench.data.plausible import off_frame
from gazebench.data.readers import READERS
from gazebench.engine.workload import load_task_data


def append(path: Path, line: str) -> int:
    """Append a CSV line (CRLF files stay CRLF); its row number (header = row 1)."""
    raw = path.read_bytes()
    end = b"\r\n" if b"\r\n" in raw else b"\n"
    path.write_bytes(raw + line.encode() + end)
    return len(path.read_bytes().splitlines())


def test_off_frame() -> None:
    size = (160, 160)
    assert off_frame((10, 10, 50, 50), size) == "inside"
    assert off_frame((150, 10, 170, 50), size) == "across" and off_frame((-5, 0, 10, 10), size) == "across"
    assert off_frame((4000, 4000, 5000, 5000), size) == "outside" and off_frame((-50, 0, 0, 10), size) == "outside"


def test_reflacx_ellipse_outside_the_image_is_damaged_and_recorded_by_the_run(trees: dict[str, Path],
                                                                              tmp_path: Path) -> None:
    root = Path(shutil.copytree(trees["mimic-eye"], tmp_path / "mimic-eye"))
    ellipses = root / f"patient_{F.S1}" / "REFLACX" / "main_data" / F.R_A / "anomaly_location_ellipses.csv"
    outside = append(ellipses, "4000,4000,5000,5000,5,True,False,False")
    across = append(ellipses, "2500,100,2600,200,4,True,False,False")  # the image is 2544 wide
    report = check("mimic-eye", root)
    where = f"{root}/patient_*/REFLACX/main_data/*/anomaly_location_ellipses.csv"
    assert report.damaged == (f"{where}: ellipse entirely outside the image: 1 ({ellipses} row {outside})",)
    assert f"{where}: ellipse reaching past the image border (kept as drawn): 1 ({ellipses} row {across})" \
        in report.kept
    sample = next(s for s in READERS.create("mimic-eye", root=root).samples if s.sample_id == F.D_A)
    assert (4000, 4000, 5000, 5000) not in [f.box for f in sample.findings]
    assert (2500, 100, 2600, 200) in [f.box for f in sample.findings]
    result = CliRunner().invoke(cli, ["data", "check", "mimic-eye", str(root)])
    assert result.exit_code == 1 and "damaged" in result.output and "entirely outside the image" in result.output
    skips = load_task_data(["mimic-eye"], tmp_path, None)["mimic-eye"].skips  # what results.json records
    assert skips[f"{where}: ellipse entirely outside the image"] == {
        "count": 1, "examples": [f"{ellipses} row {outside}"], "kind": "damaged"}


def test_standalone_reflacx_ellipse_outside_the_image(trees: dict[str, Path], tmp_path: Path) -> None:
    mirror = Path(shutil.copytree(trees["reflacx"].parents[3], tmp_path / "mirror"))
    root = mirror / "physionet.org/files/reflacx-xray-localization/1.0.0"
    ellipses = root / "main_data" / F.R_P1_A / "anomaly_location_ellipses.csv"
    row = append(ellipses, "40,10,60,20,4,True,False,False")  # the image is 32 x 48
    skip = next(s for s in READERS.create("reflacx", root=root).skips if "entirely outside" in s.reason)
    assert skip.kind == "damaged" and skip.examples == (f"{ellipses} row {row}",)


def test_ms_cxr_box_entirely_outside_is_damaged(trees: dict[str, Path], tmp_path: Path) -> None:
    for name in ("mimic-eye", "ms-cxr"):
        shutil.copytree(trees[name], tmp_path / name)
    table = tmp_path / "ms-cxr" / "MS_CXR_Local_Alignment_v1.1.0.csv"
    row = append(table, ",".join(map(str, (F.D_A, "Edema", "edema", f"files/p10/p{F.S1}/s50000001/{F.D_A}.jpg",
                                          4000, 4000, 1000, 1000, 2544, 3056, "test"))))
    report = check("ms-cxr", tmp_path / "ms-cxr")
    assert report.damaged == (f"{table}: box entirely outside the image: 1 ({table} row {row})",)
    assert any("box outside the image: 1 (row 7)" in line for line in report.skipped)  # across: passed over


def test_rsna_box_off_the_1024_frame_is_damaged_and_dropped(trees: dict[str, Path], tmp_path: Path) -> None:
    root = Path(shutil.copytree(trees["rsna"], tmp_path / "rsna"))
    table = root / "stage_2_train_labels.csv"
    a = F.RSNA_IDS[0]
    outside = append(table, f"{a},2000.0,100.0,50.0,50.0,1")
    across = append(table, f"{a},1000.0,100.0,50.0,50.0,1")
    report = check("rsna", root)
    assert report.damaged == (f"{table}: box entirely outside the image: 1 ({table} row {outside})",)
    assert f"{table}: box reaching past the image border (kept as drawn): 1 ({table} row {across})" in report.kept
    sample = next(s for s in READERS.create("rsna", root=root).samples if s.sample_id == a)
    assert sample.boxes == ((264, 152, 477, 531), (562, 152, 818, 605), (1000, 100, 1050, 150))
