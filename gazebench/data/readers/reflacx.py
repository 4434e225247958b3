"""REFLACX (PhysioNet `reflacx-xray-localization` 1.0.0): readings with fixations in original-DICOM pixels,
word timestamps and a chest box; also the parser MIMIC-EYE's `patient_*/REFLACX/` copies go through.

Label map (REFLACX certainty 0-5, positive when >= 3 "Possibly"; booleans for Support devices), applied
per reading, then a majority over the image's readers (ties count as positive); unmapped labels are NaN:
  Atelectasis, Consolidation, Pneumothorax → same name; Pulmonary edema → Edema;
  Enlarged cardiac silhouette → Cardiomegaly; Pleural effusion, Pleural abnormality → Pleural Effusion;
  Support devices → Support Devices; Fracture, Acute fracture → Fracture;
  Lung nodule or mass, Mass, Nodule → Lung Lesion.

Located findings: every row of every reading's `anomaly_location_ellipses.csv` (discarded readings
included: they keep their ellipses) becomes one `Finding` per label column marked True, with the ellipse's
bounding box and the reader's certainty 1-5 as the file stores them; the consumer keeps those at or above
POSITIVE_CERTAINTY.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from pathlib import Path

import numpy as np

from gazebench.data.plausible import implausible, impossible_span, keep_reference, off_image
from gazebench.data.readers.mimic_cxr import SPLITS, refuse_path_mismatch
from gazebench.data.readers.registry import READERS
from gazebench.data.release import release_version
from gazebench.data.skips import SkipLog
from gazebench.data.tables import Row, inside, present, read_csv, read_numbers, refuse_duplicates
from gazebench.errors import DataError
from gazebench.labels import CHEXPERT_LABELS
from gazebench.records import Dataset, Finding, Fixations, GazeRecord, Sample, Word

REFLACX_TO_CHEXPERT: dict[str, tuple[str, ...]] = {
    "Atelectasis": ("Atelectasis",),
    "Consolidation": ("Consolidation",),
    "Pneumothorax": ("Pneumothorax",),
    "Edema": ("Pulmonary edema",),
    "Cardiomegaly": ("Enlarged cardiac silhouette",),
    "Pleural Effusion": ("Pleural effusion", "Pleural abnormality"),
    "Support Devices": ("Support devices",),
    "Fracture": ("Fracture", "Acute fracture"),
    "Lung Lesion": ("Lung nodule or mass", "Mass", "Nodule"),
}
"""CheXpert name → the REFLACX label columns (phase 1 and phases 2-3 names) that mean it."""
POSITIVE_CERTAINTY = 3.0
"""Certainty from which a REFLACX label or ellipse counts as present: 3 "Possibly" (~50 %), as the REFLACX
authors' inter-rater analysis does; labels and the grounding tasks use this one threshold."""
METADATA_COLUMNS = ("id", "split", "eye_tracking_data_discarded", "image", "dicom_id", "subject_id",
                    "image_size_x", "image_size_y")
FIXATION_COLUMNS = ("timestamp_start_fixation", "timestamp_end_fixation", "x_position", "y_position",
                    "angular_resolution_x_pixels_per_degree", "angular_resolution_y_pixels_per_degree")
WORD_COLUMNS = ("word", "timestamp_start_word", "timestamp_end_word")
BOX_COLUMNS = ("xmin", "ymin", "xmax", "ymax")
ELLIPSE_COLUMNS = (*BOX_COLUMNS, "certainty")
"""`anomaly_location_ellipses.csv` columns before the phase's boolean label columns."""
ELLIPSES = "anomaly_location_ellipses.csv"
PHASES = ("metadata_phase_1.csv", "metadata_phase_2.csv", "metadata_phase_3.csv")


