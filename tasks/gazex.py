"""The GazeX track (docs/gazex_track.md): report generation, grounding, visual question answering and gaze
trajectory, each declared by its kind and scored by the metric family of that kind.

All MIMIC-EYE-based tasks keep the official MIMIC-CXR split (docs/splits.md), like `mimic-eye`. The report
reference is the MIMIC-CXR report's FINDINGS section, as the mimic-eye reader extracts it with the grammar
of the MIMIC-CXR authors' section splitter (R2Gen convention; docs/gazex_track.md says why). CE codes
uncertain mentions as positive (the CheXbert "rrg" convention).
"""
from __future__ import annotations

from gazebench.data.readers.reflacx import POSITIVE_CERTAINTY, REFLACX_TO_CHEXPERT
from gazebench.labels import CHEXPERT_LABELS
from gazebench.task import Task, register_task

REFLACX_CERTAINTY = int(POSITIVE_CERTAINTY)
"""REFLACX certainty "Possibly" (3 of 5) or more: the reader's positive threshold, one constant for both."""
VQA_ANSWERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("presence", ("yes", "no")),
    ("view", ("pa", "ap", "lateral")),
    ("level", ("mild", "moderate", "severe")),
    ("location", ("left", "right", "bilateral")),
)
"""Closed answer sets of the Medical-CXR-VQA question types that have one (abnormality and type answers are
finding names, left open)."""
SCANPATH_GRID = (14, 14)
"""Cells for the scanpath distance in cells: a 392-px Qwen2.5-VL input at 28-px patches, the same for every model."""


def _mimic_eye_kind(name: str, description: str, **kind: object) -> Task:
    """A MIMIC-EYE task of another kind, on the official split, images read by the mimic-eye reader."""
    return Task(name=name, version="1", description=description, reader="mimic-eye", subdir="mimic-eye",
                labels=CHEXPERT_LABELS, in_domain=True, eval_split="test", train_split="train",
                val_split="validate", **kind)  # type: ignore[arg-type]


@register_task("mimic-eye-report")
def mimic_eye_report() -> Task:
    return _mimic_eye_kind("mimic-eye-report", "MIMIC-EYE report generation: FINDINGS of the MIMIC-CXR report; "
                           "BLEU, ROUGE-L, CIDEr-D, CE-F1 (rules labeler, uncertain = positive)",
                           kind="report", labeler="rules", ce_uncertain="positive")


@register_task("reflacx-grounding")
def reflacx_grounding() -> Task:
    return _mimic_eye_kind("reflacx-grounding", "REFLACX finding grounding: a box per finding a reader located with "
                           f"certainty >= {REFLACX_CERTAINTY}; IoU with the ellipse's box, pointing in the ellipse",
                           kind="grounding", queries="findings", min_certainty=REFLACX_CERTAINTY)


@register_task("mimic-eye-scanpath")
def mimic_eye_scanpath() -> Task:
    return _mimic_eye_kind("mimic-eye-scanpath", "MIMIC-EYE gaze trajectory: predicted gaze clusters vs REFLACX "
                           "readers' (ICC(2,1), distance, Kendall tau) and reported findings vs reader majority",
                           kind="scanpath", labeler="rules", ce_uncertain="positive", min_certainty=REFLACX_CERTAINTY,
                           finding_names=tuple(REFLACX_TO_CHEXPERT.items()), grid=SCANPATH_GRID)


@register_task("ms-cxr-grounding")
def ms_cxr_grounding() -> Task:
    return Task(name="ms-cxr-grounding", version="1", description="MS-CXR phrase grounding: a box per phrase; "
                "IoU, hit rate, pointing in the box", reader="ms-cxr", subdir="ms-cxr", labels=CHEXPERT_LABELS,
                in_domain=False, eval_split="test", kind="grounding", queries="phrases")


@register_task("cxr-vqa")
def cxr_vqa() -> Task:
    return Task(name="cxr-vqa", version="1", description="Medical-CXR-VQA closed-set questions: accuracy overall and "
                "per question type", reader="medical-cxr-vqa", subdir="medical-cxr-vqa", labels=CHEXPERT_LABELS,
                in_domain=False, eval_split="test", kind="vqa", queries="questions", answer_sets=VQA_ANSWERS)
