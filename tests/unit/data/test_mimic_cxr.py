"""MIMIC-CXR tables: alphabetical label columns reordered, codes kept raw, StudyTime recovered."""
from __future__ import annotations

import gzip
import math
from pathlib import Path

import pytest

from fixtures.formats import MIMIC_LABELS, write_csv
from gazebench.data.readers.mimic_cxr import read_metadata, read_split, read_study_labels, study_time
from gazebench.errors import DataError
from gazebench.labels import CHEXPERT_LABELS


def test_labels_are_reordered_to_chexpert_order_with_raw_codes(tmp_path: Path) -> None:
    codes = {"Atelectasis": "1.0", "Support Devices": "-1.0", "No Finding": "", "Pneumonia": "0.0"}
    path = write_csv(tmp_path / "mimic-cxr-2.0.0-chexpert.csv", ("subject_id", "study_id", *MIMIC_LABELS),
                     [("10000032", "50414267", *[codes.get(n, "") for n in MIMIC_LABELS])])
    gz = tmp_path / "mimic-cxr-2.0.0-chexpert.csv.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    for table in (path, gz):
        labels = read_study_labels(table)[("10000032", "50414267")]
        got = {CHEXPERT_LABELS[i]: v for i, v in enumerate(labels) if not math.isnan(v)}
        assert got == {"Atelectasis": 1.0, "Support Devices": -1.0, "Pneumonia": 0.0}


def test_bad_label_code_and_duplicate_study_name_the_row(tmp_path: Path) -> None:
    header = ("subject_id", "study_id", *MIMIC_LABELS)
    path = write_csv(tmp_path / "c.csv", header, [("1", "5", *["2.0"] + [""] * 13)])
    with pytest.raises(DataError, match=r"c\.csv, row 2: column 'Atelectasis' is not a label code"):
        read_study_labels(path)
    path = write_csv(tmp_path / "d.csv", header, [("1", "5", *[""] * 14), ("1.0", "5", *[""] * 14)])
    with pytest.raises(DataError, match=r"d\.csv, row 3: duplicate study"):
        read_study_labels(path)


@pytest.mark.parametrize(("raw", "expected"), [
    ("80556.875", "08:05:56.875000"), ("213014.531", "21:30:14.531000"), ("5", "00:00:05.000000"), ("", ""),
])
def test_study_time_float_quirk(raw: str, expected: str) -> None:
    assert study_time(raw) == expected


def test_metadata_and_split(tmp_path: Path) -> None:
    header = ("dicom_id", "subject_id", "study_id", "PerformedProcedureStepDescription", "ViewPosition", "Rows",
              "Columns", "StudyDate", "StudyTime")
    path = write_csv(tmp_path / "m.csv", header, [("d1", "10000032", "50414267", "CHEST", "", 3056, 2544,
                                                   21800506, "80556.875")])
    meta = read_metadata(path)["d1"]
    assert (meta.width, meta.height, meta.view, meta.study_time) == (2544, 3056, "", "08:05:56.875000")
    write_csv(path, header, [("d1", "1", "5", "", "PA", 10, 10, 1, "12:00")])
    with pytest.raises(DataError, match=r"m\.csv, row 2: not a StudyTime"):
        read_metadata(path)
    split = write_csv(tmp_path / "s.csv", ("dicom_id", "study_id", "subject_id", "split"),
                      [("d1", "5", "1", "train"), ("d2", "5", "1", "val")])
    with pytest.raises(DataError, match=r"s\.csv, row 3: split must be one of train, validate, test"):
        read_split(split)
