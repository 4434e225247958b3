"""In-domain: MIMIC-EYE images with REFLACX and/or EyeGaze fixations, 14 study-level CheXpert labels."""
from gazebench.labels import CHEXPERT5, CHEXPERT_LABELS
from gazebench.task import Task, register_task


@register_task("mimic-eye")
def mimic_eye() -> Task:
    return Task(
        name="mimic-eye",
        version="1",
        description="MIMIC-EYE in-domain: eye-tracked MIMIC-CXR images, 14 CheXpert labels (patient-level split)",
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
        patient_split=(0.7, 0.1, 0.2),
    )
