"""REFLACX ellipses become Findings (every reader, discarded ones included) and MIMIC-CXR reports are split
into sections the way the MIMIC-CXR section parser does; the FINDINGS section is the reference."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fixtures import formats as F
from gazebench.data.readers import READERS
from gazebench.data.readers.mimic_report import reference_report, section_name, sections
from gazebench.data.readers.reflacx import POSITIVE_CERTAINTY
from gazebench.errors import DataError
from gazebench.records import Finding


def test_mimic_eye_findings_are_every_true_label_of_every_ellipse(trees: dict[str, Path]) -> None:
    samples = {s.sample_id: s for s in READERS.create("mimic-eye", root=trees["mimic-eye"]).samples}
    assert samples[F.D_A].findings == (
        Finding("Enlarged cardiac silhouette", (100.0, 200.0, 900.0, 1000.0), 5, F.R_A),
        Finding("Atelectasis", (10.0, 20.0, 110.0, 220.0), 2, F.R_A),
        Finding("Enlarged cardiac silhouette", (10.0, 20.0, 110.0, 220.0), 2, F.R_A),
    )
    assert [f.certainty >= POSITIVE_CERTAINTY for f in samples[F.D_A].findings] == [True, False, False]
    assert samples[F.D_C].findings == ()  # EyeGaze only


def test_standalone_reflacx_keeps_each_readers_findings(trees: dict[str, Path]) -> None:
    dataset = READERS.create("reflacx", root=trees["reflacx"])
    (r1,) = [s for s in dataset.samples if s.sample_id == F.D_R1]
    assert sorted(f.reader for f in r1.findings) == sorted([F.R_P1_A, F.R_P1_B])
    assert any("without anomaly_location_ellipses.csv: 1 (P300R612345)" in line for line in dataset.skipped)


def test_skipped_ellipses_and_reports_are_counted(trees: dict[str, Path]) -> None:
    lines = "\n".join(READERS.create("mimic-eye", root=trees["mimic-eye"]).skipped)
    assert f"ellipse with zero width or height (needs xmax > xmin, ymax > ymin): 1 (patient_{F.S1}: {F.R_A} row 3)" \
        in lines
    assert f"no report s<study_id>.txt (image kept without a reference report): 1 (patient_{F.S2}: s50000003/" in lines
    assert f"report without a FINDINGS section (image kept without a reference report): 1 (patient_{F.S3}:" in lines


@pytest.mark.parametrize(("cell", "column", "message"), [
    ("7", "certainty", "certainty must be 1-5, not '7'"),
    ("", "xmin", "blank or non-finite ellipse coordinate"),
    ("maybe", "Atelectasis", "column 'Atelectasis' is not a boolean: 'maybe'"),
])
def test_bad_ellipse_rows_name_file_and_row(trees: dict[str, Path], tmp_path: Path, cell: str, column: str,
                                            message: str) -> None:
    root = Path(shutil.copytree(trees["mimic-eye"], tmp_path / "mimic-eye"))
    path = root / f"patient_{F.S1}" / "REFLACX" / "main_data" / F.R_A / "anomaly_location_ellipses.csv"
    rows = [list(r) for r in F.ELLIPSES_A]
    rows[0][F.ELLIPSE_HEADER.index(column)] = cell
    F.write_csv(path, F.ELLIPSE_HEADER, rows, crlf=True)
    with pytest.raises(DataError) as err:
        READERS.create("mimic-eye", root=root)
    assert str(err.value).startswith(str(path)) and "row 2" in str(err.value) and message in str(err.value)
    assert "\n" not in str(err.value)


def test_reference_report_is_the_findings_section_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "s1.txt"
    path.write_text(F.REPORT_A)
    assert reference_report(path) == F.REPORT_A_FINDINGS
    names = [n for n, _ in sections(F.REPORT_A)]
    assert names == ["preamble", "examination", "indication", "comparison", "findings", "impression"]
    path.write_text(F.REPORT_D)
    assert reference_report(path) is None
    path.write_bytes(b"\xff\xfe FINDINGS")
    with pytest.raises(DataError, match="cannot read the report as UTF-8"):
        reference_report(path)


def test_section_grammar_follows_the_mimic_cxr_parser() -> None:
    no_header = "heart normal.\n lungs clear."
    assert sections(no_header) == [("full report", no_header)]
    text = "x\n FINDINGS:  \n \n IMPRESSION:  ok.\n FINDINGS: lungs clear.\n"
    assert [n for n, _ in sections(text)] == ["preamble", "impression", "findings"]  # empty findings dropped
    # the search for the next header restarts after the header's own line, so "NOTE:" on it is text
    assert sections("x\n FINDINGS: a\n NOTE: b")[-1] == ("note", "b")
    assert sections("x\n FINDINGS: lungs \n B: c")[1] == ("findings", "lungs ")
    for header, name in [("FINDINGS AND IMPRESSION", "impression"), ("CONCLUSION", "impression"),
                         ("CHEST (PA AND LAT)", "findings"), ("PORTABLE AP CHEST", "findings"),
                         ("IMPRESSON", "impression"), ("FINAL IMPRESSION", "impression"),
                         ("REASON FOR EXAM", "indication"), ("WET READ", "wet read"), ("ADDENDUM 2", "addendum")]:
        assert section_name(header) == name, header
