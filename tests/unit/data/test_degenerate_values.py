"""Values that parse but cannot be right (zero sizes, zero angular resolution, empty boxes, a transcript
that is not a list) are one-line DataErrors at read time, not tracebacks later in gaze processing."""
from __future__ import annotations

from pathlib import Path

import pytest

from gazebench.data.readers.eyegaze import read_transcript
from gazebench.data.readers.reflacx import FIXATION_COLUMNS, read_chest_box, read_fixations
from gazebench.data.skips import SkipLog
from gazebench.errors import DataError


def test_zero_angular_resolution_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "fixations.csv"
    header = ",".join(FIXATION_COLUMNS)
    path.write_text(f"{header}\n0.1,0.4,10,20,0,0\n")
    with pytest.raises(DataError, match=r"fixations\.csv: angular resolution must be positive"):
        read_fixations(path, (100, 100), SkipLog())


def test_degenerate_chest_box_names_file_and_row(tmp_path: Path) -> None:
    path = tmp_path / "chest_bounding_box.csv"
    path.write_text("xmin,ymin,xmax,ymax\n100,50,100,300\n")
    with pytest.raises(DataError, match=r"chest_bounding_box\.csv.*xmax > xmin"):
        read_chest_box(path)


def test_transcript_whose_phrases_are_not_a_list(tmp_path: Path) -> None:
    path = tmp_path / "transcript.json"
    path.write_text('{"time_stamped_text": null}')
    with pytest.raises(DataError, match=r"transcript\.json: 'time_stamped_text' must be a list"):
        read_transcript(path)
