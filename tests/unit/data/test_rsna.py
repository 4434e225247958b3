"""RSNA: one sample per patientId, Target = max over box rows, boxes from Target=1 rows."""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from fixtures import formats as F
from gazebench.data.readers import READERS
from gazebench.errors import DataError
from gazebench.labels import CHEXPERT_LABELS

PNEUMONIA, OPACITY = CHEXPERT_LABELS.index("Pneumonia"), CHEXPERT_LABELS.index("Lung Opacity")


def test_rows_are_merged_per_patient(trees: dict[str, Path]) -> None:
    dataset = READERS.create("rsna", root=trees["rsna"])
    samples = {s.sample_id: s for s in dataset.samples}
    a, b, c, d = F.RSNA_IDS
    assert set(samples) == {a, b, c}
    assert samples[a].labels[PNEUMONIA] == samples[a].labels[OPACITY] == 1.0
    assert samples[a].boxes == ((264, 152, 477, 531), (562, 152, 818, 605))
    assert samples[b].labels[PNEUMONIA] == 0.0 and samples[b].boxes == ()
    assert sum(not math.isnan(v) for v in samples[a].labels) == 2
    assert samples[a].split == "test" and samples[a].image_path.name == f"{a}.dcm"
    assert any(f"{d}.dcm" in line for line in dataset.skipped)


def test_bad_target_and_missing_box_name_the_row(tmp_path: Path) -> None:
    root = F.write_rsna(tmp_path)
    table = root / "stage_2_train_labels.csv"
    original = table.read_text()
    table.write_text(original.replace(f"{F.RSNA_IDS[1]},,,,,0", f"{F.RSNA_IDS[1]},,,,,2"))
    with pytest.raises(DataError, match=r"stage_2_train_labels\.csv, row 3: Target must be 0 or 1"):
        READERS.create("rsna", root=root)
    table.write_text(original.replace("264.0,152.0,213.0,379.0,1", "264.0,,213.0,379.0,1"))
    with pytest.raises(DataError, match=r"row 2: Target=1 row needs numeric x, y"):
        READERS.create("rsna", root=root)
