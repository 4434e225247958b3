"""Class prompts for the 14 CheXpert labels as severity × subtype × location products (MedCLIP style),
with RSNA-style Pneumonia and SIIM-style Pneumothorax tables, plus the negative set used per label."""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from gazebench.labels import CHEXPERT_LABELS

NO_FINDING = "No Finding"

_ZONES = (
    "",
    "at the mid lung zone",
    "at the upper lung zone",
    "at the lung bases",
    "at the right lung base",
    "at the left lung base",
    "in the right lower lobe",
    "in the left lower lobe",
    "in the right upper lobe",
    "in the left upper lobe",
)
_SIDES = ("", "on the left", "on the right", "bilaterally")


@dataclass(frozen=True)
class PromptTable:
    """Phrase lists whose Cartesian product (severity, subtype, location) gives a label's prompts."""

    severity: tuple[str, ...]
    subtype: tuple[str, ...]
    location: tuple[str, ...]

    def prompts(self) -> tuple[str, ...]:
        """Every combination, empty parts dropped, in a fixed order."""
        combos = itertools.product(self.severity, self.subtype, self.location)
        return tuple(" ".join(p for p in parts if p) for parts in combos)


CLASS_PROMPTS: dict[str, PromptTable] = {
    NO_FINDING: PromptTable(
        ("",),
        (
            "no acute cardiopulmonary process",
            "the lungs are clear",
            "no focal consolidation pleural effusion or pneumothorax",
            "heart size is normal and the lungs are clear",
            "normal chest radiograph",
            "no radiographic abnormality of the chest",
            "clear lungs without focal opacity",
            "the cardiomediastinal silhouette is normal",
        ),
        ("",),
    ),
    "Enlarged Cardiomediastinum": PromptTable(
        ("", "mild", "moderate", "marked"),
        (
            "widening of the mediastinum",
            "enlargement of the cardiomediastinal silhouette",
            "prominence of the mediastinal contours",
        ),
        ("", "at the superior mediastinum", "with a tortuous aorta"),
    ),
    "Cardiomegaly": PromptTable(
        ("", "mild", "moderate", "severe", "stable"),
        ("cardiomegaly", "enlargement of the cardiac silhouette", "enlarged heart size"),
        ("", "with left ventricular prominence", "unchanged from prior"),
    ),
    "Lung Opacity": PromptTable(
        ("", "patchy", "hazy", "ill defined", "increased"),
        ("opacity", "airspace opacity", "opacification"),
        _ZONES,
    ),
    "Lung Lesion": PromptTable(
        ("", "small", "large", "spiculated", "rounded"),
        ("nodule", "mass", "pulmonary nodule", "lung lesion"),
        _ZONES,
    ),
    "Edema": PromptTable(
        ("", "mild", "moderate", "severe", "worsening"),
        ("pulmonary edema", "interstitial edema", "vascular congestion with edema"),
        ("", "bilaterally", "in the perihilar regions"),
    ),
    "Consolidation": PromptTable(
        ("", "focal", "patchy", "dense", "new"),
        ("consolidation", "airspace consolidation", "lobar consolidation"),
        _ZONES,
    ),
    "Pneumonia": PromptTable(  # RSNA style: adjective × subtype × location
        ("", "round", "early", "focal", "multifocal", "small"),
        ("pneumonia", "bacterial pneumonia", "viral pneumonia", "aspiration pneumonia"),
        _ZONES,
    ),
    "Atelectasis": PromptTable(
        ("", "mild", "minimal", "bibasilar"),
        ("atelectasis", "subsegmental atelectasis", "linear atelectasis", "plate like atelectasis"),
        _ZONES,
    ),
    "Pneumothorax": PromptTable(  # SIIM style: where the pleural air is and what shows it
        ("", "small", "moderate", "large", "apical"),
        ("pneumothorax", "pneumothorax with a visible pleural line", "pleural air"),
        ("", "on the left", "on the right", "at the apex", "adjacent to the heart"),
    ),
    "Pleural Effusion": PromptTable(
        ("", "small", "moderate", "large", "trace", "layering"),
        ("pleural effusion", "pleural fluid", "blunting of the costophrenic angle"),
        _SIDES,
    ),
    "Pleural Other": PromptTable(
        ("", "mild", "focal", "chronic"),
        ("pleural thickening", "pleural scarring", "calcified pleural plaque"),
        ("", "at the apex", "along the lateral chest wall", "on the left", "on the right"),
    ),
    "Fracture": PromptTable(
        ("", "acute", "healed", "old", "displaced"),
        ("rib fracture", "fracture", "clavicle fracture", "vertebral compression fracture"),
        ("", "on the left", "on the right", "of the posterior ribs"),
    ),
    "Support Devices": PromptTable(
        ("", "well positioned", "unchanged"),
        (
            "endotracheal tube",
            "central venous catheter",
            "nasogastric tube",
            "pacemaker leads",
            "chest tube",
        ),
        ("", "in standard position", "terminating in the right atrium", "projecting over the chest"),
    ),
}
"""One table per CheXpert label (keys exactly CHEXPERT_LABELS)."""

def all_prompts(label: str) -> tuple[str, ...]:
    """Every prompt of `label`'s table."""
    return CLASS_PROMPTS[label].prompts()


def sample_prompts(pool: tuple[str, ...], n: int, rng: np.random.Generator) -> tuple[str, ...]:
    """`n` distinct prompts drawn from `pool` (all of it when n >= len(pool)), in the pool's order."""
    if n >= len(pool):
        return pool
    keep = np.sort(rng.choice(len(pool), size=n, replace=False))
    return tuple(pool[i] for i in keep)


def prompt_sets(n: int, seed: int) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """(positive, negative) prompt sets per label, seeded: positives from the label's table; negatives
    are normal-study prompts (MedCLIP's RSNA/SIIM protocol: disease vs normal), and for No Finding a
    sample of every abnormal label's prompts."""
    rng = np.random.default_rng(seed)
    positives = {label: sample_prompts(all_prompts(label), n, rng) for label in CHEXPERT_LABELS}
    abnormal = tuple(p for label in CHEXPERT_LABELS if label != NO_FINDING for p in all_prompts(label))
    normal = positives[NO_FINDING]
    return {
        label: (positives[label], sample_prompts(abnormal, n, rng) if label == NO_FINDING else normal)
        for label in CHEXPERT_LABELS
    }


def vocabulary_words() -> tuple[str, ...]:
    """Every lower-case word used by the prompt tables, sorted (seed of the offline tokenizer vocab)."""
    words = {w for table in CLASS_PROMPTS.values() for part in (table.severity, table.subtype, table.location)
             for phrase in part for w in phrase.lower().split()}
    words |= {w for label in CHEXPERT_LABELS for w in label.lower().split()}
    return tuple(sorted(words))
