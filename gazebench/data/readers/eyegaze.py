"""EyeGaze / EGD (PhysioNet `egd-cxr` 1.0.0): GazePoint fixations mapped to original-DICOM pixels
(`X_ORIGINAL`, `Y_ORIGINAL`), plus the parser MIMIC-EYE's `patient_*/EyeGaze/` copies go through.

Calibration screens appear as rows whose DICOM_ID is a truncated id that matches no master-sheet row;
negative X/Y_ORIGINAL mean the gaze was off the image. Both are dropped and counted. `Time (in secs)`
restarts for every image (the authors' video code divides frames by the last row's time), so fixation
times and the transcript's phrase times are taken to share that per-image clock (unverified).
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from gazebench.data.codes import label_vector
from gazebench.data.images import image_size, on_disk
from gazebench.data.plausible import implausible, impossible_span, off_image
from gazebench.data.readers.mimic_cxr import refuse_path_mismatch
from gazebench.data.readers.registry import READERS
from gazebench.data.release import release_version
from gazebench.data.skips import SkipLog
from gazebench.data.tables import Row, inside, present, read_csv
from gazebench.errors import DataError
from gazebench.labels import CHEXPERT_LABELS
from gazebench.records import Dataset, Fixations, GazeRecord, Sample, Word

FIXATION_COLUMNS = ("SESSION_ID", "DICOM_ID", "Time (in secs)", "FPOGD", "X_ORIGINAL", "Y_ORIGINAL")
PAD_COLUMNS = ("image_left_pad", "image_right_pad")
CHX_COLUMNS: dict[str, str] = {n: n.lower().replace(" ", "_") + "__chx" for n in CHEXPERT_LABELS}
"""CheXpert name → master_sheet column (`pleural_effusion__chx`, ...)."""
SCREEN_WIDTH = 1920
SCREEN_PX_PER_DEGREE = 40.0
"""Assumed screen pixels per visual degree (a ~53 cm wide 1920 px monitor at ~65 cm); EGD does not publish it."""

Frame = tuple[int, int]


def read_master_sheet(path: Path, extra: tuple[str, ...] = ()) -> dict[str, Row]:
    """master_sheet.csv rows keyed by dicom_id (duplicates, and a dicom_id, patient_id or study_id that is not the
    row's `path`'s where the sheet has these columns, are DataErrors)."""
    out: dict[str, Row] = {}
    for row in read_csv(path, required=("dicom_id", *extra)):
        if row["dicom_id"] in out:
            raise row.error(f"duplicate dicom_id {row['dicom_id']} (also row {out[row['dicom_id']].line})")
        if "path" in row:
            ids = {"subject_id": row.get("patient_id", ""), "study_id": row.get("study_id", "")}
            refuse_path_mismatch(row, "path", dicom_id=row["dicom_id"], **{k: v for k, v in ids.items() if v})
        out[row["dicom_id"]] = row
    return out


def pixels_per_degree(master: Row, width: int) -> float:
    """Image pixels per degree: the assumed screen density times image pixels per screen pixel (the image
    was shown `1920 - left - right` screen pixels wide); the Fixations default if the pads are absent."""
    if not all(c in master and master[c] for c in PAD_COLUMNS):
        return Fixations.pixels_per_degree
    shown = SCREEN_WIDTH - master.number("image_left_pad") - master.number("image_right_pad")
    if not shown > 0:
        raise master.error(f"image pads leave no width on a {SCREEN_WIDTH} px screen")
    return SCREEN_PX_PER_DEGREE * width / shown


def _seconds(value: object) -> float:
    """A phrase time as Google STT writes it: a number, `"1.5s"`, or `{"seconds": .., "nanos": ..}`."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return float(value.strip().removesuffix("s"))
    if isinstance(value, dict):
        return float(value.get("seconds", 0)) + float(value.get("nanos", 0)) / 1e9
    raise ValueError(value)


