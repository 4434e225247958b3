"""The data fingerprint every result records: counts plus a sha256 over everything a sample can contribute
to a number, independent of sample order.

Hashed per sample: ids (sample, patient, study), split, view, labels, finding boxes, mask RLEs, the image
file's content digest (sha256 of its bytes, cached by gazebench.data.digest so reruns do not reread it),
and every gaze reading exactly (source, id, frame size, chest box, pixels per degree, each fixation's
start/end/x/y as float64 bytes, the dictation's words and times). Also hashed: the dataset name and version
and the pixel pipeline version (`gazebench.data.images.PREPROCESSING`). GazeX-track fields too: each located
finding (name, box, certainty, reader), each phrase (text, category, box), each question (id, type, text,
answer) and the reference report text. Dictation, phrase, question and report text enter the hash only;
they are never written anywhere.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import numpy as np

from gazebench.data.digest import file_digests
from gazebench.data.images import PREPROCESSING
from gazebench.records import Dataset, GazeRecord, Sample

UNREADABLE = "unreadable"
"""The image digest written for a file that cannot be read (the data checks raise a DataError for it)."""


def _floats(values: tuple[float, ...] | None) -> str:
    """Exact text of floats (repr round-trips every float64), "-" for None."""
    return "-" if values is None else ",".join(repr(float(v)) for v in values)


def _gaze_digest(gaze: tuple[GazeRecord, ...]) -> str:
    """sha256 over every reading of an image, in the reader's order, with fixations as exact float64 bytes."""
    digest = hashlib.sha256()
    for g in gaze:
        fx = g.fixations
        head = "\t".join((g.source, g.reading_id, _floats(tuple(g.image_size)), _floats(g.chest_box),
                          repr(float(fx.pixels_per_degree)), str(len(fx)), str(len(g.words))))
        digest.update(head.encode() + b"\n")
        for column in (fx.t_start, fx.t_end, fx.x, fx.y):
            digest.update(np.ascontiguousarray(column, dtype="<f8").tobytes())
        for w in g.words:
            digest.update(f"{w.text}\t{float(w.t_start)!r}\t{float(w.t_end)!r}\n".encode())
    return digest.hexdigest()


def _text_digest(fields: list[tuple[str, ...]]) -> str:
    """sha256 over tab-joined records in order (text fields are hashed, never written)."""
    digest = hashlib.sha256()
    for record in fields:
        digest.update(("\t".join(record) + "\n").encode())
    return digest.hexdigest()


def _line(sample: Sample, image_sha: str) -> str:
    return "\t".join((
        sample.sample_id, sample.patient_id, sample.study_id, sample.split, sample.view,
        _floats(sample.labels), ";".join(_floats(b) for b in sample.boxes), ";".join(sample.mask_rle),
        image_sha, _gaze_digest(sample.gaze),
        _text_digest([(f.name, _floats(f.box), str(f.certainty), f.reader) for f in sample.findings]),
        _text_digest([(p.text, p.label, _floats(p.box)) for p in sample.phrases]),
        _text_digest([(q.question_id, q.kind, q.text, q.answer) for q in sample.questions]),
        _text_digest([] if sample.report is None else [(sample.report,)])))


def manifest(dataset: Dataset) -> dict[str, object]:
    """`{name, version, n_images, n_patients, splits: {split: n}, preprocessing, sha256}` for `dataset`."""
    images = file_digests(Path(s.image_path) for s in dataset.samples)
    digest = hashlib.sha256(f"{dataset.name}\n{dataset.version}\n{PREPROCESSING}\n".encode())
    for line in sorted(_line(s, images[Path(s.image_path)] or UNREADABLE) for s in dataset.samples):
        digest.update(line.encode() + b"\n")
    return {
        "name": dataset.name,
        "version": dataset.version,
        "n_images": len(dataset.samples),
        "n_patients": len({s.patient_id for s in dataset.samples}),
        "splits": dict(sorted(Counter(s.split for s in dataset.samples).items())),
        "preprocessing": PREPROCESSING,
        "sha256": digest.hexdigest(),
    }