def read_fixations(path: Path, image_size: tuple[int, int], skips: SkipLog) -> Fixations:
    """`fixations.csv` as Fixations sorted by start; pixels_per_degree = mean of both angular columns.
    Fixations that cannot be real (gazebench.data.plausible) are passed over as damaged, and fixations off the
    image kept and counted, in `skips` with the file and row; a file where none is plausible is a DataError."""
    lines, rows = read_numbers(path, FIXATION_COLUMNS)
    pattern = path.parent.parent / "*" / path.name
    kept = []
    for line, values in zip(lines, rows, strict=True):
        reason = implausible(values[0], values[1], values[2], values[3], image_size, names=FIXATION_COLUMNS[:4])
        if reason is not None:
            skips.damaged(f"{pattern}: {reason}", f"{path} row {line}")
            continue
        if off_image(values[2], values[3], image_size):
            skips.kept(f"{pattern}: fixation off the image (kept; the gaze metrics pass it over)",
                       f"{path} row {line}")
        kept.append(values)
    if rows and not kept:
        raise DataError(path, f"none of its {len(rows)} fixations is plausible (times, order or positions)")
    table = np.array(kept, dtype=np.float64).reshape(-1, 6)
    order = np.argsort(table[:, 0], kind="stable")
    table = table[order]
    angular = table[:, 4:6]
    ppd = float(np.nanmean(angular)) if np.isfinite(angular).any() else Fixations.pixels_per_degree
    if not (math.isfinite(ppd) and ppd > 0):
        raise DataError(path, f"angular resolution must be positive pixels per degree, not {ppd}")
    return Fixations(table[:, 0], table[:, 1], table[:, 2], table[:, 3], pixels_per_degree=ppd)


def read_words(path: Path) -> tuple[Word, ...]:
    """`timestamps_transcription.csv` as Words (punctuation marks are words of their own); a blank, infinite or
    reversed (end before start) timestamp is a DataError naming the row and the word."""
    words = []
    for row in read_csv(path, required=WORD_COLUMNS):
        start, end = row.number("timestamp_start_word"), row.number("timestamp_end_word")
        reason = impossible_span(start, end)
        if reason is not None:
            raise row.error(f"word {row['word']!r} {reason}")
        words.append(Word(row["word"], start, end))
    return tuple(words)


def read_chest_box(path: Path) -> tuple[float, float, float, float]:
    """`chest_bounding_box.csv`: the single (xmin, ymin, xmax, ymax) row."""
    rows = read_csv(path, required=BOX_COLUMNS)
    if len(rows) != 1:
        raise DataError(path, f"expected one box row, found {len(rows)}")
    xmin, ymin, xmax, ymax = (rows[0].number(c) for c in BOX_COLUMNS)
    if not all(math.isfinite(v) for v in (xmin, ymin, xmax, ymax)):
        raise rows[0].error("blank or non-finite box coordinate")
    if not (xmax > xmin and ymax > ymin):
        raise rows[0].error("chest box needs xmax > xmin and ymax > ymin")
    return (xmin, ymin, xmax, ymax)


def read_reading(case_dir: Path, reading_id: str, image_size: tuple[int, int], skips: SkipLog) -> GazeRecord:
    """One non-discarded case folder (`main_data/{id}/`) as a GazeRecord; fixations.csv is required,
    the transcription timestamps and chest box are used when present (something other than a file in their place
    is a DataError); implausible fixations go to `skips`."""
    words_csv, box_csv = case_dir / "timestamps_transcription.csv", case_dir / "chest_bounding_box.csv"
    return GazeRecord(
        source="reflacx",
        reading_id=reading_id,
        image_size=image_size,
        fixations=read_fixations(case_dir / "fixations.csv", image_size, skips),
        words=read_words(words_csv) if present(words_csv) else (),
        chest_box=read_chest_box(box_csv) if present(box_csv) else None,
    )


