"""Hostile but real-format trees: a folder or symlink loop where a file belongs, header-only tables, impossible
timestamps, odd label cells, RLE conventions, ids that match nothing, contradicting rows, DICOM rescale values and
repeated header columns are each a one-line DataError naming the file (and row) or a counted skip, never a
traceback, a silent skip or a silently wrong number (docs/data.md, "Files and tables")."""
from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pydicom
import pytest

from fixtures import formats as F
from gazebench.data.check import check
from gazebench.data.images import read_image
from gazebench.data.readers import READERS
from gazebench.data.readers.reflacx import read_fixations
from gazebench.data.skips import SkipLog
from gazebench.data.tables import read_csv
from gazebench.errors import DataError
from gazebench.labels import CHEXPERT_LABELS
from gazebench.records import Dataset
from gazebench.task import apply_label_policy

PTX = CHEXPERT_LABELS.index("Pneumothorax")
PNEUMONIA = CHEXPERT_LABELS.index("Pneumonia")


def _reflacx(tmp_path: Path) -> Path:
    return F.write_reflacx(tmp_path / "mirror")


def _egd(tmp_path: Path) -> Path:
    return F.write_egd(tmp_path / "mirror")


def _skip(dataset: Dataset, words: str) -> tuple[int, tuple[str, ...], str]:
    """(count, examples, kind) of the one skip reason containing `words`."""
    found = [s for s in dataset.skips if words in s.reason]
    assert len(found) == 1, [s.reason for s in dataset.skips]
    return found[0].count, found[0].examples, found[0].kind