def read_transcript(path: Path) -> tuple[Word, ...]:
    """`transcript.json` phrases as Words; phrases lacking begin/end times are left out (no clock to place them),
    a NaN, infinite or reversed (end before begin) time is a DataError naming the phrase. A UTF-8 BOM is read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
        phrases = data["time_stamped_text"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataError(path, f"not an EyeGaze transcript (needs a 'time_stamped_text' list): {exc}") from None
    if not isinstance(phrases, list):
        raise DataError(path, "'time_stamped_text' must be a list of phrases")
    words = []
    for i, item in enumerate(phrases):
        if not isinstance(item, dict) or "phrase" not in item:
            raise DataError(path, f"time_stamped_text[{i}] has no 'phrase'")
        if "begin_time" not in item or "end_time" not in item:
            continue
        try:
            begin, end = _seconds(item["begin_time"]), _seconds(item["end_time"])
        except (TypeError, ValueError):
            raise DataError(path, f"time_stamped_text[{i}] has a bad begin/end time") from None
        reason = impossible_span(begin, end)
        if reason is not None:
            raise DataError(path, f"time_stamped_text[{i}] ({str(item['phrase'])!r}) {reason}")
        words.append(Word(str(item["phrase"]), begin, end))
    return tuple(words)


def readings_by_image(
    fixations_csv: Path,
    master: Mapping[str, Row],
    frames: Mapping[str, Frame],
    transcripts: Path,
    skips: SkipLog,
) -> dict[str, list[GazeRecord]]:
    """One GazeRecord per (SESSION_ID, DICOM_ID) of `fixations_csv`, keyed by dicom_id. `frames` gives each
    image's DICOM (width, height); rows of calibration screens, of images without a frame and at negative
    X/Y_ORIGINAL (the release's off-image mark) are dropped and counted in `skips`, fixations that cannot be
    real (gazebench.data.plausible; a negative FPOGD too) are dropped as damaged with file and row, and ones past
    the far image border are kept and counted."""
    groups: dict[tuple[str, str], list[tuple[float, float, float, float]]] = defaultdict(list)
    for row in read_csv(fixations_csv, required=FIXATION_COLUMNS):
        dicom_id = row["DICOM_ID"]
        if dicom_id not in master:
            skips.add(f"{fixations_csv}: calibration screen or unknown DICOM_ID (not in master sheet)",
                      f"row {row.line}")
            continue
        if dicom_id not in frames:
            skips.add(f"{fixations_csv}: image has no DICOM size (Rows/Columns), fixations unusable", f"row {row.line}")
            continue
        t, duration = row.number("Time (in secs)"), row.number("FPOGD")
        x, y = row.number("X_ORIGINAL"), row.number("Y_ORIGINAL")
        if duration < 0:
            skips.damaged(f"{fixations_csv}: negative fixation duration FPOGD (time reversed)",
                          f"{fixations_csv} row {row.line}")
            continue
        reason = implausible(t, t + duration, x, y, frames[dicom_id], clock_from_zero=True,
                             names=("Time (in secs)", "Time (in secs) + FPOGD", "X_ORIGINAL", "Y_ORIGINAL"))
        if reason is not None:
            skips.damaged(f"{fixations_csv}: {reason}", f"{fixations_csv} row {row.line}")
            continue
        if x < 0 or y < 0:
            skips.add(f"{fixations_csv}: fixation off the image (negative X_ORIGINAL/Y_ORIGINAL)", f"row {row.line}")
            continue
        if off_image(x, y, frames[dicom_id]):
            skips.kept(f"{fixations_csv}: fixation off the image (kept; the gaze metrics pass it over)",
                       f"{fixations_csv} row {row.line}")
        groups[(row["SESSION_ID"], dicom_id)].append((t, t + duration, x, y))
    out: dict[str, list[GazeRecord]] = defaultdict(list)
    for (session, dicom_id), fixations in sorted(groups.items()):
        table = np.array(sorted(fixations), dtype=np.float64)
        transcript = transcripts / dicom_id / "transcript.json"
        width, height = frames[dicom_id]
        out[dicom_id].append(GazeRecord(
            source="eyegaze",
            reading_id=f"{session}/{dicom_id}",
            image_size=(width, height),
            fixations=Fixations(table[:, 0], table[:, 1], table[:, 2], table[:, 3],
                                pixels_per_degree=pixels_per_degree(master[dicom_id], width)),
            words=read_transcript(transcript) if present(transcript) else (),
        ))
    return out


def default_images_root(root: Path) -> Path:
    """MIMIC-CXR beside EGD in a PhysioNet mirror (`physionet.org/files/mimic-cxr/2.0.0`), else `root/../mimic-cxr`."""
    resolved = Path(root).resolve()
    for parent in resolved.parents:
        if parent.name == "physionet.org":
            return parent / "files" / "mimic-cxr" / "2.0.0"
    return resolved.parent / "mimic-cxr"


@READERS.register("eyegaze")
def read_eyegaze(root: Path, images_root: Path | None = None) -> Dataset:
    """Standalone EGD: one sample per master-sheet image found under `images_root` (the MIMIC-CXR tree the
    `path` column is relative to; a `.jpg` twin is accepted), labels from the `*__chx` columns."""
    root = Path(root)
    base = Path(images_root) if images_root is not None else default_images_root(root)
    master = read_master_sheet(root / "master_sheet.csv", ("path", "study_id", "patient_id", *CHX_COLUMNS.values()))
    skips = SkipLog()
    found: dict[str, Path] = {}
    frames: dict[str, Frame] = {}
    for dicom_id, row in master.items():
        dcm = inside(base, row["path"], row)
        path = next((p for p in (dcm, dcm.with_suffix(".jpg")) if on_disk(p)), None)
        if path is None:
            skips.add(f"{base}: image file missing", row["path"])
            continue
        found[dicom_id], frames[dicom_id] = path, image_size(path)
    transcripts = root / "audio_segmentation_transcripts"
    gaze = readings_by_image(root / "fixations.csv", master, frames, transcripts, skips)
    for dicom_id in sorted(set(found) - set(gaze)):
        skips.kept(f"{root / 'fixations.csv'}: image with no usable fixation row (kept, without gaze)", dicom_id)
    for folder in sorted(transcripts.iterdir() if transcripts.is_dir() else ()):
        if folder.is_dir() and folder.name not in master:
            skips.add(f"{transcripts}: transcript of a dicom_id not in master_sheet.csv (not read)", folder.name)
    samples = tuple(
        Sample(
            sample_id=dicom_id,
            patient_id=master[dicom_id]["patient_id"].split(".")[0],
            study_id=master[dicom_id]["study_id"].split(".")[0],
            image_path=path,
            labels=label_vector(master[dicom_id], CHX_COLUMNS),
            gaze=tuple(gaze.get(dicom_id, ())),
        )
        for dicom_id, path in sorted(found.items())
    )
    return Dataset(
        name="eyegaze",
        root=root,
        samples=samples,
        skips=skips.summary(),
        version=release_version(root, "1.0.0"),
        info={"labels": "master_sheet *__chx columns (CheXpert labeler codes)",
              "split": "EGD has no official split; every sample is 'test'",
              "images": f"MIMIC-CXR images looked up under {base}"},
    )