def read_ellipses(path: Path, reader: str, skips: SkipLog, size: tuple[int, int]) -> tuple[Finding, ...]:
    """One reading's `anomaly_location_ellipses.csv` as Findings, one per True label column of each row.
    A blank/non-numeric coordinate, a certainty outside 1-5 or a non-boolean label is a DataError; an
    ellipse of zero width or height, or with no label marked, is skipped and counted; one entirely outside the
    `size` (W, H) image is damaged, one reaching past its border is kept as drawn and counted."""
    found: list[Finding] = []
    where = f"{path.parent.parent / '*' / path.name}"
    for row in read_csv(path, required=ELLIPSE_COLUMNS):
        box = tuple(row.number(c) for c in BOX_COLUMNS)
        if not all(math.isfinite(v) for v in box):
            raise row.error("blank or non-finite ellipse coordinate")
        certainty = row.integer("certainty")
        if not 1 <= certainty <= 5:
            raise row.error(f"certainty must be 1-5, not {row['certainty']!r}")
        names = [c for c in row if c not in ELLIPSE_COLUMNS and row[c] != "" and row.flag(c)]
        if not (box[2] > box[0] and box[3] > box[1]):
            skips.add(f"{where}: ellipse with zero width or height (needs xmax > xmin, ymax > ymin)",
                      f"{reader} row {row.line}")
        elif not names:
            skips.add(f"{where}: ellipse with no label marked True", f"{reader} row {row.line}")
        elif keep_reference(box, size, skips, where, "ellipse", f"{path} row {row.line}"):  # type: ignore[arg-type]
            found += [Finding(name, box, certainty, reader) for name in names]  # type: ignore[arg-type]
    return tuple(found)


def findings_by_image(metadata: list[Row], main_data: Path, skips: SkipLog) -> dict[str, list[Finding]]:
    """Every reading's ellipses (discarded readings included), keyed by dicom_id in metadata order; a case
    folder without `anomaly_location_ellipses.csv` is counted in `skips`."""
    out: dict[str, list[Finding]] = defaultdict(list)
    for row in metadata:
        path = main_data / row["id"] / ELLIPSES
        if present(path):
            out[row["dicom_id"]] += read_ellipses(path, row["id"], skips, image_size(row))
        else:
            skips.add(f"{main_data}: REFLACX case without {ELLIPSES}", row["id"])
    return out


def reading_labels(row: Row) -> dict[str, float]:
    """One reading's mapped CheXpert labels (1.0 / 0.0), only for labels its phase asked about."""
    out: dict[str, float] = {}
    for name, columns in REFLACX_TO_CHEXPERT.items():
        values = [_reading_value(row, c) for c in columns if c in row and row[c] != ""]
        if values:
            out[name] = max(values)
    return out


def _reading_value(row: Row, column: str) -> float:
    if column == "Support devices":
        return 1.0 if row.flag(column) else 0.0
    certainty = row.number(column)
    if not 0 <= certainty <= 5:
        raise row.error(f"column {column!r} is not a certainty 0-5: {row[column]!r}")
    return 1.0 if certainty >= POSITIVE_CERTAINTY else 0.0


def majority_labels(readings: list[dict[str, float]]) -> tuple[float, ...]:
    """Per CheXpert label: 1.0 when at least half of the readers who were asked say positive, NaN if none was."""
    out = []
    for name in CHEXPERT_LABELS:
        votes = [r[name] for r in readings if name in r]
        out.append(math.nan if not votes else float(sum(votes) >= len(votes) / 2))
    return tuple(out)


def image_size(row: Row) -> tuple[int, int]:
    """(width, height) of the DICOM the coordinates are in (`image_size_x`, `image_size_y`)."""
    size = (row.integer("image_size_x"), row.integer("image_size_y"))
    if min(size) <= 0:
        raise row.error(f"image size must be positive, not {size}")
    return size


def readings_by_image(metadata: list[Row], main_data: Path, skips: SkipLog) -> dict[str, list[GazeRecord]]:
    """GazeRecords of every usable reading, keyed by dicom_id. Discarded readings and cases whose
    fixations.csv is missing or holds no row (header only) are passed over (counted in `skips`); a dicom_id or
    subject_id that is not the `image` path's is a DataError."""
    out: dict[str, list[GazeRecord]] = defaultdict(list)
    refuse_duplicates(metadata, lambda row: row["id"], "REFLACX reading ids")
    for row in metadata:
        reading_id = row["id"]
        if re.fullmatch(r"P\d{3}R\d{6}", reading_id) is None:
            raise row.error(f"not a REFLACX id: {reading_id!r}")
        if row["split"] not in SPLITS:
            raise row.error(f"split must be one of {', '.join(SPLITS)}, not {row['split']!r}")
        refuse_path_mismatch(row, "image", subject_id=row["subject_id"], dicom_id=row["dicom_id"])
        if row.flag("eye_tracking_data_discarded"):
            skips.add(f"{row.path}: REFLACX reading discarded (eye_tracking_data_discarded)", reading_id)
            continue
        case_dir = main_data / reading_id
        if not present(case_dir / "fixations.csv"):
            skips.add(f"{main_data}: REFLACX case without fixations.csv", reading_id)
            continue
        record = read_reading(case_dir, reading_id, image_size(row), skips)
        if not len(record.fixations):  # no rows at all: read_fixations refuses a file whose rows are all damaged
            skips.add(f"{main_data}: REFLACX case whose fixations.csv has no fixation rows (header only)", reading_id)
            continue
        out[row["dicom_id"]].append(record)
    return out


