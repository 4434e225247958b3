"""The one versioned prompt table of the generic adapters: per CheXpert label, the Yes/No question `hf-vlm`
asks and the positive/negative description pair `hf-clip` compares. PROMPTS_VERSION is recorded with every
run (in the adapter's config, so in the run identity); any edit to a prompt must bump it."""
from __future__ import annotations

from gazebench.labels import CHEXPERT_LABELS

PROMPTS_VERSION = 1

ANSWERS = ("Yes", "No")
"""The two answers whose likelihoods give P(Yes) = P(Yes) / (P(Yes) + P(No))."""

_FINDING = {label: label.lower() for label in CHEXPERT_LABELS} | {
    "No Finding": "no finding", "Enlarged Cardiomediastinum": "an enlarged cardiomediastinum",
    "Cardiomegaly": "cardiomegaly", "Lung Opacity": "a lung opacity", "Lung Lesion": "a lung lesion",
    "Pleural Other": "another pleural abnormality", "Support Devices": "support devices"}

QUESTIONS: dict[str, str] = {
    label: ("Is this chest X-ray normal, with no finding? Answer Yes or No." if label == "No Finding" else
            f"Does this chest X-ray show {_FINDING[label]}? Answer Yes or No.")
    for label in CHEXPERT_LABELS}
"""label → the question whose next-token Yes/No likelihoods score it."""

CLIP_PROMPTS: dict[str, tuple[str, str]] = {
    label: (("A normal chest X-ray with no finding.", "An abnormal chest X-ray.") if label == "No Finding" else
            (f"A chest X-ray showing {_FINDING[label]}.", f"A chest X-ray with no {label.lower()}."))
    for label in CHEXPERT_LABELS}
"""label → (positive, negative) descriptions a dual encoder compares the image with."""
