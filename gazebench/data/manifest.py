"""The data fingerprint every result records: counts plus a sha256 over what each sample contributes
(ids, split, labels, image file size, number of fixations), independent of sample order."""
from __future__ import annotations

import hashlib
import math
from collections import Counter

from gazebench.records import Dataset, Sample


def _file_size(sample: Sample) -> int:
    try:
        return sample.image_path.stat().st_size
    except OSError:
        return -1


def _line(sample: Sample) -> str:
    labels = ",".join("nan" if math.isnan(v) else f"{v:g}" for v in sample.labels)
    fixations = sum(len(g.fixations) for g in sample.gaze)
    return "\t".join((sample.sample_id, sample.patient_id, sample.split, labels, str(_file_size(sample)),
                      str(fixations)))


def manifest(dataset: Dataset) -> dict[str, object]:
    """`{name, version, n_images, n_patients, splits: {split: n}, sha256}` for `dataset`."""
    digest = hashlib.sha256(f"{dataset.name}\n{dataset.version}\n".encode())
    for line in sorted(_line(s) for s in dataset.samples):
        digest.update(line.encode() + b"\n")
    return {
        "name": dataset.name,
        "version": dataset.version,
        "n_images": len(dataset.samples),
        "n_patients": len({s.patient_id for s in dataset.samples}),
        "splits": dict(sorted(Counter(s.split for s in dataset.samples).items())),
        "sha256": digest.hexdigest(),
    }