def read_metadata(main_data: Path) -> list[Row]:
    """The rows of every `metadata_phase_{1,2,3}.csv` present (at least one must be)."""
    files = [main_data / name for name in PHASES if present(main_data / name)]
    if not files:
        raise DataError(main_data, f"no REFLACX metadata ({', '.join(PHASES)}) found")
    return [row for f in files for row in read_csv(f, required=METADATA_COLUMNS)]


def reflacx_gaze(root: Path) -> dict[str, tuple[GazeRecord, ...]]:
    """Every usable REFLACX reading under `root` (the folder holding `main_data/`), keyed by dicom_id."""
    main_data = Path(root) / "main_data"
    found = readings_by_image(read_metadata(main_data), main_data, SkipLog())
    return {k: tuple(v) for k, v in found.items()}


def mirror_root(root: Path) -> Path:
    """Where the `image` column is relative to: the folder holding `physionet.org/` if `root` sits in a
    PhysioNet mirror, else the parent of `root`."""
    for parent in Path(root).resolve().parents:
        if parent.name == "physionet.org":
            return parent.parent
    return Path(root).resolve().parent


@READERS.register("reflacx")
def read_reflacx(root: Path, images_root: Path | None = None) -> Dataset:
    """Standalone REFLACX: one sample per dicom_id with every usable reading and majority labels.
    Images are not shipped: image_path = `images_root` (default `mirror_root(root)`) / the `image` column."""
    root = Path(root)
    main_data = root / "main_data"
    metadata = read_metadata(main_data)
    base = Path(images_root) if images_root is not None else mirror_root(root)
    skips = SkipLog()
    gaze = readings_by_image(metadata, main_data, skips)
    findings = findings_by_image(metadata, main_data, skips)
    listed = {row["id"] for row in metadata}
    for folder in sorted(p for p in main_data.iterdir() if p.is_dir() and p.name not in listed):
        skips.add(f"{main_data}: REFLACX case folder with no metadata row (not read)", folder.name)
    by_image: dict[str, list[Row]] = defaultdict(list)
    for row in metadata:
        by_image[row["dicom_id"]].append(row)
    samples = []
    for dicom_id, rows in sorted(by_image.items()):
        first = rows[0]
        study = re.search(r"/s(\d+)/", first["image"])
        if study is None:
            raise first.error(f"image path has no s<study_id> folder: {first['image']!r}")
        for column in ("split", "subject_id", "image"):
            values = {r[column] for r in rows}
            if len(values) != 1:
                lines = ", ".join(f"row {r.line} {r[column]!r}" for r in rows)
                raise first.error(f"readings of {dicom_id} disagree on {column}: {lines}")
        samples.append(Sample(
            sample_id=dicom_id,
            patient_id=first["subject_id"].split(".")[0],
            study_id=study.group(1),
            image_path=inside(base, first["image"], first),
            labels=majority_labels([reading_labels(r) for r in rows]),
            split=first["split"],
            gaze=tuple(gaze.get(dicom_id, ())),
            findings=tuple(findings.get(dicom_id, ())),
        ))
    return Dataset(
        name="reflacx",
        root=root,
        samples=tuple(samples),
        skips=skips.summary(),
        version=release_version(root, "1.0.0"),
        info={"labels": "REFLACX certainty >= 3 mapped to CheXpert names, majority over readers",
              "images": f"not shipped; looked up under {base}"},
    )
