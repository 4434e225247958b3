"""Zero-shot: SIIM-ACR Pneumothorax, image-level label = any RLE other than -1."""
from gazebench.task import Task, register_task


@register_task("siim-acr")
def siim_acr() -> Task:
    return Task(
        name="siim-acr",
        version="1",
        description="SIIM-ACR Pneumothorax zero-shot: train-rle.csv image-level labels",
        reader="siim-acr",
        subdir="siim-acr-pneumothorax",
        labels=("Pneumothorax",),
        in_domain=False,
        eval_split="test",
        uncertain="ignore",
        blank="ignore",
    )
