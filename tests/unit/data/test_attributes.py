"""Subgroup attributes: parsing each real format's values, and every reader filling them from its files."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from gazebench.data.attributes import attribute_pairs, parse_age, parse_sex
from gazebench.task import get_task


@pytest.mark.parametrize(("text", "band"), [("63", "60-79"), ("63.0", "60-79"), ("063Y", "60-79"), ("039Y", "<40"),
                                            ("006M", "<40"), ("80", "80+"), ("40 - 50", "40-59"), ("", None),
                                            ("abc", None), ("250", None)])
def test_age_bands(text: str, band: str | None) -> None:
    assert parse_age(text) == band


def test_sex_and_pairs() -> None:
    assert [parse_sex(s) for s in ("Female", "m", "O", "")] == ["F", "M", None, None]
    assert attribute_pairs(view=" ap", sex="Male", age="") == (("sex", "M"), ("view", "AP"))


def test_chexpert_attributes_come_from_valid_csv(small_root: Path) -> None:
    table = pd.read_csv(small_root / "CheXpert-v1.0-small" / "valid.csv")
    samples = {s.sample_id: s for s in get_task("chexpert").load(small_root).samples}
    for row in table.itertuples():
        s = samples[row.Path.removeprefix("CheXpert-v1.0-small/")]
        assert s.attribute("sex") == row.Sex[0] and s.attribute("view") == row._5
        assert s.attribute("age") == parse_age(str(row.Age))


def test_mimic_eye_sex_and_age_from_patients_table(small_root: Path) -> None:
    table = pd.read_csv(small_root / "mimic-eye" / "spreadsheets" / "Hosp" / "patients.csv", index_col=0)
    by_subject = {str(r.subject_id): r for r in table.itertuples()}
    samples = get_task("mimic-eye").load(small_root).samples
    assert samples
    for s in samples:
        row = by_subject[s.patient_id]
        assert (s.attribute("sex"), s.attribute("age")) == (row.gender, parse_age(str(row.anchor_age)))
        assert s.attribute("view") == s.view


def test_dicom_readers_fill_attributes(small_root: Path) -> None:
    for task in ("rsna", "siim-acr"):
        samples = get_task(task).load(small_root).samples
        assert all({"view", "sex", "age"} <= dict(s.attributes).keys() for s in samples), task
