"""Low-level file writers shared by the dataset writers: CSV flavours, JPEG and DICOM."""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pydicom
from PIL import Image
from pydicom.dataset import FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import UID, ExplicitVRLittleEndian, JPEGBaseline8Bit, SecondaryCaptureImageStorage

JPEG_QUALITY = 90


def pandas_csv(df: pd.DataFrame, path: Path) -> None:
    """As MIMIC-EYE's build code writes tables: `to_csv()` with the default unnamed index column."""
    path.parent.mkdir(parents=True, exist_ok=True)
    df.reset_index(drop=True).to_csv(path)


def crlf_csv(df: pd.DataFrame, path: Path) -> None:
    """As REFLACX writes its per-case files: no index column, CRLF line endings."""
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, lineterminator="\r\n")


def plain_csv(df: pd.DataFrame, path: Path) -> None:
    """No index column, LF line endings (CheXpert, RSNA, SIIM)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, lineterminator="\n")


def jpeg_bytes(pixels: np.ndarray) -> bytes:
    """8-bit grayscale baseline JPEG of a [0, 1] image."""
    buf = io.BytesIO()
    Image.fromarray(np.round(pixels * 255.0).astype(np.uint8), mode="L").save(buf, format="JPEG", quality=JPEG_QUALITY)
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
