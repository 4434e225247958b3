"""Zero-shot: CheXpert valid (or test with groundtruth.csv), 14 labels plus the 5 competition labels."""
from gazebench.labels import CHEXPERT5, CHEXPERT_LABELS
from gazebench.task import Task, register_task


@register_task("chexpert")
def chexpert() -> Task:
    return Task(
        name="chexpert",
        version="1",
        description="CheXpert zero-shot: radiologist-labelled valid set (test if groundtruth.csv is present)",
        reader="chexpert",
        subdir="CheXpert-v1.0-small",
        labels=CHEXPERT_LABELS,
        in_domain=False,
        eval_split="test",
        subsets=(("chexpert5", CHEXPERT5),),
        uncertain="ignore",
        blank="negative",
    )
