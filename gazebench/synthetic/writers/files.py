"""Low-level file writers shared by the dataset writers: CSV flavours, JPEG and DICOM."""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
import pydicom
from PIL import Image
from pydicom.dataset import FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import UID, ExplicitVRLittleEndian, JPEGBaseline8Bit, SecondaryCaptureImageStorage

JPEG_QUALITY = 90


@dataclass(frozen=True)
class Table:
    """A table held as the text of its CSV cells (column by column), formatted once as pandas `to_csv` formats
    a DataFrame built from the same rows: a column of ints, floats and missing values is float64 (`repr`
    digits, missing as ""), any other column is written value by value (None and NaN as ""). Writing small
    tables this way costs a fraction of building and writing a DataFrame; the bytes are the same."""

    columns: tuple[str, ...]
    cells: tuple[tuple[str, ...], ...]
    """cells[j][i]: row i of column j."""

    @classmethod
    def from_rows(cls, rows: Sequence[Mapping[str, object]] | Sequence[Sequence[object]],
                  columns: Sequence[str] | None = None) -> Table:
        """Rows as dicts (columns: the given ones, else every key in order of first appearance; a missing key
        is a missing value) or as sequences in `columns` order, like `pd.DataFrame(rows, columns=columns)`."""
        if rows and not isinstance(rows[0], Mapping):
            if columns is None:
                raise ValueError("rows given as sequences need their column names")
            return cls.from_columns(dict(zip(columns, zip(*rows, strict=True), strict=True)))
        records = cast(Sequence[Mapping[str, object]], rows)
        if columns is None:
            columns = list(dict.fromkeys(key for row in records for key in row))
        return cls.from_columns({c: [row.get(c) for row in records] for c in columns})

    @classmethod
    def from_columns(cls, data: Mapping[str, Sequence[object] | np.ndarray]) -> Table:
        """Columns of equal length, like `pd.DataFrame(data)`."""
        cells = tuple(_cells(values) for values in data.values())
        if len({len(c) for c in cells}) > 1:
            raise ValueError(f"columns of unequal length: {[len(c) for c in cells]}")
        return cls(tuple(data), cells)

    def __len__(self) -> int:
        return len(self.cells[0]) if self.cells else 0

    def column(self, name: str) -> tuple[str, ...]:
        return self.cells[self.columns.index(name)]

    def take(self, rows: Sequence[int]) -> Table:
        """These rows, in this order (a filter or a reordering, formats unchanged like a DataFrame's dtypes)."""
        return Table(self.columns, tuple(tuple(column[i] for i in rows) for column in self.cells))

    def where(self, name: str, keep: Callable[[str], bool]) -> Table:
        """The rows whose `name` cell text passes `keep`."""
        return self.take([i for i, text in enumerate(self.column(name)) if keep(text)])


def _cells(values: Sequence[object] | np.ndarray) -> tuple[str, ...]:
    """One column's CSV text as pandas writes it (numeric columns with a float or a missing value are float64)."""
    if isinstance(values, np.ndarray):
        if values.dtype.kind == "f":
            return _float_cells(values)
        if values.dtype.kind in "iub":
            return tuple(values.astype(str).tolist())
        values = values.tolist()
    types = set(map(type, values))
    floats = {t for t in types if t is type(None) or issubclass(t, (float, np.floating))}
    if not floats:  # no missing values: each value's own text (str of a str is itself)
        return tuple(map(str, values))
    if all(t in floats or (issubclass(t, (int, np.integer)) and not issubclass(t, bool)) for t in types):
        return _float_cells(np.array([np.nan if v is None else v for v in values], dtype=np.float64))
    return tuple("" if v is None or (isinstance(v, (float, np.floating)) and v != v) else str(v) for v in values)


def _float_cells(values: np.ndarray) -> tuple[str, ...]:
    """pandas' float column text: `astype(str)` (shortest round-trip digits), NaN as ""."""
    text = values.astype(str).astype(object)
    text[np.isnan(values)] = ""
    return tuple(text.tolist())


