"""Image decoding (JPG/PNG and DICOM, incl. JPEG-compressed DICOM) to grey float32 in [0, 1], and a square
resized copy cached on disk so each source is decoded once per size.

DICOM intensities are divided by 2**BitsStored - 1 (as REFLACX and torchxrayvision do) and MONOCHROME1 is
inverted, so bright always means dense. Resizing squeezes to a square without cropping.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from gazebench.errors import DataError
from gazebench.paths import cache_dir

DICOM_SUFFIXES = (".dcm", ".dicom")


def _is_dicom(path: Path) -> bool:
    if path.suffix.lower() in DICOM_SUFFIXES:
        return True
    with open(path, "rb") as f:
        return f.read(132)[128:132] == b"DICM"


def _decode(path: Path, at_least: int | None = None) -> tuple[np.ndarray, int]:
    """(H, W) float32 in [0, 1] and the source bit depth (8 or more). With `at_least`, a JPG may be decoded
    at a reduced DCT scale that keeps both sides >= at_least (several times faster for full-size CXR JPGs)."""
    if not path.is_file():
        raise DataError(path, "image file not found")
    try:
        return _decode_dicom(path) if _is_dicom(path) else _decode_raster(path, at_least)
    except DataError:
        raise
    except Exception as exc:  # pydicom/pylibjpeg/Pillow raise many unrelated types on corrupt input
        raise DataError(path, f"cannot decode image ({type(exc).__name__}: {exc})") from None


def _decode_dicom(path: Path) -> tuple[np.ndarray, int]:
    import pydicom

    ds = pydicom.dcmread(path)
    pixels = np.asarray(ds.pixel_array)
    if pixels.ndim == 3 and int(getattr(ds, "SamplesPerPixel", 1)) == 1:
        pixels = pixels[0]  # multi-frame: first frame
    if pixels.ndim == 3:
        pixels = pixels[..., :3].astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    bits = int(getattr(ds, "BitsStored", 8) or 8)
    top = float(2**bits - 1)
    image = np.clip(pixels.astype(np.float32) / top, 0.0, 1.0)
    if str(getattr(ds, "PhotometricInterpretation", "MONOCHROME2")).strip() == "MONOCHROME1":
        image = 1.0 - image
    return image.astype(np.float32), bits


def _decode_raster(path: Path, at_least: int | None = None) -> tuple[np.ndarray, int]:
    try:
        with Image.open(path) as im:
            if at_least is not None and im.format == "JPEG":
                im.draft("L", (at_least, at_least))
            im.load()
            if im.mode in ("I;16", "I;16B", "I;16L", "I"):
                return np.clip(np.asarray(im, dtype=np.float32) / 65535.0, 0.0, 1.0), 16
            grey = im.convert("L")
    except UnidentifiedImageError:
        raise DataError(path, "not a readable JPG/PNG/DICOM image") from None
    return np.asarray(grey, dtype=np.float32) / 255.0, 8


def read_image(path: Path) -> np.ndarray:
    """(H, W) float32 grey image in [0, 1]; a missing or corrupt file is a DataError naming it."""
    return _decode(Path(path))[0]


def image_size(path: Path) -> tuple[int, int]:
    """(width, height) from the header only (DICOM Columns/Rows, or the JPG/PNG size)."""
    path = Path(path)
    try:
        if _is_dicom(path):
            import pydicom

            ds = pydicom.dcmread(path, stop_before_pixels=True, specific_tags=["Rows", "Columns"])
            return int(ds.Columns), int(ds.Rows)
        with Image.open(path) as im:
            return im.size
    except Exception as exc:
        raise DataError(path, f"cannot read image size ({type(exc).__name__}: {exc})") from None


def _cache_path(path: Path, size: int) -> Path:
    stat = path.stat()
    key = hashlib.sha256(f"{path}|{stat.st_size}|{stat.st_mtime_ns}|{size}".encode()).hexdigest()
    return cache_dir() / "images" / key[:2] / f"{key}.npy"


def _resize(image: np.ndarray, size: int) -> np.ndarray:
    """Square (size, size) resize with no crop: Pillow bilinear, antialiased when shrinking."""
    if image.shape == (size, size):
        return image
    resized = Image.fromarray(image).resize((size, size), Image.Resampling.BILINEAR)
    return np.clip(np.asarray(resized, dtype=np.float32), 0.0, 1.0)


def _save_atomic(target: Path, array: np.ndarray) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".npy")
    try:
        with os.fdopen(fd, "wb") as f:
            np.save(f, array)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


PREPROCESSING = "v1: decode, to [0,1] grey (MONOCHROME1 inverted), square bilinear resize, no crop"
"""The image pipeline's version, recorded in every data manifest; bump it whenever decoded pixels change."""


def load_image(path: Path, size: int) -> np.ndarray:
    """(size, size) float32 in [0, 1], decoded once and then served from cache_dir()/"images" (keyed by the
    resolved path, file size, mtime and size; stored as uint8 for 8-bit sources, uint16 otherwise)."""
    if size <= 0:
        raise ValueError(f"image size must be positive, not {size}")
    path = Path(path).resolve()
    if not path.is_file():
        raise DataError(path, "image file not found")
    cached = _cache_path(path, size)
    if cached.is_file():
        try:
            stored = np.load(cached)
            top = 255.0 if stored.dtype == np.uint8 else 65535.0
            if stored.shape == (size, size):
                return stored.astype(np.float32) / np.float32(top)
        except (OSError, ValueError):
            pass  # a torn or foreign file: decode again and overwrite it
    image, bits = _decode(path, size)
    resized = _resize(image, size)
    dtype, top = (np.uint8, 255.0) if bits <= 8 else (np.uint16, 65535.0)
    stored = np.round(resized * top).astype(dtype)
    _save_atomic(cached, stored)
    return stored.astype(np.float32) / np.float32(top)
