"""Image decoding (JPG/PNG and DICOM, incl. JPEG-compressed DICOM) to grey float32 in [0, 1], and a square
resized copy cached on disk so each source is decoded once per size.

DICOM pixels are shown as the radiologist saw them: the modality LUT (or rescale) and the VOI LUT (or window
centre/width) are applied with pydicom's own `apply_modality_lut` / `apply_voi_lut` (DICOM PS3.3 C.11), the
result is scaled by that transform's output range (2**BitsStored - 1 when the file has no VOI, as REFLACX and
torchxrayvision do), then MONOCHROME1 is inverted, so bright always means dense. Resizing squeezes to a square
without cropping. Only regular files are opened (never a FIFO or device), and images above MAX_PIXELS are
refused as decompression bombs before their pixels are decoded. Only chest radiographs are read: a DICOM
whose Modality is not a projection radiograph (CT, MR, US, ...), whose pixels are not grey (RGB, PALETTE
COLOR, ...) or whose grey mapping is unusable (rescale slope 0, a NaN rescale or window, a slope without an
intercept, wide pixels without BitsStored) is refused, and
`load_image` refuses images with a side under MIN_SIDE pixels.
"""
from __future__ import annotations

import errno
import hashlib
import os
import stat
import tempfile
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, UnidentifiedImageError

from gazebench.errors import DataError
from gazebench.paths import cache_dir

_NPY_LOCK = threading.Lock()
"""np.load parses a .npy header with ast.literal_eval, which is not thread-safe on CPython before 3.11.8/3.12
("AST constructor recursion depth mismatch", CPython gh-106905); the image loaders run in threads."""


def read_npy(path: Path) -> np.ndarray:
    """A .npy array gazebench wrote (never unpickled), safe to call from several threads at once."""
    with _NPY_LOCK:
        return np.load(path, allow_pickle=False)


DICOM_SUFFIXES = (".dcm", ".dicom")
MIN_SIDE = 16
"""Smallest image side accepted as a chest radiograph (pixels): below it no anatomy can be resolved (a 1 x 1
"X-ray" is a broken file); the smallest public CXR benchmark images (MedMNIST's ChestMNIST, 28 x 28) pass."""
RADIOGRAPH_MODALITIES = ("CR", "DX", "RG")
"""DICOM Modality values of projection radiographs (PS3.3 C.7.3.1.1.1: computed, digital, and film-screen
radiography); any other (CT, MR, US, RTDOSE, SEG, ...) is not a chest radiograph and is refused."""
GREY_PHOTOMETRIC = ("MONOCHROME1", "MONOCHROME2")
"""The only PhotometricInterpretation values read: colour or PALETTE COLOR pixels are not a radiograph's grey
values (a palette image's stored values are indices, not intensities)."""
MAX_PIXELS = 50_000_000
"""Largest image accepted (pixels over all frames): about 7000 x 7000, several times the largest chest
radiograph (MIMIC-CXR tops out near 4300 x 3500); anything bigger is refused as a decompression bomb."""
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)  # Pillow's warning is an error here