def _write(table: Table, path: Path, *, index: bool, lineterminator: str) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=lineterminator, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(("", *table.columns) if index else table.columns)
    columns = (tuple(str(i) for i in range(len(table))), *table.cells) if index else table.cells
    writer.writerows(zip(*columns, strict=True))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode("utf-8"))


def pandas_csv(table: Table, path: Path) -> None:
    """As MIMIC-EYE's build code writes tables: `to_csv()` with the default unnamed index column."""
    _write(table, path, index=True, lineterminator="\n")


def crlf_csv(table: Table, path: Path) -> None:
    """As REFLACX writes its per-case files: no index column, CRLF line endings."""
    _write(table, path, index=False, lineterminator="\r\n")


def plain_csv(table: Table, path: Path) -> None:
    """No index column, LF line endings (CheXpert, RSNA, SIIM)."""
    _write(table, path, index=False, lineterminator="\n")


def jpeg_bytes(pixels: np.ndarray) -> bytes:
    """8-bit grayscale baseline JPEG of a [0, 1] image."""
    buf = io.BytesIO()
    levels = pixels * 255.0
    np.round(levels, out=levels)
    Image.fromarray(levels.astype(np.uint8), mode="L").save(buf, format="JPEG", quality=JPEG_QUALITY)
    return buf.getvalue()


def write_jpeg(pixels: np.ndarray, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(jpeg_bytes(pixels))


def write_dicom(pixels: np.ndarray, path: Path, *, patient_id: str, uids: tuple[str, str, str], view: str,
                sex: str, age: int, monochrome1: bool = False, bits12: bool = False) -> None:
    """A Secondary Capture CR chest DICOM like the Kaggle releases: 8-bit JPEG baseline by default, or
    uncompressed 12-bit in 16-bit words; MONOCHROME1 stores the inverted values."""
    study_uid, series_uid, sop_uid = uids
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    meta.MediaStorageSOPInstanceUID = UID(sop_uid)
    meta.TransferSyntaxUID = ExplicitVRLittleEndian if bits12 else JPEGBaseline8Bit
    ds = pydicom.Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = SecondaryCaptureImageStorage, sop_uid
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study_uid, series_uid
    ds.StudyDate, ds.StudyTime = "19010101", "000000.00"
    ds.SeriesNumber, ds.InstanceNumber = 1, 1
    ds.PatientID, ds.PatientName = patient_id, patient_id
    ds.PatientSex, ds.PatientAge = sex[:1].upper(), f"{age:03d}Y"
    ds.Modality, ds.ConversionType, ds.BodyPartExamined = "CR", "WSD", "CHEST"
    ds.ViewPosition, ds.SeriesDescription = view, f"view: {view}"
    ds.PixelSpacing = [0.168, 0.168]
    ds.Rows, ds.Columns = pixels.shape
    ds.SamplesPerPixel, ds.PixelRepresentation = 1, 0
    ds.PhotometricInterpretation = "MONOCHROME1" if monochrome1 else "MONOCHROME2"
    shown = 1.0 - pixels if monochrome1 else pixels
    if bits12:
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 12, 11
        ds.PixelData = np.round(shown * 4095.0).astype("<u2").tobytes()
    else:
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 8, 8, 7
        ds.LossyImageCompression = "01"
        ds.PixelData = encapsulate([jpeg_bytes(shown)])
        ds["PixelData"].VR = "OB"
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)


def dicom_uid(kind: int, site: int, serial: int, stamp: int) -> str:
    """A Kaggle-style UID `1.2.276.0.7230010.3.1.{kind}.8323329.{site}.{stamp}.{serial}`
    (kind 2 study, 3 series, 4 SOP)."""
    return f"1.2.276.0.7230010.3.1.{kind}.8323329.{site}.{stamp}.{serial}"
