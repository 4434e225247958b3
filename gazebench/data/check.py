"""`gazebench data check` and the run's pre-flight: read a dataset tree with its reader, decode every image a
run would feed a model (in parallel processes, filling the same cache `load_image` serves runs from) and say
what is there and what is wrong, all at once, without raising on bad data."""
from __future__ import annotations

import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

from gazebench.data.images import load_image
from gazebench.data.readers import READERS
from gazebench.data.splits import SPLITS
from gazebench.errors import DataError
from gazebench.labels import CHEXPERT_LABELS
from gazebench.records import Dataset, Sample

CHECK_SIZE = 224
"""Side of the cached square every image is decoded to by the check (a common model input size)."""
SHOWN_BAD = 3
"""Bad files named in a run's one-line error (the rest are counted; `data check` lists them all)."""
PER_WORKER = 16
"""Fewest images per decoding process: a smaller set is decoded by fewer processes (in this one when a second
would get fewer than this), since starting a process costs more than decoding a few images."""
_FORK = multiprocessing.get_context("fork")
"""Decoding processes are forked: they start in milliseconds with the decoders already imported, and run the
same code with the same state as this process (cache folder, limits)."""


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
    """Images per split the dataset ships (MIMIC-EYE: the official MIMIC-CXR split)."""
    problems: tuple[str, ...] = ()
    """One line per thing that makes the tree unusable: every bad image file (unreadable, too small, not a chest
    radiograph), duplicate id, empty test split."""
    skipped: tuple[str, ...] = ()
    """The reader's pass-over reasons (Dataset.skips of kind "skipped"), counted per reason with first examples."""
    damaged: tuple[str, ...] = ()
    """Reasons of kind "damaged": rows a run passes over because a value in them cannot be real (impossible
    fixations, conflicting labels, references off the image), each with its count and files and rows."""
    kept: tuple[str, ...] = ()
    """Reasons of kind "kept": rows read as they are but counted (merged rows and the rule, off-image fixations)."""
    damaged_rows: int = 0
    skip_counts: dict[str, dict[str, object]] = field(default_factory=dict)
    """Every reason → {"count", "examples", "kind" unless skipped}, as a run records it in results.json."""
    usable: bool = False
    """A run can read the tree (no problem); `data check` still exits 1 when `damaged` is not empty."""

    @property
    def clean(self) -> bool:
        """Usable and without damaged rows: what `data check` exits 0 on."""
        return self.usable and not self.damaged

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        out = asdict(self)
        for key in ("problems", "skipped", "damaged", "kept"):
            out[key] = list(getattr(self, key))
        out["clean"] = self.clean
        return out


def _decode_one(path: Path, size: int) -> str | None:
    try:
        load_image(path, size)
    except DataError as exc:
        return str(exc)
    return None


