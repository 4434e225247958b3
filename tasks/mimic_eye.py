"""In-domain: MIMIC-EYE images with REFLACX and/or EyeGaze fixations, 14 study-level CheXpert labels.

Two split policies (docs/splits.md): `mimic-eye` keeps the official MIMIC-CXR split MIMIC-EYE ships
(`CXR-JPG/cxr_split.csv`), so its test images are never in MIMIC-CXR train, which is what comparisons with
the literature (and models pretrained on MIMIC-CXR train) need; `mimic-eye-patient-split` re-splits
patients 70/10/20 by hash, for a larger test set when no pretrained weights have seen MIMIC-CXR.
"""
from __future__ import annotations

from gazebench.labels import CHEXPERT5, CHEXPERT_LABELS
from gazebench.task import Task, register_task


def _mimic_eye(name: str, version: str, description: str, patient_split: tuple[float, float, float] | None = None,
               variant_of: str | None = None) -> Task:
    """The MIMIC-EYE task with the given split policy (everything else is shared by both tasks)."""
    return Task(
        name=name,
        version=version,
        description=description,
        reader="mimic-eye",
        subdir="mimic-eye",
        labels=CHEXPERT_LABELS,
        in_domain=True,
        eval_split="test",
        train_split="train",
        val_split="validate",
        subsets=(("chexpert5", CHEXPERT5),),
        uncertain="ignore",
        blank="negative",
        patient_split=patient_split,
        variant_of=variant_of,
    )


@register_task("mimic-eye")
def mimic_eye() -> Task:
    return _mimic_eye("mimic-eye", "2", "MIMIC-EYE in-domain: eye-tracked MIMIC-CXR images, 14 CheXpert labels "
                      "(official MIMIC-CXR split)")


@register_task("mimic-eye-patient-split")
def mimic_eye_patient_split() -> Task:
    return _mimic_eye("mimic-eye-patient-split", "1", "MIMIC-EYE in-domain, patients re-split 70/10/20 by hash "
                      "(ignores the official split)", patient_split=(0.7, 0.1, 0.2), variant_of="mimic-eye")