def check_file(path: Path) -> None:
    """A DataError naming `path` unless it is a non-empty regular file (checked with stat, so a FIFO,
    device or folder is never opened and a symlink loop is named as such)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise DataError(path, "image file not found") from None
    except OSError as exc:
        why = "symlink loop" if exc.errno == errno.ELOOP else f"cannot stat ({exc.strerror})"
        raise DataError(path, f"image file unreadable: {why}") from None
    if not stat.S_ISREG(info.st_mode):
        raise DataError(path, "not a regular file (a FIFO, device or folder); not opened")
    if info.st_size == 0:
        raise DataError(path, "empty image file (0 bytes)")


def on_disk(path: Path) -> bool:
    """Whether anything sits at `path`, usable or not (a FIFO or a symlink loop counts): readers skip only
    what is truly absent, and the image check names what is wrong with the rest."""
    return os.path.lexists(path)


def _bomb(path: Path, pixels: int) -> DataError:
    return DataError(path, f"decompression bomb: {pixels} pixels is over the limit of {MAX_PIXELS}")


def _is_dicom(path: Path) -> bool:
    if path.suffix.lower() in DICOM_SUFFIXES:
        return True
    with open(path, "rb") as f:
        return f.read(132)[128:132] == b"DICM"


def _decode(path: Path, at_least: int | None = None) -> tuple[np.ndarray, int, tuple[int, int]]:
    """(H, W) float32 in [0, 1], the source bit depth (8 or more) and the (width, height) its header gives.
    With `at_least`, a JPG may be decoded at a reduced DCT scale that keeps both sides >= at_least (several
    times faster for full-size CXR JPGs); the header size is the full one either way."""
    check_file(path)
    try:
        return _decode_dicom(path) if _is_dicom(path) else _decode_raster(path, at_least)
    except DataError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise DataError(path, f"decompression bomb: {exc}") from None
    except Exception as exc:  # pydicom/pylibjpeg/Pillow raise many unrelated types on corrupt input
        raise DataError(path, f"cannot decode image ({type(exc).__name__}: {exc})") from None


def check_size(path: Path, width: int, height: int) -> None:
    """A DataError naming `path` unless both sides are at least MIN_SIDE pixels."""
    if min(width, height) < MIN_SIDE:
        raise DataError(path, f"image is {width}x{height} pixels, below the minimum of {MIN_SIDE} per side for a "
                              "chest radiograph")


def check_radiograph_dicom(path: Path, ds: Any) -> None:
    """A DataError naming `path` and the value unless the DICOM `ds` is a projection radiograph (Modality in
    RADIOGRAPH_MODALITIES, when the file records one) with grey pixels (GREY_PHOTOMETRIC)."""
    modality = str(ds.get("Modality", "") or "").strip().upper()
    if modality and modality not in RADIOGRAPH_MODALITIES:
        raise DataError(path, f"DICOM Modality is {modality}, not a chest radiograph "
                              f"({', '.join(RADIOGRAPH_MODALITIES)}); refused")
    photometric = str(ds.get("PhotometricInterpretation", "") or "").strip().upper()
    if photometric not in GREY_PHOTOMETRIC:
        raise DataError(path, f"DICOM PhotometricInterpretation is {photometric or 'missing'}, not "
                              f"{' or '.join(GREY_PHOTOMETRIC)}; refused (not read as grey values)")


def check_grey_mapping(path: Path, ds: Any) -> None:
    """A DataError naming `path` and the value unless the DICOM `ds` says how its stored values map to grey
    levels: RescaleSlope and RescaleIntercept come together (PS3.3 C.11.1: both present or both absent; not
    checked where a Modality LUT Sequence decides the mapping, as pydicom then ignores them), the slope is not 0
    (every pixel one value: a blank image), rescale and window values are single finite numbers (a NaN window
    makes every pixel NaN), and a file without BitsStored (or with 0) allocates 8 bits (the only reading
    `_decode_dicom` gives it; wider pixels read as 8-bit would saturate)."""
    values = [("WindowCenter", ds.get("WindowCenter")), ("WindowWidth", ds.get("WindowWidth"))]
    if not ds.get("ModalityLUTSequence"):
        slope, intercept = ds.get("RescaleSlope"), ds.get("RescaleIntercept")
        if (slope is None) != (intercept is None):
            have, lacks = ("RescaleSlope", "RescaleIntercept") if intercept is None else ("RescaleIntercept",
                                                                                        "RescaleSlope")
            raise DataError(path, f"DICOM {have} without {lacks}; refused (the grey levels are undefined)")
        values += [("RescaleSlope", slope), ("RescaleIntercept", intercept)]
    for name, value in values:
        if value is None:
            continue
        for item in list(value) if isinstance(value, Sequence) and not isinstance(value, str) else [value]:
            try:
                number = float(item)
            except (TypeError, ValueError):
                raise DataError(path, f"DICOM {name} is not a number: {item!r}; refused") from None
            if not np.isfinite(number) or (name == "RescaleSlope" and number == 0):
                raise DataError(path, f"DICOM {name} is {number:g}; refused (the grey levels are undefined)")
    if not ds.get("BitsStored") and int(ds.get("BitsAllocated", 8) or 8) != 8:
        raise DataError(path, f"DICOM has no BitsStored for its {ds.BitsAllocated}-bit pixels; refused (the stored "
                              "range is unknown)")


def _voi_lut_range(ds: Any) -> tuple[float, float]:
    """(min, max) of the first VOI LUT's entries, read through pydicom over the LUT's whole input domain (the
    descriptor's bit count is often wrong, e.g. 16 for 12-bit entries, so the entries decide)."""
    from pydicom.pixels import apply_voi

    count, first, _ = (int(v) for v in ds.VOILUTSequence[0].LUTDescriptor)
    entries = apply_voi(np.arange(first, first + (count or 65536)), ds)
    return float(np.min(entries)), float(np.max(entries))


def _stored_range(ds: Any) -> tuple[float, float]:
    """Output range of the modality transform over the stored values (pydicom's `apply_windowing` y range)."""
    if ds.get("ModalityLUTSequence"):
        return 0.0, 2.0 ** int(ds.ModalityLUTSequence[0].LUTDescriptor[2]) - 1
    bits = int(ds.BitsStored)
    lo, hi = (0.0, 2.0**bits - 1) if int(ds.get("PixelRepresentation", 0)) == 0 else (-(2.0 ** (bits - 1)),
                                                                                       2.0 ** (bits - 1) - 1)
    slope, intercept = ds.get("RescaleSlope"), ds.get("RescaleIntercept")
    if slope is not None and intercept is not None:
        lo, hi = sorted((lo * float(slope) + float(intercept), hi * float(slope) + float(intercept)))
    return lo, hi


def _display_values(values: np.ndarray, ds: Any) -> np.ndarray:
    """Grey stored values → [0, 1] display values: modality LUT, VOI LUT or window, MONOCHROME1 inverted.
    Every step maps each value on its own (pydicom's LUTs and windows are per-value), so `_display` may apply
    it to a lookup table of the stored values instead of to every pixel."""
    from pydicom.pixels import apply_modality_lut, apply_voi_lut

    values = apply_voi_lut(apply_modality_lut(values, ds), ds)
    if ds.get("VOILUTSequence") and ds.VOILUTSequence[0].get("LUTData") is not None:
        lo, hi = _voi_lut_range(ds)
    else:  # windowing keeps the modality output range; no VOI leaves the values in it
        lo, hi = _stored_range(ds)
    image = np.clip((np.asarray(values, dtype=np.float64) - lo) / max(hi - lo, 1e-12), 0.0, 1.0)
    if str(ds.get("PhotometricInterpretation", "MONOCHROME2")).strip() == "MONOCHROME1":
        image = 1.0 - image
    return image.astype(np.float32)


def _display(pixels: np.ndarray, ds: Any) -> np.ndarray:
    """`_display_values` of every pixel. Integer pixels (all grey DICOM but float pixel data) go through a
    table of `_display_values` over their min..max range, indexed by the pixels: the same float32 for each
    pixel at a fraction of the work (a few hundred or thousand values instead of millions of pixels)."""
    if pixels.dtype.kind not in "iu" or pixels.size == 0:
        return _display_values(pixels, ds)
    low, high = int(pixels.min()), int(pixels.max())
    if high - low >= pixels.size:  # a sparse range: the table would be bigger than the image
        return _display_values(pixels, ds)
    table = _display_values(np.arange(low, high + 1, dtype=pixels.dtype), ds)
    return table[pixels if low == 0 else pixels.astype(np.int64) - low]


def _decode_dicom(path: Path) -> tuple[np.ndarray, int, tuple[int, int]]:
    import pydicom

    ds = pydicom.dcmread(path)
    if "PixelData" not in ds:
        raise DataError(path, "cannot decode image: DICOM has no pixel data (a header-only or truncated file)")
    check_radiograph_dicom(path, ds)
    check_grey_mapping(path, ds)
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    if int(ds.Rows) * int(ds.Columns) * frames > MAX_PIXELS:
        raise _bomb(path, int(ds.Rows) * int(ds.Columns) * frames)
    ds.BitsStored = int(ds.get("BitsStored", 8) or 8)
    pixels = np.asarray(ds.pixel_array)
    if pixels.ndim == 3:
        pixels = pixels[0]  # multi-frame: first frame (grey only: colour was refused above)
    return _display(pixels, ds), ds.BitsStored, (int(ds.Columns), int(ds.Rows))


def _decode_raster(path: Path, at_least: int | None = None) -> tuple[np.ndarray, int, tuple[int, int]]:
    try:
        with Image.open(path) as im:
            size = im.size  # the header's: draft() below may shrink im.size
            if size[0] * size[1] > MAX_PIXELS:
                raise _bomb(path, size[0] * size[1])
            if at_least is not None and im.format == "JPEG":
                im.draft("L", (at_least, at_least))
            im.load()
            if im.mode in ("I;16", "I;16B", "I;16L", "I"):
                return np.clip(np.asarray(im, dtype=np.float32) / 65535.0, 0.0, 1.0), 16, size
            grey = im.convert("L")
    except UnidentifiedImageError:
        raise DataError(path, "not a readable JPG/PNG/DICOM image") from None
    return np.asarray(grey, dtype=np.float32) / 255.0, 8, size


def read_image(path: Path) -> np.ndarray:
    """(H, W) float32 grey image in [0, 1]; a missing or corrupt file is a DataError naming it."""
    return _decode(Path(path))[0]


def image_size(path: Path) -> tuple[int, int]:
    """(width, height) from the header only (DICOM Columns/Rows, or the JPG/PNG size)."""
    path = Path(path)
    check_file(path)
    try:
        if _is_dicom(path):
            import pydicom

            ds = pydicom.dcmread(path, stop_before_pixels=True, specific_tags=["Rows", "Columns"])
            return int(ds.Columns), int(ds.Rows)
        with Image.open(path) as im:
            return im.size
    except Exception as exc:
        raise DataError(path, f"cannot read image size ({type(exc).__name__}: {exc})") from None


ACCEPTANCE = (f"accept-v2: sides >= {MIN_SIDE}; DICOM Modality {'/'.join(RADIOGRAPH_MODALITIES)}, grey only, "
              "rescale slope and intercept paired, finite, slope not 0; window finite; BitsStored unless 8-bit")
"""What load_image refuses, part of the cache key (not of PREPROCESSING: the pixels of accepted images do not
change), so an image cached before a rule existed is checked again."""


def _cache_path(path: Path, size: int) -> Path:
    info = path.stat()
    key = hashlib.sha256(f"{PREPROCESSING}|{ACCEPTANCE}|{path}|{info.st_size}|{info.st_mtime_ns}|{size}"
                         .encode()).hexdigest()
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


PREPROCESSING = ("v2: decode; DICOM modality LUT, VOI LUT or window, scaled by its output range, MONOCHROME1 "
                 "inverted; [0,1] grey; square bilinear resize, no crop")
"""The image pipeline's version, recorded in every data manifest; bump it whenever decoded pixels change."""


def load_image(path: Path, size: int) -> np.ndarray:
    """(size, size) float32 in [0, 1], decoded once and then served from cache_dir()/"images" (keyed by
    PREPROCESSING, ACCEPTANCE, the resolved path, file size, mtime and size; stored as uint8 for 8-bit sources,
    uint16 otherwise). An image with a side under MIN_SIDE, or a DICOM that is not a grey projection radiograph or
    has an unusable grey mapping, is a DataError naming the file and the value."""
    if size <= 0:
        raise ValueError(f"image size must be positive, not {size}")
    check_file(Path(path))
    path = Path(path).resolve()
    cached = _cache_path(path, size)
    if cached.is_file():
        try:
            stored = read_npy(cached)
            top = 255.0 if stored.dtype == np.uint8 else 65535.0
            if stored.shape == (size, size):
                return stored.astype(np.float32) / np.float32(top)
        except (OSError, ValueError):
            pass  # a torn or foreign file: decode again and overwrite it
    image, bits, header_size = _decode(path, size)
    check_size(path, *header_size)  # the header's size: a JPG may have been decoded at a reduced scale
    resized = _resize(image, size)
    dtype, top = (np.uint8, 255.0) if bits <= 8 else (np.uint16, 65535.0)
    stored = np.round(resized * top).astype(dtype)
    _save_atomic(cached, stored)
    return stored.astype(np.float32) / np.float32(top)
