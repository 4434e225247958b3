"""DICOM pixels as the radiologist saw them: modality LUT, then VOI LUT sequence or window centre/width
exactly as pydicom's own `apply_modality_lut` / `apply_voi_lut` compute them, then MONOCHROME1 inversion."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.pixels import apply_modality_lut, apply_voi_lut
from pydicom.sequence import Sequence

from fixtures.formats import pattern, write_dicom
from gazebench.data import images
from gazebench.data.images import read_image


def edited(path: Path, **tags: object) -> Path:
    ds = pydicom.dcmread(path)
    for name, value in tags.items():
        setattr(ds, name, value)
    ds.save_as(path)
    return path


def pydicom_display(path: Path, lo: float, hi: float) -> np.ndarray:
    ds = pydicom.dcmread(path)
    out = apply_voi_lut(apply_modality_lut(ds.pixel_array, ds), ds).astype(np.float64)
    return np.clip((out - lo) / (hi - lo), 0, 1)


def test_window_centre_width_matches_pydicom(tmp_path: Path) -> None:
    stored = pattern(40, 48, top=4095)
    path = edited(write_dicom(tmp_path / "w.dcm", stored, bits_stored=12), WindowCenter=1200, WindowWidth=800,
                  RescaleSlope=1, RescaleIntercept=0)
    got = read_image(path)
    np.testing.assert_allclose(got, pydicom_display(path, 0, 4095), atol=1e-6)
    assert got.min() == 0.0 and got.max() == 1.0  # the window spans less than the stored range
    assert not np.allclose(got, stored / 4095, atol=0.05)  # not the old divide-by-2**BitsStored


def test_voi_lut_sequence_matches_pydicom(tmp_path: Path) -> None:
    stored = pattern(32, 32, top=1023)
    item = Dataset()
    item.LUTDescriptor = [1024, 0, 16]  # says 16 bits; entries only reach 4000 (a common real-file quirk)
    item.add_new(0x00283006, "US", [int(v) for v in np.round(4000 * (np.arange(1024) / 1023) ** 0.5)])  # LUTData
    path = edited(write_dicom(tmp_path / "lut.dcm", stored, bits_stored=10), VOILUTSequence=Sequence([item]))
    got = read_image(path)
    np.testing.assert_allclose(got, pydicom_display(path, 0, 4000), atol=1e-6)
    assert got.max() == 1.0 and got.min() == 0.0


def test_15_bit_monochrome1_cr_decodes_with_full_contrast(tmp_path: Path) -> None:
    """Like pydicom-data's RG1_UNCI.dcm: 15 bits stored, MONOCHROME1, a window far narrower than 2**15."""
    rng = np.random.default_rng(0)
    stored = np.clip(rng.normal(9000, 2500, size=(64, 64)), 1000, 26000).astype(np.uint16)
    path = edited(write_dicom(tmp_path / "cr.dcm", stored, bits_stored=15, monochrome1=True),
                  WindowCenter=9000, WindowWidth=12000)
    got = read_image(path)
    assert got.min() < 0.01 and got.max() > 0.99
    np.testing.assert_allclose(got, 1 - pydicom_display(path, 0, 2**15 - 1), atol=1e-6)
    assert got[stored.argmax() // 64, stored.argmax() % 64] == 0.0  # highest stored value is black in MONOCHROME1


def _header(bits: int, *, signed: bool = False, monochrome1: bool = False, **tags: object) -> Dataset:
    ds = Dataset()
    ds.BitsStored, ds.BitsAllocated, ds.PixelRepresentation = bits, 8 if bits <= 8 else 16, int(signed)
    ds.PhotometricInterpretation = "MONOCHROME1" if monochrome1 else "MONOCHROME2"
    for name, value in tags.items():
        setattr(ds, name, value)
    return ds


def _lut_item(entries: int, first: int, top: int) -> Dataset:
    item = Dataset()
    item.LUTDescriptor = [entries, first, 16]
    item.add_new(0x00283006, "US", [int(v) for v in np.round(top * (np.arange(entries) / (entries - 1)) ** 0.7)])
    return item


@pytest.mark.parametrize("bits, signed, tags", [
    (8, False, {}),
    (12, False, {"RescaleSlope": 2, "RescaleIntercept": -1024, "WindowCenter": 1500, "WindowWidth": 900}),
    (12, False, {"WindowCenter": 2000.5, "WindowWidth": 300, "VOILUTFunction": "LINEAR_EXACT"}),
    (12, False, {"WindowCenter": 1800, "WindowWidth": 1200, "VOILUTFunction": "SIGMOID"}),
    (10, False, {"VOILUTSequence": Sequence([_lut_item(1024, 0, 4000)])}),
    (12, False, {"ModalityLUTSequence": Sequence([_lut_item(3000, 100, 65535)])}),
    (12, True, {"RescaleSlope": 1, "RescaleIntercept": -1000, "WindowCenter": -200, "WindowWidth": 1500}),
])
@pytest.mark.parametrize("monochrome1", [False, True])
def test_display_through_a_value_table_equals_the_per_pixel_transform(bits: int, signed: bool,
                                                                      tags: dict[str, object],
                                                                      monochrome1: bool) -> None:
    """`_display` maps integer pixels through a table of their min..max values: every pixel must get exactly
    the float32 the per-pixel transform gives it (same bits), for every modality/VOI step and both signs."""
    rng = np.random.default_rng(bits)
    dtype = (np.int16 if signed else np.uint16) if bits > 8 else np.uint8
    low, high = (-(2 ** (bits - 1)), 2 ** (bits - 1)) if signed else (0, 2**bits)
    pixels = rng.integers(low, high, size=(96, 96)).astype(dtype)
    assert int(pixels.max()) - int(pixels.min()) < pixels.size  # the table path, not the sparse-range fallback
    want = images._display_values(pixels, _header(bits, signed=signed, monochrome1=monochrome1, **tags))
    got = images._display(pixels, _header(bits, signed=signed, monochrome1=monochrome1, **tags))
    assert got.dtype == want.dtype == np.float32 and got.shape == pixels.shape
    assert got.tobytes() == want.tobytes()
    sparse = np.full((4, 4), pixels.min(), dtype=dtype)
    sparse[0, 0] = pixels.max()  # a range wider than the image: the per-pixel transform itself
    assert images._display(sparse, _header(bits, signed=signed, monochrome1=monochrome1, **tags)).tobytes() == \
        images._display_values(sparse, _header(bits, signed=signed, monochrome1=monochrome1, **tags)).tobytes()