def _workers(images: int) -> int:
    """Decoding processes for `images` images: one per core, at most 8, each with at least PER_WORKER images."""
    return max(1, min(8, os.cpu_count() or 1, images // PER_WORKER))


def image_problems(paths: Iterable[Path], size: int = CHECK_SIZE, progress: bool = False) -> list[str]:
    """Decode every distinct path through `load_image` (so the cache is filled); one line per file that is
    missing, not a regular file, empty, truncated, undecodable, a decompression bomb, or that kills the process
    decoding it. The decoders hold the GIL (pylibjpeg's JPEG DICOM decoder spends most of the time), so a set
    big enough is decoded in several processes (`_workers`) rather than threads."""
    unique = list(dict.fromkeys(Path(p) for p in paths))
    workers = _workers(len(unique))
    console = Console(stderr=True)
    # no refresh thread (auto_refresh=False): the decoding processes are forked from a process without one
    with Progress(console=console, transient=True, auto_refresh=False,
                  disable=not (progress and console.is_terminal)) as bar:
        task = bar.add_task(f"decoding {len(unique)} images", total=len(unique))

        def advance() -> None:
            bar.update(task, advance=1, refresh=True)

        if workers > 1:
            messages = _in_processes(unique, size, workers, advance)
        else:
            messages = []
            for path in unique:
                messages.append(_decode_one(path, size))
                advance()
    return [m for m in messages if m is not None]


def _in_processes(paths: list[Path], size: int, workers: int, advance: Callable[[], None]) -> list[str | None]:
    """`_decode_one` of each path, in order, on `workers` forked processes. Once a process dies (a C decoder
    crashing on a hostile file, or the kernel's out-of-memory killer) the files without a result yet are
    decoded one at a time (`_one_by_one`), so the file that kills a process is named and no other is blamed. A
    worker stopped mid-write leaves at most a `.tmp-*` file in the cache, which no lookup ever reads."""
    done: list[str | None] = []
    chunk = max(1, min(16, len(paths) // (4 * workers)))
    try:
        with ProcessPoolExecutor(workers, mp_context=_FORK) as pool:
            for message in pool.map(_decode_one, paths, [size] * len(paths), chunksize=chunk):
                done.append(message)
                advance()
    except BrokenProcessPool:
        done += _one_by_one(paths[len(done):], size, advance)
    return done


def _one_by_one(paths: list[Path], size: int, advance: Callable[[], None]) -> list[str | None]:
    """`_decode_one` of each path, one at a time in a single forked process; a path whose process dies is one
    problem line, and the next path gets a fresh process."""
    out: list[str | None] = []
    pool = ProcessPoolExecutor(1, mp_context=_FORK)
    try:
        for path in paths:
            try:
                out.append(pool.submit(_decode_one, path, size).result())
            except BrokenProcessPool:
                out.append(f"{path}: the process decoding this image died (a decoder crash, or out of memory); "
                           "not used")
                pool.shutdown()
                pool = ProcessPoolExecutor(1, mp_context=_FORK)
            advance()
    finally:
        pool.shutdown()
    return out


def validate_images(samples: Sequence[Sample], where: Path | str, size: int = CHECK_SIZE,
                    progress: bool = False) -> None:
    """Decode every sample's image before any model time is spent; one DataError naming the first few bad
    files and counting all of them (`gazebench data check` lists every one)."""
    problems = image_problems((s.image_path for s in samples), size, progress)
    if problems:
        shown = "; ".join(problems[:SHOWN_BAD]) + ("; ..." if len(problems) > SHOWN_BAD else "")
        raise DataError(where, f"{len(problems)} of {len(samples)} images cannot be used ({shown}); "
                               "`gazebench data check` lists them all")


def needed_samples(dataset: Dataset, eval_split: str, limit: int | None,
                   fit_splits: Sequence[str | None]) -> tuple[Sample, ...]:
    """The samples a run reads: the evaluated split (first `limit`) and every sample of the splits a model
    may be fitted or tuned on."""
    evaluated = dataset.split(eval_split)
    fitted = tuple(s for s in dataset.samples if s.split in fit_splits and s.split != eval_split)
    return (evaluated if limit is None else evaluated[:limit]) + fitted


def duplicate_ids(dataset: Dataset) -> list[str]:
    """One line per sample id that occurs more than once, with the image files it points at."""
    seen: dict[str, list[Path]] = {}
    for s in dataset.samples:
        seen.setdefault(s.sample_id, []).append(s.image_path)
    return [f"{dataset.root}: duplicate id {sid} ({', '.join(map(str, paths))})"
            for sid, paths in seen.items() if len(paths) > 1]


def _split_problems(dataset: Dataset) -> list[str]:
    if dataset.samples and not dataset.split("test"):
        return [f"{dataset.root}: the test split is empty (splits: {_split_counts(dataset) or 'none'})"]
    return []


def _split_counts(dataset: Dataset) -> dict[str, int]:
    """Images per split, train/validate/test first."""
    counts = Counter(s.split for s in dataset.samples)
    return {k: counts[k] for k in sorted(counts, key=lambda k: (SPLITS.index(k) if k in SPLITS else len(SPLITS), k))}


def check(name: str, root: Path, size: int = CHECK_SIZE, progress: bool = False) -> CheckReport:
    """Read `root` with the reader `name` (an unknown name is a RegistryError), decode every image, and report."""
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
    problems += duplicate_ids(dataset) + _split_problems(dataset)
    problems += image_problems((s.image_path for s in samples), size, progress)
    return CheckReport(
        name=name,
        root=str(root),
        version=dataset.version,
        images=len(samples),
        patients=len({s.patient_id for s in samples}),
        labels=labels,
        fixations=sum(len(g.fixations) for s in samples for g in s.gaze) if has_gaze else None,
        readings=sum(len(s.gaze) for s in samples) if has_gaze else None,
        splits=_split_counts(dataset),
        problems=tuple(problems),
        skipped=tuple(s.line for s in dataset.skips if s.kind == "skipped"),
        damaged=tuple(s.line for s in dataset.skips if s.kind == "damaged"),
        kept=tuple(s.line for s in dataset.skips if s.kind == "kept"),
        damaged_rows=sum(s.count for s in dataset.skips if s.kind == "damaged"),
        skip_counts={s.reason: s.to_dict() for s in dataset.skips},
        usable=not problems,
    )