def _loop(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.symlink_to(path.name)  # points at itself: ELOOP on open


# ------------------------------------------------------------------ 1. a folder or symlink loop at a file's place
@pytest.mark.parametrize("name", ["timestamps_transcription.csv", "chest_bounding_box.csv", "fixations.csv",
                                  "anomaly_location_ellipses.csv"])
def test_reflacx_folder_where_a_case_file_belongs(tmp_path: Path, name: str) -> None:
    root = _reflacx(tmp_path)
    path = root / "main_data" / F.R_P1_A / name
    path.unlink()
    path.mkdir()
    with pytest.raises(DataError, match=rf"{F.R_P1_A}/{name}: not a regular file \(a folder\)"):
        READERS.create("reflacx", root=root)


@pytest.mark.parametrize("name", ["timestamps_transcription.csv", "chest_bounding_box.csv", "fixations.csv"])
def test_reflacx_symlink_loop_where_a_case_file_belongs(tmp_path: Path, name: str) -> None:
    root = _reflacx(tmp_path)
    path = root / "main_data" / F.R_P1_A / name
    _loop(path)
    with pytest.raises(DataError, match=rf"{F.R_P1_A}/{name}: unreadable: symlink loop"):
        READERS.create("reflacx", root=root)


def test_reflacx_metadata_phase_as_a_folder(tmp_path: Path) -> None:
    root = _reflacx(tmp_path)
    phase = root / "main_data" / "metadata_phase_2.csv"
    phase.unlink()
    phase.mkdir()
    with pytest.raises(DataError, match=r"metadata_phase_2\.csv: not a regular file \(a folder\)"):
        READERS.create("reflacx", root=root)


def test_eyegaze_transcript_as_a_folder_or_loop(tmp_path: Path) -> None:
    root = _egd(tmp_path)
    transcript = root / "audio_segmentation_transcripts" / F.D_E1 / "transcript.json"
    _loop(transcript)
    with pytest.raises(DataError, match=r"transcript\.json: unreadable: symlink loop"):
        READERS.create("eyegaze", root=root)
    transcript.unlink()
    transcript.mkdir()
    with pytest.raises(DataError, match=r"transcript\.json: not a regular file \(a folder\)"):
        READERS.create("eyegaze", root=root)


def test_chexpert_groundtruth_as_a_folder_is_not_a_silent_fallback_to_valid(tmp_path: Path) -> None:
    root = F.write_chexpert(tmp_path, test=True)
    (root / "groundtruth.csv").unlink()
    (root / "groundtruth.csv").mkdir()
    with pytest.raises(DataError, match=r"groundtruth\.csv: not a regular file \(a folder\)"):
        READERS.create("chexpert", root=root)


def test_vqa_split_file_as_a_folder_is_not_a_silent_no_split(tmp_path: Path) -> None:
    F.write_mimic_eye(tmp_path)
    root = F.write_cxr_vqa(tmp_path, splits=False)
    (root / "splits_mimic_llm_VQA.json").mkdir()
    with pytest.raises(DataError, match=r"splits_mimic_llm_VQA\.json: not a regular file \(a folder\)"):
        READERS.create("medical-cxr-vqa", root=root)


def test_vqa_split_index_that_is_a_boolean_is_refused(tmp_path: Path) -> None:
    F.write_mimic_eye(tmp_path)
    root = F.write_cxr_vqa(tmp_path)
    (root / "splits_mimic_llm_VQA.json").write_text(json.dumps({"train": [True], "test": [0]}))
    with pytest.raises(DataError, match=r"'train' lists True, not a row index"):
        READERS.create("medical-cxr-vqa", root=root)


def test_required_table_that_is_a_folder_or_dangling_link(tmp_path: Path) -> None:
    (tmp_path / "a.csv").mkdir()
    with pytest.raises(DataError, match=r"a\.csv: not a regular file \(a folder\)"):
        read_csv(tmp_path / "a.csv")
    (tmp_path / "b.csv").symlink_to("nowhere.csv")
    with pytest.raises(DataError, match=r"b\.csv: unreadable: broken symlink"):
        read_csv(tmp_path / "b.csv")
    with pytest.raises(DataError, match=r"c\.csv: file not found"):
        read_csv(tmp_path / "c.csv")


@pytest.mark.parametrize("name", ["mimic-eye", "ms-cxr"])
def test_folder_where_a_mimic_image_belongs_is_named_by_the_check(tmp_path: Path, name: str) -> None:
    eye = F.write_mimic_eye(tmp_path)
    root = F.write_ms_cxr(tmp_path) if name == "ms-cxr" else eye
    jpg = eye / f"patient_{F.S1}" / "CXR-JPG" / "s50000001" / f"{F.D_A}.jpg"
    jpg.unlink()
    jpg.mkdir()
    report = check(name, root)
    assert f"{jpg}: not a regular file (a FIFO, device or folder); not opened" in report.problems
    assert not any("missing" in line and F.D_A in line for line in report.skipped)


# ------------------------------------------------------------------------------ 2. header-only fixations.csv
def test_reflacx_header_only_fixations_is_a_counted_skip(tmp_path: Path) -> None:
    root = _reflacx(tmp_path)
    fixations = root / "main_data" / F.R_P1_B / "fixations.csv"
    fixations.write_text(fixations.read_text().splitlines()[0] + "\r\n")
    dataset = READERS.create("reflacx", root=root)
    one = next(s for s in dataset.samples if s.sample_id == F.D_R1)
    assert [g.reading_id for g in one.gaze] == [F.R_P1_A]
    count, examples, kind = _skip(dataset, "fixations.csv has no fixation rows (header only)")
    assert (count, examples, kind) == (1, (F.R_P1_B,), "skipped")


def test_eyegaze_header_only_fixations_counts_every_image_left_without_gaze(tmp_path: Path) -> None:
    root = _egd(tmp_path)
    F.write_csv(root / "fixations.csv", F.EGD_FIXATION_HEADER, [])
    dataset = READERS.create("eyegaze", root=root)
    assert all(s.gaze == () for s in dataset.samples) and len(dataset.samples) == 2
    count, examples, kind = _skip(dataset, "image with no usable fixation row (kept, without gaze)")
    assert (count, set(examples), kind) == (2, {F.D_E1, F.D_E2}, "kept")


def test_header_only_fixations_read_directly_is_empty_not_a_crash(tmp_path: Path) -> None:
    path = F.write_csv(tmp_path / "fixations.csv", F.REFLACX_FIXATION_HEADER, [], crlf=True)
    assert len(read_fixations(path, (32, 48), SkipLog())) == 0


# ------------------------------------------------------------------- 3. infinite or reversed word timestamps
@pytest.mark.parametrize(("start", "end", "why"), [("0.4", "inf", "infinite"), ("-inf", "0.8", "infinite"),
                                                   ("0.8", "0.4", "ends before it starts")])
def test_reflacx_impossible_word_timestamps_name_the_row(tmp_path: Path, start: str, end: str, why: str) -> None:
    root = _reflacx(tmp_path)
    words = root / "main_data" / F.R_P1_A / "timestamps_transcription.csv"
    F.write_csv(words, ("word", "timestamp_start_word", "timestamp_end_word"),
                [("effusion", 0.1, 0.3), ("small", start, end)], crlf=True)
    with pytest.raises(DataError, match=rf"timestamps_transcription\.csv, row 3: word 'small' .*{why}"):
        READERS.create("reflacx", root=root)


@pytest.mark.parametrize(("begin", "end", "why"), [("0.5s", "infs", "infinite"), (0.9, 0.5, "ends before it starts"),
                                                   ("nan", 1.0, "NaN")])
def test_eyegaze_impossible_phrase_times_name_the_phrase(tmp_path: Path, begin: object, end: object,
                                                         why: str) -> None:
    root = _egd(tmp_path)
    transcript = root / "audio_segmentation_transcripts" / F.D_E1 / "transcript.json"
    transcript.write_text(json.dumps({"time_stamped_text": [{"phrase": "ok", "begin_time": 0.1, "end_time": 0.2},
                                                            {"phrase": "bad", "begin_time": begin,
                                                             "end_time": end}]}))
    with pytest.raises(DataError, match=rf"transcript\.json: time_stamped_text\[1\] \('bad'\) .*{why}"):
        READERS.create("eyegaze", root=root)


def test_eyegaze_transcript_with_a_bom_is_read(tmp_path: Path) -> None:
    root = _egd(tmp_path)
    transcript = root / "audio_segmentation_transcripts" / F.D_E1 / "transcript.json"
    transcript.write_bytes(b"\xef\xbb\xbf" + transcript.read_bytes())
    dataset = READERS.create("eyegaze", root=root)
    e1 = next(s for s in dataset.samples if s.sample_id == F.D_E1)
    assert [w.text for w in e1.gaze[0].words] == ["pneumonia"]


# --------------------------------------------------------------------------------- 4. CheXpert cells and views
def _chexpert(tmp_path: Path, frontal: str, view: str, codes: dict[str, str]) -> Path:
    root = F.write_chexpert(tmp_path)
    rel = "valid/patient64541/study1/view1_frontal.jpg"
    F.write_csv(root / "valid.csv", F.CHEXPERT_HEADER,
                [[f"CheXpert-v1.0-small/{rel}", "Female", 70, frontal, view,
                  *[codes.get(n, "") for n in CHEXPERT_LABELS]]])
    return root


def test_chexpert_blank_is_not_mentioned_and_uncertain_follows_the_policy(tmp_path: Path) -> None:
    root = _chexpert(tmp_path, "Frontal", "PA", {"Edema": "-1.0", "Cardiomegaly": "1.0", "Pneumonia": "0.0"})
    (sample,) = READERS.create("chexpert", root=root).samples
    edema, cardio = CHEXPERT_LABELS.index("Edema"), CHEXPERT_LABELS.index("Cardiomegaly")
    assert sample.view == "PA"
    assert sample.labels[edema] == -1.0 and sample.labels[cardio] == 1.0 and sample.labels[PNEUMONIA] == 0.0
    assert math.isnan(sample.labels[PTX])  # blank: not mentioned, never a negative
    masked = apply_label_policy(np.array(sample.labels), "ignore", "ignore")
    assert math.isnan(masked[edema]) and math.isnan(masked[PTX]) and masked[cardio] == 1.0
    assert apply_label_policy(np.array(sample.labels), "ones", "negative")[[edema, PTX]].tolist() == [1.0, 0.0]


@pytest.mark.parametrize(("frontal", "view", "column"), [("", "AP", "Frontal/Lateral"),
                                                         ("frontal", "AP", "Frontal/Lateral"),
                                                         ("Frontal", "Posteroanterior", "AP/PA")])
def test_chexpert_view_columns_outside_the_published_values_are_refused(tmp_path: Path, frontal: str, view: str,
                                                                       column: str) -> None:
    root = _chexpert(tmp_path, frontal, view, {})
    with pytest.raises(DataError, match=rf"valid\.csv, row 2: column '{column}' must be one of"):
        READERS.create("chexpert", root=root)


def test_chexpert_lateral_is_counted_not_kept(tmp_path: Path) -> None:
    root = _chexpert(tmp_path, "Lateral", "", {"Edema": "1.0"})
    dataset = READERS.create("chexpert", root=root)
    assert dataset.samples == ()
    assert _skip(dataset, "lateral image (frontal only)")[:2] == (1, ("row 2",))


# -------------------------------------------------------------------------------------- 5. SIIM-ACR RLE cells
def _siim(tmp_path: Path, values: list[str]) -> Path:
    root = F.write_siim(tmp_path)
    a, b, _ = F.SIIM_IDS
    lines = ["ImageId, EncodedPixels", *[f"{i}, {v}" for i, v in zip((a, b), values, strict=False)]]
    (root / "train-rle.csv").write_text("\n".join(lines) + "\n")
    return root


@pytest.mark.parametrize("empty", ["0 0", "", "-1", "10 0 20 0"])
def test_siim_empty_mask_conventions_are_negatives(tmp_path: Path, empty: str) -> None:
    dataset = READERS.create("siim-acr", root=_siim(tmp_path, [empty, F.SIIM_RLES[0]]))
    a, b, _ = F.SIIM_IDS
    samples = {s.sample_id: s for s in dataset.samples}
    assert samples[a].labels[PTX] == 0.0 and samples[a].mask_rle == ()
    assert samples[b].labels[PTX] == 1.0 and samples[b].mask_rle == (F.SIIM_RLES[0],)
    if empty == "-1":
        assert not any("no pneumothorax" in s.reason for s in dataset.skips)
    else:
        assert _skip(dataset, "read as no pneumothorax")[:3] == (1, (f"{a} row 2",), "kept")


@pytest.mark.parametrize(("rle", "why"), [("1 2 3", "odd number"), ("1.5 2", "non-integer"), ("-1 5", "negative"),
                                          ("5 x", "non-integer")])
def test_siim_malformed_rle_names_the_row(tmp_path: Path, rle: str, why: str) -> None:
    with pytest.raises(DataError, match=rf"train-rle\.csv, row 3: bad EncodedPixels: .*{why}"):
        READERS.create("siim-acr", root=_siim(tmp_path, ["-1", rle]))


# ---------------------------------------------------------------------------------------- 6. ids matching nothing
def test_reflacx_dicom_id_that_is_not_the_image_file_is_refused(tmp_path: Path) -> None:
    root = _reflacx(tmp_path)
    meta = root / "main_data" / "metadata_phase_1.csv"
    meta.write_text(meta.read_text().replace(f",{F.D_R1},", f",{F.D_R3},", 1))
    with pytest.raises(DataError, match=rf"metadata_phase_1\.csv, row 2: ids disagree with image '.*{F.D_R1}\.dcm': "
                                        rf"dicom_id {F.D_R3} \(path has {F.D_R1}\)"):
        READERS.create("reflacx", root=root)


def test_reflacx_subject_id_that_is_not_the_image_path_s_is_refused(tmp_path: Path) -> None:
    root = _reflacx(tmp_path)
    meta = root / "main_data" / "metadata_phase_1.csv"
    meta.write_text(meta.read_text().replace(f",{F.S1},", ",19999999,", 1))
    with pytest.raises(DataError, match=rf"metadata_phase_1\.csv, row 2: ids disagree .*subject_id 19999999 "
                                        rf"\(path has {F.S1}\)"):
        READERS.create("reflacx", root=root)


def test_reflacx_duplicated_reading_id_across_phases_is_refused(tmp_path: Path) -> None:
    root = _reflacx(tmp_path)
    meta = root / "main_data" / "metadata_phase_3.csv"
    meta.write_text(meta.read_text().replace(F.R_P3, F.R_P1_A))
    with pytest.raises(DataError, match=r"duplicate REFLACX reading ids"):
        READERS.create("reflacx", root=root)


def test_reflacx_case_folder_without_a_metadata_row_is_counted(tmp_path: Path) -> None:
    root = _reflacx(tmp_path)
    (root / "main_data" / "P999R000001").mkdir()
    dataset = READERS.create("reflacx", root=root)
    assert _skip(dataset, "REFLACX case folder with no metadata row")[:2] == (1, ("P999R000001",))


def test_eyegaze_master_dicom_id_that_is_not_the_image_file_is_refused(tmp_path: Path) -> None:
    root = _egd(tmp_path)
    master = root / "master_sheet.csv"
    master.write_text(master.read_text().replace(f"{F.D_E2}.dcm", f"{F.D_E1}.dcm"))
    with pytest.raises(DataError, match=rf"master_sheet\.csv, row 3: ids disagree .*dicom_id {F.D_E2} "
                                        rf"\(path has {F.D_E1}\)"):
        READERS.create("eyegaze", root=root)


def test_eyegaze_master_study_that_is_not_the_image_path_s_is_refused(tmp_path: Path) -> None:
    root = _egd(tmp_path)
    master = root / "master_sheet.csv"
    master.write_text(master.read_text().replace(f"s50000002/{F.D_E2}", f"s50000077/{F.D_E2}"))
    with pytest.raises(DataError, match=r"master_sheet\.csv, row 3: ids disagree .*study_id 50000002 \(path has "
                                        r"50000077\)"):
        READERS.create("eyegaze", root=root)


def test_eyegaze_transcript_of_no_master_image_is_counted(tmp_path: Path) -> None:
    root = _egd(tmp_path)
    stray = root / "audio_segmentation_transcripts" / F.dicom_id("stray") / "transcript.json"
    stray.parent.mkdir(parents=True)
    stray.write_text('{"time_stamped_text": []}')
    dataset = READERS.create("eyegaze", root=root)
    assert _skip(dataset, "transcript of a dicom_id not in master_sheet.csv")[:2] == (1, (F.dicom_id("stray"),))


def test_eyegaze_duplicated_master_id_is_refused(tmp_path: Path) -> None:
    root = _egd(tmp_path)
    master = root / "master_sheet.csv"
    master.write_text(master.read_text().replace(F.D_E_MISSING, F.D_E2))
    with pytest.raises(DataError, match=rf"master_sheet\.csv, row 4: duplicate dicom_id {F.D_E2}"):
        READERS.create("eyegaze", root=root)


# ----------------------------------------------------------------------------------- 7. RSNA Target 0 with a box
def test_rsna_target_zero_row_with_a_box_is_damaged_and_stays_negative(tmp_path: Path) -> None:
    root = F.write_rsna(tmp_path)
    table = root / "stage_2_train_labels.csv"
    b = F.RSNA_IDS[1]
    table.write_text(table.read_text().replace(f"{b},,,,,0", f"{b},100.0,100.0,50.0,50.0,0"))
    dataset = READERS.create("rsna", root=root)
    sample = next(s for s in dataset.samples if s.sample_id == b)
    assert sample.labels[PNEUMONIA] == 0.0 and sample.boxes == ()
    assert _skip(dataset, "Target 0 row with a box")[:3] == (1, (f"{table} row 3",), "damaged")


# --------------------------------------------------------------------------------------- 8. DICOM rescale values
@pytest.mark.parametrize(("slope", "intercept", "why"), [
    ("0", "0", "RescaleSlope is 0"), ("NaN", "0", "RescaleSlope is nan"), ("1", "inf", "RescaleIntercept is inf"),
    ("2", None, "RescaleSlope without RescaleIntercept"), (None, "-1024", "RescaleIntercept without RescaleSlope"),
])
def test_dicom_with_an_impossible_rescale_is_refused(tmp_path: Path, slope: str | None, intercept: str | None,
                                                     why: str) -> None:
    path = F.write_dicom(tmp_path / "x.dcm", F.pattern(32, 32))
    ds = pydicom.dcmread(path)
    with warnings.catch_warnings():  # pydicom warns that NaN and inf are not valid DS text: that is the point
        warnings.simplefilter("ignore", UserWarning)
        if slope is not None:
            ds.add_new("RescaleSlope", "DS", slope)
        if intercept is not None:
            ds.add_new("RescaleIntercept", "DS", intercept)
        ds.save_as(path)
    with pytest.raises(DataError, match=rf"x\.dcm: DICOM {why}"):
        read_image(path)


@pytest.mark.parametrize(("edit", "why"), [
    ({"WindowCenter": "nan", "WindowWidth": "100"}, "WindowCenter is nan"),
    ({"WindowCenter": ["100", "inf"], "WindowWidth": ["50", "60"]}, "WindowCenter is inf"),
])
def test_dicom_with_a_non_finite_window_is_refused(tmp_path: Path, edit: dict[str, object], why: str) -> None:
    path = F.write_dicom(tmp_path / "x.dcm", F.pattern(32, 32))
    ds = pydicom.dcmread(path)
    with warnings.catch_warnings():  # pydicom warns that NaN and inf are not valid DS text: that is the point
        warnings.simplefilter("ignore", UserWarning)
        for name, value in edit.items():
            ds.add_new(name, "DS", value)
        ds.save_as(path)
    with pytest.raises(DataError, match=rf"x\.dcm: DICOM {why}"):
        read_image(path)


def test_wide_dicom_without_bits_stored_is_refused_an_8_bit_one_read(tmp_path: Path) -> None:
    wide = F.write_dicom(tmp_path / "wide.dcm", F.pattern(32, 32, top=4095), bits_stored=12)
    narrow = F.write_dicom(tmp_path / "narrow.dcm", F.pattern(32, 32))
    expected = read_image(narrow)
    for path in (wide, narrow):
        ds = pydicom.dcmread(path)
        del ds.BitsStored
        ds.save_as(path)
    with pytest.raises(DataError, match=r"wide\.dcm: DICOM has no BitsStored for its 16-bit pixels"):
        read_image(wide)
    assert np.array_equal(read_image(narrow), expected)


def test_dicom_with_a_usable_rescale_is_read(tmp_path: Path) -> None:
    path = F.write_dicom(tmp_path / "x.dcm", F.pattern(32, 32))
    ds = pydicom.dcmread(path)
    ds.add_new("RescaleSlope", "DS", "-1")
    ds.add_new("RescaleIntercept", "DS", "255")
    ds.save_as(path)
    plain = F.write_dicom(tmp_path / "plain.dcm", F.pattern(32, 32))
    assert np.allclose(read_image(path), 1.0 - read_image(plain))


# ------------------------------------------------------------------------------------ 9. repeated header columns
def test_repeated_header_column_names_file_and_column(tmp_path: Path) -> None:
    root = F.write_rsna(tmp_path)
    table = root / "stage_2_train_labels.csv"
    lines = table.read_text().splitlines()
    table.write_text("\n".join([lines[0].replace("height", "x"), *lines[1:]]) + "\n")
    with pytest.raises(DataError, match=r"stage_2_train_labels\.csv, row 1: column 'x' appears twice in the header"):
        READERS.create("rsna", root=root)


def test_repeated_header_column_in_a_fixation_table(tmp_path: Path) -> None:
    header = list(F.REFLACX_FIXATION_HEADER)
    header[4] = "x_position"
    path = F.write_csv(tmp_path / "fixations.csv", header, [[0.0] * len(header)], crlf=True)
    with pytest.raises(DataError, match=r"fixations\.csv, row 1: column 'x_position' appears twice"):
        read_fixations(path, (32, 48), SkipLog())


# ----------------------------------------------------------------------------- same families: BOM, NaN, dtypes
def test_reflacx_chest_box_with_an_infinite_coordinate_is_refused(tmp_path: Path) -> None:
    root = _reflacx(tmp_path)
    F.write_csv(root / "main_data" / F.R_P1_A / "chest_bounding_box.csv", ("xmin", "ymin", "xmax", "ymax"),
                [(1, 2, "inf", 40)], crlf=True)
    with pytest.raises(DataError, match=r"chest_bounding_box\.csv, row 2: blank or non-finite box coordinate"):
        READERS.create("reflacx", root=root)


def test_bom_and_crlf_tables_read_as_plain_ones(tmp_path: Path) -> None:
    root = F.write_rsna(tmp_path)
    table = root / "stage_2_train_labels.csv"
    plain = READERS.create("rsna", root=root)
    table.write_bytes(b"\xef\xbb\xbf" + table.read_bytes().replace(b"\n", b"\r\n"))
    assert READERS.create("rsna", root=root).samples == plain.samples


def test_rsna_wrong_dtype_cell_names_the_row(tmp_path: Path) -> None:
    root = F.write_rsna(tmp_path)
    table = root / "stage_2_train_labels.csv"
    table.write_text(table.read_text().replace("264.0", "264,0", 1))
    with pytest.raises(DataError, match=r"stage_2_train_labels\.csv, row 2: expected 6 fields, found 7"):
        READERS.create("rsna", root=root)
    table.write_text(table.read_text().replace("264,0", "two"))
    with pytest.raises(DataError, match=r"stage_2_train_labels\.csv, row 2: column 'x' is not a number: 'two'"):
        READERS.create("rsna", root=root)
