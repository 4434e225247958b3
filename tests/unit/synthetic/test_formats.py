"""The written files follow the real formats (as the datasets reference describes them), read with pandas/pydicom."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pydicom
from PIL import Image

from gazebench.data.rle import decode_rle
from gazebench.labels import CHEXPERT_LABELS

DICOM_ID = re.compile(r"^[0-9a-f]{8}(-[0-9a-f]{8}){4}$")
META_COLUMNS = ["dicom_id", "subject_id", "study_id", "PerformedProcedureStepDescription", "ViewPosition", "Rows",
                "Columns", "StudyDate", "StudyTime", "ProcedureCodeSequence_CodeMeaning",
                "ViewCodeSequence_CodeMeaning", "PatientOrientationCodeSequence_CodeMeaning", "in_eye_gaze",
                "in_reflacx", "StudyDateTime", "stay_id"]
FIXATION_HEADER = ("timestamp_start_fixation,timestamp_end_fixation,x_position,y_position,pupil_area_normalized,"
                   "angular_resolution_x_pixels_per_degree,angular_resolution_y_pixels_per_degree,window_width,"
                   "window_level,xmin_shown_from_image,ymin_shown_from_image,xmax_shown_from_image,"
                   "ymax_shown_from_image,xmin_in_screen_coordinates,ymin_in_screen_coordinates,"
                   "xmax_in_screen_coordinates,ymax_in_screen_coordinates")


def test_marker_says_simulated(small_study: Path) -> None:
    marker = json.loads((small_study / "SIMULATED.json").read_text())
    assert marker["simulated"] is True and marker["generator"] == "simulated-v4"
    assert marker["seed"] == 0 and marker["size"] == "small" and marker["version"] == "simulated-v4 (seed 0)"
    assert marker["counts"]["mimic-eye"]["images"] >= 30


def test_mimic_tables_have_index_column_and_match_images(small_study: Path) -> None:
    root = small_study / "mimic-eye"
    patients = sorted(root.glob("patient_*"))
    assert len(patients) >= 20
    all_meta = []
    for pdir in patients:
        assert pdir.name[8:].isdigit() and len(pdir.name[8:]) == 8 and pdir.name[8] == "1"
        meta_path = pdir / "CXR-JPG" / "cxr_meta.csv"
        assert meta_path.read_text().startswith(",dicom_id,subject_id,study_id,")
        meta = pd.read_csv(meta_path)
        assert list(meta.columns) == ["Unnamed: 0", *META_COLUMNS]
        all_meta.append(meta)
        for row in meta.itertuples():
            assert DICOM_ID.match(row.dicom_id)
            jpg = pdir / "CXR-JPG" / f"s{row.study_id}" / f"{row.dicom_id}.jpg"
            with Image.open(jpg) as img:
                assert img.size == (row.Columns, row.Rows) and img.mode == "L"
        chex = pd.read_csv(pdir / "CXR-JPG" / "cxr_chexpert.csv")
        assert list(chex.columns) == ["Unnamed: 0", "subject_id", "study_id", *sorted(CHEXPERT_LABELS)]
        values = chex[list(CHEXPERT_LABELS)].to_numpy().ravel()
        assert set(values[~np.isnan(values)]) <= {1.0, 0.0, -1.0}
        assert set(chex["No Finding"].dropna()) <= {1.0}
        assert set(meta["study_id"]) <= set(chex["study_id"])
        split = pd.read_csv(pdir / "CXR-JPG" / "cxr_split.csv")
        assert set(split["split"]) <= {"train", "validate", "test"}
        assert (pdir / "index.html").exists()
    meta = pd.concat(all_meta)
    sheet = pd.read_csv(root / "spreadsheets" / "cxr_meta.csv")
    assert set(meta["dicom_id"]) < set(sheet["dicom_id"]), "spreadsheet lists a subject with no folder"
    jpgs = {p.stem for p in root.glob("patient_*/CXR-JPG/s*/*.jpg")}
    assert jpgs - set(meta["dicom_id"]), "a stray lateral image with no cxr_meta row"


def test_uncertain_and_blank_labels_occur(small_study: Path) -> None:
    chex = pd.read_csv(small_study / "mimic-eye" / "spreadsheets" / "CXR-JPG" / "cxr_chexpert.csv")
    values = chex[list(CHEXPERT_LABELS)]
    assert values.isna().any().any() and (values == 0.0).any().any() and (values == 1.0).any().any()


def test_reflacx_files(small_study: Path) -> None:
    root = small_study / "mimic-eye"
    meta = pd.read_csv(root / "spreadsheets" / "REFLACX" / "metadata.csv")
    assert list(meta.columns[:9]) == ["Unnamed: 0", "id", "split", "eye_tracking_data_discarded", "image", "dicom_id",
                                      "subject_id", "image_size_x", "image_size_y"]
    labels = list(meta.columns[9:])
    assert labels == sorted(labels) and "Pleural abnormality" in labels and "Support devices" in labels
    raw = (root / "spreadsheets" / "REFLACX" / "metadata.csv").read_text().splitlines()[1]
    assert re.search(r",\d\.0,", raw), "certainties are written as floats like 5.0"
    assert meta["id"].str.match(r"^P[23]\d\dR\d{6}$").all()
    assert meta["eye_tracking_data_discarded"].sum() >= 1
    cxr = pd.read_csv(root / "spreadsheets" / "cxr_meta.csv").set_index("dicom_id")
    for row in meta.itertuples():
        case = root / f"patient_{row.subject_id}" / "REFLACX" / "main_data" / row.id
        assert row.image.endswith(f"s{cxr.loc[row.dicom_id, 'study_id']}/{row.dicom_id}.dcm")
        assert (row.image_size_x, row.image_size_y) == (cxr.loc[row.dicom_id, "Columns"], cxr.loc[row.dicom_id, "Rows"])
        assert (case / "chest_bounding_box.csv").read_bytes().startswith(b"xmin,ymin,xmax,ymax\r\n")
        assert (case / "anomaly_location_ellipses.csv").read_bytes().startswith(b"xmin,ymin,xmax,ymax,certainty,")
        if row.eye_tracking_data_discarded:
            assert not (case / "fixations.csv").exists() and not (case / "transcription.txt").exists()
            continue
        data = (case / "fixations.csv").read_bytes()
        assert data.startswith(FIXATION_HEADER.encode() + b"\r\n") and data.count(b"\n") == data.count(b"\r\n")
        fix = pd.read_csv(case / "fixations.csv")
        assert (fix["timestamp_end_fixation"] >= fix["timestamp_start_fixation"]).all()
        assert fix["timestamp_start_fixation"].min() < 0, "fixations before the dictation starts are negative"
        words = pd.read_csv(case / "timestamps_transcription.csv", keep_default_na=False)
        assert list(words.columns) == ["word", "timestamp_start_word", "timestamp_end_word"]
        text = (case / "transcription.txt").read_text()
        assert not text.endswith("\n")
        assert text.replace(".", " .").replace(",", " ,") == " ".join(words["word"])


def test_eyegaze_tables(small_study: Path) -> None:
    sheets = small_study / "mimic-eye" / "spreadsheets" / "EyeGaze"
    master = pd.read_csv(sheets / "master_sheet_with_updated_stayId.csv")
    fix = pd.read_csv(sheets / "fixations.csv")
    for column in ("SESSION_ID", "DICOM_ID", "Time (in secs)", "FPOGX", "FPOGY", "FPOGD", "X_ORIGINAL", "Y_ORIGINAL"):
        assert column in fix.columns
    calibration = ~fix["DICOM_ID"].isin(master["dicom_id"])
    assert calibration.any() and (fix.loc[calibration, "DICOM_ID"].str.len() == 39).all()
    assert (fix["X_ORIGINAL"] < 0).any()
    assert {"Normal", "CHF", "pneumonia", "image_left_pad", "pleural_effusion__chx"} <= set(master.columns)
    per_patient = list((small_study / "mimic-eye").glob("patient_*/EyeGaze/fixations.csv"))
    assert per_patient
    for path in per_patient:
        rows = pd.read_csv(path)
        assert rows.columns[0] == "Unnamed: 0" and rows["DICOM_ID"].isin(master["dicom_id"]).all()
        transcript = path.parent / "audio_segmentation_transcripts" / rows["DICOM_ID"].iloc[0] / "transcript.json"
        assert json.loads(transcript.read_text())["time_stamped_text"][0]["phrase"]


def test_chexpert_valid(small_study: Path) -> None:
    root = small_study / "CheXpert-v1.0-small"
    text = (root / "valid.csv").read_text()
    assert text.startswith("Path,Sex,Age,Frontal/Lateral,AP/PA," + ",".join(CHEXPERT_LABELS) + "\n")
    valid = pd.read_csv(root / "valid.csv")
    assert valid["Path"].str.match(r"^CheXpert-v1\.0-small/valid/patient\d{5}/study1/view1_frontal\.jpg$").all()
    assert set(valid[list(CHEXPERT_LABELS)].to_numpy().ravel()) <= {0.0, 1.0}
    for rel in valid["Path"]:
        assert (small_study / rel).is_file()


def test_rsna(small_study: Path) -> None:
    root = small_study / "rsna-pneumonia-detection-challenge"
    assert (root / "stage_2_train_labels.csv").read_text().startswith("patientId,x,y,width,height,Target\n")
    labels = pd.read_csv(root / "stage_2_train_labels.csv")
    classes = pd.read_csv(root / "stage_2_detailed_class_info.csv")
    assert list(classes.columns) == ["patientId", "class"] and len(classes) == len(labels)
    assert set(classes["class"]) <= {"Lung Opacity", "Normal", "No Lung Opacity / Not Normal"}
    pos = labels[labels["Target"] == 1]
    assert len(pos) and labels.loc[labels["Target"] == 0, ["x", "y", "width", "height"]].isna().all().all()
    assert ((pos["x"] >= 0) & (pos["x"] + pos["width"] <= 1024) & (pos["y"] + pos["height"] <= 1024)).all()
    bits, photometric = set(), set()
    for pid in labels["patientId"].unique():
        ds = pydicom.dcmread(root / "stage_2_train_images" / f"{pid}.dcm")
        assert ds.PatientID == pid and (ds.Rows, ds.Columns) == (1024, 1024) and ds.Modality == "CR"
        assert ds.ViewPosition in ("AP", "PA") and ds.PhotometricInterpretation in ("MONOCHROME1", "MONOCHROME2")
        assert ds.pixel_array.shape == (1024, 1024)
        bits.add(int(ds.BitsStored))
        photometric.add(ds.PhotometricInterpretation)
    assert bits == {8, 12} and photometric == {"MONOCHROME1", "MONOCHROME2"}


def test_siim(small_study: Path) -> None:
    root = small_study / "siim-acr-pneumothorax"
    lines = (root / "train-rle.csv").read_text().splitlines()
    assert lines[0] == "ImageId, EncodedPixels"
    rle = pd.read_csv(root / "train-rle.csv")
    assert list(rle.columns) == ["ImageId", " EncodedPixels"]
    assert rle[" EncodedPixels"].str.startswith(" ").all()
    positives = rle[rle[" EncodedPixels"].str.strip() != "-1"]
    assert len(positives) >= 1
    for value in positives[" EncodedPixels"]:
        assert decode_rle(value).sum() > 100
    dicoms = {p.stem: p for p in (root / "dicom-images-train").glob("*/*/*.dcm")}
    assert set(dicoms) == set(rle["ImageId"])
    photometric = set()
    for image_id, path in dicoms.items():
        ds = pydicom.dcmread(path)
        assert ds.SOPInstanceUID == image_id and ds.SeriesInstanceUID == path.parent.name
        assert ds.StudyInstanceUID == path.parent.parent.name
        assert ds.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.4.50"
        assert ds.pixel_array.shape == (1024, 1024) and ds.BitsStored == 8
        photometric.add(ds.PhotometricInterpretation)
    assert photometric == {"MONOCHROME1", "MONOCHROME2"}
