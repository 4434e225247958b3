"""Subgroup attributes (view, sex, age band) in one normalised vocabulary, whatever format recorded them:
MIMIC-CXR `ViewPosition` and MIMIC-IV `patients.csv` gender/anchor_age, CheXpert `Sex`/`Age`/`AP/PA`, DICOM
PatientSex/PatientAge/ViewPosition (RSNA, SIIM-ACR). Readers call these so slices mean the same on every dataset.
"""
from __future__ import annotations

import re
from pathlib import Path

ATTRIBUTES = ("view", "sex", "age")
"""Attribute names a reader may fill (`Sample.attributes`), and what `Task.slices` may name."""
AGE_BANDS = ((0, 40, "<40"), (40, 60, "40-59"), (60, 80, "60-79"), (80, 200, "80+"))
"""Age bands in years, [lo, hi): wide enough that each holds patients on a few hundred images."""
SEXES = {"f": "F", "female": "F", "m": "M", "male": "M"}


def age_band(years: float) -> str | None:
    """The band of an age in years (None for a negative or implausible age)."""
    for lo, hi, name in AGE_BANDS:
        if lo <= years < hi:
            return name
    return None


def parse_age(text: str) -> str | None:
    """Age band of a recorded age: `63`, `63.0`, DICOM `063Y` (M/W/D units are under a year), EyeGaze's
    `60 - 70` (its lower bound); None for a blank or unparsable value."""
    text = text.strip()
    if match := re.fullmatch(r"(\d{1,3})([YMWD])", text):
        return age_band(float(match.group(1)) if match.group(2) == "Y" else 0.0)
    if match := re.fullmatch(r"(\d{1,3})(\.\d*)?(\s*-\s*\d{1,3})?", text):
        return age_band(float(match.group(1)))
    return None


def parse_sex(text: str) -> str | None:
    """`F` or `M` from M/F/Male/Female in any case; None for anything else (e.g. DICOM `O` or blank)."""
    return SEXES.get(text.strip().lower())


def parse_view(text: str) -> str | None:
    """The view position upper-cased (`AP`, `PA`, `LATERAL`, ...); None when blank."""
    return text.strip().upper() or None


def attribute_pairs(*, view: str = "", sex: str = "", age: str = "") -> tuple[tuple[str, str], ...]:
    """`Sample.attributes` from raw recorded values: normalised, sorted, unknown values left out."""
    found = {"view": parse_view(view), "sex": parse_sex(sex), "age": parse_age(age)}
    return tuple(sorted((k, v) for k, v in found.items() if v is not None))


def dicom_attributes(path: Path) -> tuple[tuple[str, str], ...]:
    """Attributes from a DICOM header (PatientSex, PatientAge, ViewPosition); pixels are never read, and
    an unreadable header gives none (the image checks report the file itself)."""
    import pydicom
    from pydicom.errors import InvalidDicomError

    try:
        ds = pydicom.dcmread(path, stop_before_pixels=True,
                             specific_tags=["PatientSex", "PatientAge", "ViewPosition"])
    except (OSError, InvalidDicomError, ValueError, EOFError):
        return ()
    return attribute_pairs(view=str(ds.get("ViewPosition", "") or ""), sex=str(ds.get("PatientSex", "") or ""),
                           age=str(ds.get("PatientAge", "") or ""))
