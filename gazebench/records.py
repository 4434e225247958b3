"""Typed, immutable records that readers produce and everything downstream consumes.

Coordinates are always pixels of the original image (the frame of `GazeRecord.image_size`);
label vectors are raw codes in CHEXPERT_LABELS order: 1 positive, 0 negative, -1 uncertain, NaN blank.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gazebench.labels import CHEXPERT_LABELS


@dataclass(frozen=True, eq=False)
class Fixations:
    """One reading's fixations as parallel float64 arrays, sorted by start time."""

    t_start: np.ndarray
    """Start of each fixation, seconds (any fixed clock; REFLACX: the dictation audio clock)."""
    t_end: np.ndarray
    """End of each fixation, seconds."""
    x: np.ndarray
    """Column in original-image pixels; may lie outside the image (gaze functions decide what to do)."""
    y: np.ndarray
    """Row in original-image pixels."""
    pixels_per_degree: float = 50.0
    """Image pixels per degree of visual angle, sets the heatmap Gaussian's sigma (1 degree)."""

    def __post_init__(self) -> None:
        n = len(self.t_start)
        if not all(len(a) == n for a in (self.t_end, self.x, self.y)):
            raise ValueError("fixation arrays must have equal lengths")

    def __len__(self) -> int:
        return len(self.t_start)

    @property
    def duration(self) -> np.ndarray:
        """Duration of each fixation in seconds (never negative)."""
        return np.maximum(self.t_end - self.t_start, 0.0)

    @staticmethod
    def empty() -> Fixations:
        z = np.zeros(0, dtype=np.float64)
        return Fixations(z, z, z, z)


@dataclass(frozen=True)
class Word:
    """One dictated word (or punctuation mark) with its time span on the fixations' clock."""

    text: str
    t_start: float
    t_end: float


@dataclass(frozen=True)
class GazeRecord:
    """One radiologist's reading of one image: fixations plus the dictation, if recorded."""

    source: str
    """"reflacx" or "eyegaze"."""
    reading_id: str
    """REFLACX case id, or EyeGaze "SESSION_ID/dicom_id"."""
    image_size: tuple[int, int]
    """(width, height) of the frame the fixation coordinates are in."""
    fixations: Fixations
    words: tuple[Word, ...] = ()
    """Dictation; stays in memory, never written to results (no patient text leaves the data dir)."""
    chest_box: tuple[float, float, float, float] | None = None
    """(xmin, ymin, xmax, ymax) lungs+heart box in image pixels, where the dataset gives one."""


@dataclass(frozen=True)
class Finding:
    """One abnormality a radiologist located (REFLACX `anomaly_location_ellipses.csv` row), in image pixels."""

    name: str
    """The finding as the dataset names it (REFLACX column name, e.g. "Pleural effusion")."""
    box: tuple[float, float, float, float]
    """(xmin, ymin, xmax, ymax) of the ellipse's bounding box; the ellipse is inscribed in it."""
    certainty: int
    """The reader's certainty, 1 (unlikely) to 5 (certain)."""
    reader: str
    """Which reading marked it (REFLACX case id), so reader majority can be computed."""


@dataclass(frozen=True)
class Phrase:
    """One phrase–box pair (MS-CXR), in image pixels."""

    text: str
    """The phrase (dataset text: kept in memory, never written outside the data directory)."""
    label: str
    """The finding category the dataset assigns (e.g. "Pneumonia")."""
    box: tuple[float, float, float, float]
    """(xmin, ymin, xmax, ymax)."""


@dataclass(frozen=True)
class Question:
    """One closed-set visual question with its reference answer (Medical-CXR-VQA style)."""

    question_id: str
    kind: str
    """Question type: abnormality, presence, location, level, type or view."""
    text: str
    answer: str
    """Reference answer (normalised lowercase); never shown to a model at predict time."""


