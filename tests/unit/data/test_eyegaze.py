"""Standalone EGD: calibration rows, off-image fixations, sessions, transcripts, DICOM frame from the header."""
from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from fixtures import formats as F
from gazebench.data.readers import READERS
from gazebench.data.readers.eyegaze import read_transcript
from gazebench.errors import DataError
from gazebench.labels import CHEXPERT_LABELS


def test_reader_groups_sessions_and_drops_calibration_and_off_image_rows(trees: dict[str, Path]) -> None:
    dataset = READERS.create("eyegaze", root=trees["eyegaze"])
    samples = {s.sample_id: s for s in dataset.samples}
    assert set(samples) == {F.D_E1, F.D_E2}
    e1 = samples[F.D_E1]
    assert [g.reading_id for g in e1.gaze] == [f"1/{F.D_E1}", f"2/{F.D_E1}"]
    assert [g.fixations.x.tolist() for g in e1.gaze] == [[100], [200]]
    assert e1.gaze[0].image_size == (250, 300)  # DICOM Columns x Rows read from the header
    assert [(w.text, w.t_start, w.t_end) for w in e1.gaze[0].words] == [("pneumonia", 0.5, 0.9)]
    codes = {CHEXPERT_LABELS[i]: v for i, v in enumerate(e1.labels) if not math.isnan(v)}
    assert codes == {"Pneumonia": 1.0, "Edema": -1.0}
    skipped = "\n".join(dataset.skipped)
    assert "calibration screen or unknown DICOM_ID (not in master sheet): 1 (row 4)" in skipped
    assert "fixation off the image (negative X_ORIGINAL/Y_ORIGINAL): 1 (row 3)" in skipped
    assert f"image file missing: 1 (files/p10/p{F.S3}/s50000003/{F.D_E_MISSING}.dcm)" in skipped


def test_transcript_time_formats_and_bad_json(tmp_path: Path) -> None:
    path = tmp_path / "transcript.json"
    path.write_text('{"time_stamped_text": [{"phrase": "a", "begin_time": "1.25s", "end_time": {"seconds": 2}},'
                    ' {"phrase": "b", "end_time": 3}]}')
    assert [(w.text, w.t_start, w.t_end) for w in read_transcript(path)] == [("a", 1.25, 2.0)]
    path.write_text('{"phrases": []}')
    with pytest.raises(DataError, match=r"transcript\.json: not an EyeGaze transcript"):
        read_transcript(path)
    path.write_text('{"time_stamped_text": [{"phrase": "a", "begin_time": "soon", "end_time": 1}]}')
    with pytest.raises(DataError, match=r"time_stamped_text\[0\] has a bad begin/end time"):
        read_transcript(path)


def test_blank_coordinate_is_a_counted_skip_naming_file_and_row(trees: dict[str, Path], tmp_path: Path) -> None:
    mirror = Path(shutil.copytree(trees["eyegaze"].parents[2].parent, tmp_path / "mirror"))
    root = mirror / "physionet.org/files/egd-cxr/1.0.0"
    lines = (root / "fixations.csv").read_text().splitlines()
    lines[5] = lines[5].rsplit(",", 1)[0] + ","
    (root / "fixations.csv").write_text("\n".join(lines) + "\n")
    skips = {s.reason: s for s in READERS.create("eyegaze", root=root).skips}
    nan = skips[f"{root / 'fixations.csv'}: blank or NaN Y_ORIGINAL"]
    assert nan.count == 1 and nan.examples == (f"{root / 'fixations.csv'} row 6",) and nan.kind == "damaged"
