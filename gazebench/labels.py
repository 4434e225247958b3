"""The label vocabulary every model predicts: the 14 CheXpert observations, in CheXpert CSV order."""
from __future__ import annotations

CHEXPERT_LABELS: tuple[str, ...] = (
    "No Finding",
    "Enlarged Cardiomediastinum",
    "Cardiomegaly",
    "Lung Opacity",
    "Lung Lesion",
    "Edema",
    "Consolidation",
    "Pneumonia",
    "Atelectasis",
    "Pneumothorax",
    "Pleural Effusion",
    "Pleural Other",
    "Fracture",
    "Support Devices",
)
"""Model output order for every adapter (CheXpert train.csv column order)."""

CHEXPERT5: tuple[str, ...] = ("Atelectasis", "Cardiomegaly", "Consolidation", "Edema", "Pleural Effusion")
"""The CheXpert competition subset, reported beside the 14-label macro."""

LABEL_INDEX: dict[str, int] = {name: i for i, name in enumerate(CHEXPERT_LABELS)}

POSITIVE, NEGATIVE, UNCERTAIN = 1.0, 0.0, -1.0
"""Raw label codes as the CheXpert labeler writes them; NaN means blank (not mentioned)."""


def label_indices(names: tuple[str, ...]) -> list[int]:
    """Positions of `names` in the 14-label output vector; unknown names are a ValueError."""
    unknown = [n for n in names if n not in LABEL_INDEX]
    if unknown:
        raise ValueError(f"unknown CheXpert label(s): {', '.join(unknown)}")
    return [LABEL_INDEX[n] for n in names]