@dataclass(frozen=True)
class Sample:
    """One image with its labels and any gaze recorded on it."""

    sample_id: str
    """Image id: dicom_id (MIMIC), Path (CheXpert), patientId (RSNA), ImageId (SIIM)."""
    patient_id: str
    study_id: str
    image_path: Path
    labels: tuple[float, ...]
    """Raw codes in CHEXPERT_LABELS order (NaN where the dataset says nothing)."""
    split: str = "test"
    view: str = ""
    gaze: tuple[GazeRecord, ...] = ()
    boxes: tuple[tuple[float, float, float, float], ...] = ()
    """Finding boxes (xmin, ymin, xmax, ymax) in image pixels (RSNA opacities)."""
    mask_rle: tuple[str, ...] = ()
    """SIIM relative column-major RLE strings, one per region (decode with gazebench.data.rle)."""
    findings: tuple[Finding, ...] = ()
    """Located abnormalities (REFLACX ellipses), from every reading of the image."""
    phrases: tuple[Phrase, ...] = ()
    """Phrase–box pairs (MS-CXR)."""
    questions: tuple[Question, ...] = ()
    """Visual questions with reference answers (VQA datasets)."""
    report: str | None = None
    """Reference report section(s) (MIMIC-CXR), read from the data directory; never written anywhere."""
    attributes: tuple[tuple[str, str], ...] = ()
    """Subgroup attributes the dataset records, as sorted (name, value) pairs: `view` (AP/PA), `sex` (F/M),
    `age` (a band, see gazebench.data.attributes); slices of the metrics are computed over them."""

    def attribute(self, name: str) -> str | None:
        """The value of attribute `name`, or None where the dataset does not record it for this image."""
        return dict(self.attributes).get(name)

    def __post_init__(self) -> None:
        if len(self.labels) != len(CHEXPERT_LABELS):
            raise ValueError(f"{self.sample_id}: label vector must have {len(CHEXPERT_LABELS)} entries")

    @property
    def label_array(self) -> np.ndarray:
        return np.asarray(self.labels, dtype=np.float64)


SHOWN_EXAMPLES = 3
"""Examples kept per skip reason (ids, file names or `row N`; never patient text)."""
SHOWN_DAMAGED = 20
"""Examples kept per reason of kind "damaged" (file and row of each value that cannot be real)."""
SKIP_KINDS = ("skipped", "damaged", "kept")
"""What a Skip counts: items passed over ("skipped"); items passed over because a value in them cannot be real —
an impossible fixation, labels that contradict each other, a reference off the image ("damaged": `data check`
fails on any); items read and kept but worth telling, such as rows merged by a stated rule ("kept")."""


@dataclass(frozen=True)
class Skip:
    """Everything a reader passed over for one reason: the reason (naming the file), how many, first examples."""

    reason: str
    count: int
    examples: tuple[str, ...] = ()
    kind: str = "skipped"
    """One of SKIP_KINDS."""

    @property
    def line(self) -> str:
        """`reason: N (a, b, c, ...)`."""
        shown = ", ".join(self.examples) + (", ..." if self.count > len(self.examples) else "")
        return f"{self.reason}: {self.count} ({shown})"

    def to_dict(self) -> dict[str, object]:
        """`{"count": n, "examples": [...]}` (plus `"kind"` unless "skipped"), the form results.json records per
        reason."""
        out: dict[str, object] = {"count": self.count, "examples": list(self.examples)}
        return out if self.kind == "skipped" else {**out, "kind": self.kind}


@dataclass(frozen=True)
class Dataset:
    """What a reader returns: the samples it could use and why it skipped the rest."""

    name: str
    root: Path
    samples: tuple[Sample, ...]
    skips: tuple[Skip, ...] = ()
    """What was passed over, one entry per reason; each reason names the file (and row)."""
    version: str = ""
    """Dataset release, e.g. "1.0.0", or "simulated-v4 (seed 0)" for the embedded default."""
    info: dict[str, str] = field(default_factory=dict)

    @property
    def skipped(self) -> tuple[str, ...]:
        """One line per skip reason with its count and first examples."""
        return tuple(s.line for s in self.skips)

    def split(self, name: str) -> tuple[Sample, ...]:
        return tuple(s for s in self.samples if s.split == name)
