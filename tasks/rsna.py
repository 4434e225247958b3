"""Zero-shot: RSNA Pneumonia Detection, image-level Pneumonia from `Target` (one row per patientId)."""
from gazebench.task import Task, register_task


@register_task("rsna")
def rsna() -> Task:
    return Task(
        name="rsna",
        version="1",
        description="RSNA Pneumonia zero-shot: stage-2 train labels deduplicated by patientId",
        reader="rsna",
        subdir="rsna-pneumonia-detection-challenge",
        labels=("Pneumonia",),
        in_domain=False,
        eval_split="test",
        uncertain="ignore",
        blank="ignore",
    )
