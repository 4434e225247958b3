"""Decoding JPG/PNG/DICOM to [0, 1] grey, and the on-disk cache that decodes each source once per size."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fixtures.formats import pattern, write_dicom, write_jpg
from gazebench.data import images
from gazebench.data.images import image_size, load_image, read_image
from gazebench.errors import DataError


def test_dicom_scaling_monochrome1_bits_stored_and_jpeg(tmp_path: Path) -> None:
    plain = pattern(16, 24)
    expected = plain.astype(np.float32) / 255
    got = read_image(write_dicom(tmp_path / "plain.dcm", plain))
    assert got.dtype == np.float32 and got.shape == (16, 24)
    np.testing.assert_allclose(got, expected, atol=1e-6)
    np.testing.assert_allclose(read_image(write_dicom(tmp_path / "m1.dcm", plain, monochrome1=True)),
                               1 - expected, atol=1e-6)
    twelve = pattern(16, 24, top=4095)
    np.testing.assert_allclose(read_image(write_dicom(tmp_path / "b12.dcm", twelve, bits_stored=12)),
                               twelve / 4095, atol=1e-6)  # scaled by 2**12-1, not 2**16-1
    jpeg = read_image(write_dicom(tmp_path / "jpeg.dcm", plain, jpeg=True))
    assert np.abs(jpeg - expected).max() < 0.05  # lossy, but decoded (pylibjpeg)
    assert image_size(tmp_path / "b12.dcm") == (24, 16)


def test_jpg_and_png(tmp_path: Path) -> None:
    jpg = read_image(write_jpg(tmp_path / "a.jpg", width=40, height=30))
    assert jpg.shape == (30, 40) and 0 <= jpg.min() and jpg.max() <= 1
    sixteen = pattern(10, 12, top=65535)
    Image.fromarray(sixteen).save(tmp_path / "b.png")
    np.testing.assert_allclose(read_image(tmp_path / "b.png"), sixteen / 65535, atol=1e-6)
    Image.fromarray(np.zeros((5, 6, 3), np.uint8) + 255).save(tmp_path / "rgb.png")
    assert read_image(tmp_path / "rgb.png").tolist() == np.ones((5, 6)).tolist()


@pytest.mark.filterwarnings("ignore::UserWarning")  # pydicom warns while failing on corrupt files
def test_corrupt_and_missing_files_name_the_file(tmp_path: Path) -> None:
    (tmp_path / "bad.dcm").write_bytes(b"\0" * 128 + b"DICM" + b"\x02\x00garbage")
    (tmp_path / "bad.jpg").write_bytes(b"\xff\xd8not really a jpeg")
    truncated = write_dicom(tmp_path / "cut.dcm", pattern(32, 32), jpeg=True)
    truncated.write_bytes(truncated.read_bytes()[:-200])
    for name in ("bad.dcm", "bad.jpg", "cut.dcm"):
        with pytest.raises(DataError, match=rf"{name}: (cannot decode|not a readable)"):
            read_image(tmp_path / name)
    with pytest.raises(DataError, match=r"gone\.png: image file not found"):
        read_image(tmp_path / "gone.png")


def test_reduced_jpeg_decode_matches_full_decode(tmp_path: Path) -> None:
    path = write_jpg(tmp_path / "big.jpg", width=512, height=640)
    fast = load_image(path, 64)
    full = images._resize(read_image(path), 64)
    assert np.abs(fast - full).mean() < 0.01  # only the hard edge of the bright square differs


def test_load_image_resizes_to_a_square_without_cropping(tmp_path: Path) -> None:
    src = np.zeros((40, 80), np.uint8)
    src[:, 60:] = 255  # right quarter bright
    Image.fromarray(src).save(tmp_path / "wide.png")
    out = load_image(tmp_path / "wide.png", 16)
    assert out.shape == (16, 16) and out.dtype == np.float32
    assert out[:, :11].max() < 0.05 and out[:, 13:].min() > 0.95  # still the right quarter: squeezed, not cropped


def test_second_load_does_not_decode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_dicom(tmp_path / "x.dcm", pattern(64, 48, top=4095), bits_stored=12)
    calls: list[Path] = []
    real = images._decode

    def counting(p: Path, at_least: int | None = None) -> tuple[np.ndarray, int]:
        calls.append(p)
        return real(p, at_least)

    monkeypatch.setattr(images, "_decode", counting)
    first = load_image(path, 32)
    second = load_image(path, 32)
    assert len(calls) == 1 and np.array_equal(first, second)
    cached = list((Path(os.environ["GAZEBENCH_CACHE"]) / "images").rglob("*.npy"))
    assert any(np.load(c).dtype == np.uint16 for c in cached)  # 12-bit source keeps its precision
    load_image(path, 24)  # another size is another entry
    assert len(calls) == 2
    os.utime(path, ns=(1, 1))  # touched file: decoded again
    load_image(path, 32)
    assert len(calls) == 3


def test_torn_cache_file_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_jpg(tmp_path / "y.jpg")
    first = load_image(path, 8)
    entry = images._cache_path(path.resolve(), 8)
    entry.write_bytes(b"torn")
    np.testing.assert_array_equal(load_image(path, 8), first)
    assert np.load(entry).dtype == np.uint8
