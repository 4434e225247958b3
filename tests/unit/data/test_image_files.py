"""Files no decoder should be trusted with: each is a one-line DataError naming the file, and a FIFO is
never opened (the test would hang if it were)."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fixtures.formats import pattern, write_dicom, write_jpg
from gazebench.data import images
from gazebench.data.images import check_file, image_size, load_image, read_image
from gazebench.errors import DataError


def one_line_error(path: Path, match: str) -> None:
    with pytest.raises(DataError, match=match) as info:
        read_image(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_zero_byte_text_as_jpeg_and_truncated_jpeg(tmp_path: Path) -> None:
    (tmp_path / "empty.jpg").write_bytes(b"")
    one_line_error(tmp_path / "empty.jpg", r"empty image file \(0 bytes\)")
    (tmp_path / "notes.jpg").write_text("this is a text file, not a radiograph\n")
    one_line_error(tmp_path / "notes.jpg", "not a readable JPG/PNG/DICOM image")
    cut = write_jpg(tmp_path / "cut.jpg", width=256, height=256)
    cut.write_bytes(cut.read_bytes()[: cut.stat().st_size // 2])
    one_line_error(cut, "cannot decode image.*truncated")


@pytest.mark.filterwarnings("ignore::UserWarning")  # pydicom warns while reading a cut file
def test_truncated_dicom_and_dicom_without_pixel_data(tmp_path: Path) -> None:
    native = write_dicom(tmp_path / "native.dcm", pattern(64, 64, top=4095), bits_stored=12)
    native.write_bytes(native.read_bytes()[:-1000])
    one_line_error(native, "cannot decode image")
    import pydicom

    ds = pydicom.dcmread(write_dicom(tmp_path / "header.dcm", pattern(8, 8)))
    del ds.PixelData
    ds.save_as(tmp_path / "header.dcm")
    one_line_error(tmp_path / "header.dcm", "DICOM has no pixel data")


def test_decompression_bombs_are_refused_before_decoding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    jpg = write_jpg(tmp_path / "big.jpg", width=64, height=64)
    dcm = write_dicom(tmp_path / "big.dcm", pattern(64, 64))
    monkeypatch.setattr(images, "MAX_PIXELS", 1000)
    one_line_error(jpg, r"decompression bomb: 4096 pixels is over the limit of 1000")
    one_line_error(dcm, r"decompression bomb: 4096 pixels")
    monkeypatch.setattr(images, "MAX_PIXELS", 10**9)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # Pillow's own guard (error above 2x) is named too
    one_line_error(jpg, "decompression bomb")

def test_our_limit_sits_below_pillows_warning_range() -> None:
    """Pillow only warns between MAX_IMAGE_PIXELS and twice that; our lower limit refuses all of that range."""
    assert images.MAX_PIXELS < Image.MAX_IMAGE_PIXELS


def test_fifo_and_symlink_loop_are_named_never_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    loop = tmp_path / "loop.jpg"
    loop.symlink_to(tmp_path / "loop.jpg")
    for reader in (read_image, lambda p: load_image(p, 8), image_size, check_file):
        with pytest.raises(DataError, match=r"pipe\.jpg: not a regular file"):
            reader(fifo)
        with pytest.raises(DataError, match=r"loop\.jpg: image file unreadable: symlink loop"):
            reader(loop)
    with pytest.raises(DataError, match="not a regular file"):
        read_image(tmp_path)


def test_cache_key_includes_the_preprocessing_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_jpg(tmp_path / "a.jpg").resolve()
    before = images._cache_path(path, 16)
    monkeypatch.setattr(images, "PREPROCESSING", images.PREPROCESSING + " (changed)")
    assert images._cache_path(path, 16) != before
    assert np.asarray(load_image(path, 16)).shape == (16, 16)
