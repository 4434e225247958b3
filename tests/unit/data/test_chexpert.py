"""CheXpert: valid.csv with the release prefix, frontal only; test set from groundtruth.csv when present."""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from fixtures import formats as F
from gazebench.data.readers import READERS
from gazebench.errors import DataError
from gazebench.labels import CHEXPERT_LABELS


def test_valid_set_frontals_with_prefix_stripped(trees: dict[str, Path]) -> None:
    dataset = READERS.create("chexpert", root=trees["chexpert"])
    samples = {s.sample_id: s for s in dataset.samples}
    assert set(samples) == {
        "valid/patient64541/study1/view1_frontal.jpg", "valid/patient64542/study1/view1_frontal.jpg"
    }
    s = samples["valid/patient64542/study1/view1_frontal.jpg"]
    assert (s.patient_id, s.study_id, s.split, s.view) == ("patient64542", "patient64542/study1", "test", "AP")
    assert s.image_path == trees["chexpert"] / s.sample_id
    codes = {CHEXPERT_LABELS[i]: v for i, v in enumerate(s.labels) if not math.isnan(v)}
    assert codes == {"No Finding": 1.0, "Edema": -1.0}
    assert "frontal" in dataset.info["views"]
    skipped = "\n".join(dataset.skipped)
    assert "valid.csv: lateral image (frontal only): 1 (row 3)" in skipped
    assert "image file missing: 1 (valid/patient64543/study1/view1_frontal.jpg)" in skipped


def test_test_set_is_used_when_groundtruth_and_images_exist(tmp_path: Path) -> None:
    root = F.write_chexpert(tmp_path, test=True)
    dataset = READERS.create("chexpert", root=root)
    assert [s.sample_id for s in dataset.samples] == ["test/patient64741/study1/view1_frontal.jpg",
                                                      "test/patient64741/study1/view2_frontal.jpg"]
    assert all(s.labels[CHEXPERT_LABELS.index("Atelectasis")] == 1.0 for s in dataset.samples)
    assert "test" in dataset.version and any("patient64742/study1" in line for line in dataset.skipped)


def test_path_escaping_root_names_the_row(tmp_path: Path) -> None:
    root = F.write_chexpert(tmp_path)
    text = (root / "valid.csv").read_text().replace("CheXpert-v1.0-small/valid/patient64542", "../../patient64542")
    (root / "valid.csv").write_text(text)
    with pytest.raises(DataError, match=r"valid\.csv, row 4: path '\.\./\.\./patient64542.*outside the dataset root"):
        READERS.create("chexpert", root=root)
