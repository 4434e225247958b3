"""`gazebench data check`: read a dataset tree with its reader and say what is there and whether a run
could use it (images on disk and decodable), without raising on bad data."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from gazebench.data.images import read_image
from gazebench.data.readers import READERS
from gazebench.errors import DataError
from gazebench.labels import CHEXPERT_LABELS
from gazebench.records import Dataset

SHOWN_MISSING = 3


@dataclass(frozen=True)
class CheckReport:
    """What one dataset tree holds, what is wrong with it, and whether it is usable."""

    name: str
    root: str
    version: str = ""
    images: int = 0
    patients: int = 0
    labels: dict[str, int] = field(default_factory=dict)
    """Positives (code 1) per CheXpert label the dataset gives, in CHEXPERT_LABELS order."""
    fixations: int | None = None
    """Total fixations over all readings; None where the dataset has no gaze."""
    readings: int | None = None
    splits: dict[str, int] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    """One-line messages about what makes the tree unusable or incomplete."""
    skipped: tuple[str, ...] = ()
    """The reader's pass-over reasons (Dataset.skipped), counted per reason."""
    usable: bool = False

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        out = asdict(self)
        out["problems"], out["skipped"] = list(self.problems), list(self.skipped)
        return out


def _missing_images(dataset: Dataset) -> list[str]:
    missing = [str(s.image_path) for s in dataset.samples if not s.image_path.is_file()]
    if not missing:
        return []
    shown = ", ".join(missing[:SHOWN_MISSING]) + (", ..." if len(missing) > SHOWN_MISSING else "")
    return [f"{len(missing)} of {len(dataset.samples)} image files not found ({shown})"]


def _undecodable(dataset: Dataset) -> list[str]:
    """Decode the first image of each file type, so a missing codec shows up here and not mid-run."""
    seen: set[str] = set()
    problems = []
    for sample in dataset.samples:
        suffix = sample.image_path.suffix.lower()
        if suffix in seen or not sample.image_path.is_file():
            continue
        seen.add(suffix)
        try:
            read_image(sample.image_path)
        except DataError as exc:
            problems.append(str(exc))
    return problems


def check(name: str, root: Path) -> CheckReport:
    """Read `root` with the reader `name` (an unknown name is a RegistryError) and report on it."""
    READERS.get(name)
    root = Path(root)
    if not root.is_dir():
        return CheckReport(name, str(root), problems=(f"{root}: folder not found",))
    try:
        dataset = READERS.create(name, root=root)
    except DataError as exc:
        return CheckReport(name, str(root), problems=(str(exc),))
    samples = dataset.samples
    has_gaze = any(s.gaze for s in samples)
    labels = {
        label: sum(1 for s in samples if s.labels[i] == 1.0)
        for i, label in enumerate(CHEXPERT_LABELS)
        if any(s.labels[i] == s.labels[i] for s in samples)  # any non-NaN code
    }
    problems = ([] if samples else [f"{root}: the {name} reader found no usable images"])
    problems += _missing_images(dataset) + _undecodable(dataset)
    splits: dict[str, int] = {}
    for s in samples:
        splits[s.split] = splits.get(s.split, 0) + 1
    return CheckReport(
        name=name,
        root=str(root),
        version=dataset.version,
        images=len(samples),
        patients=len({s.patient_id for s in samples}),
        labels=labels,
        fixations=sum(len(g.fixations) for s in samples for g in s.gaze) if has_gaze else None,
        readings=sum(len(s.gaze) for s in samples) if has_gaze else None,
        splits=dict(sorted(splits.items())),
        problems=tuple(problems),
        skipped=dataset.skipped,
        usable=not problems,
    )
