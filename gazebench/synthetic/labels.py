"""Which findings a simulated study has: a latent-syndrome model for prevalence and co-occurrence, the
conspicuity of each finding, and the label codes a report labeler (or a consensus panel) would write."""
from __future__ import annotations

import math

import numpy as np

from gazebench.labels import CHEXPERT_LABELS

FINDINGS: tuple[str, ...] = CHEXPERT_LABELS[1:]
"""The 13 renderable findings (every CheXpert label except "No Finding")."""

PARENCHYMAL: tuple[str, ...] = ("Lung Lesion", "Edema", "Consolidation", "Pneumonia", "Atelectasis")
"""Findings that imply "Lung Opacity" (the CheXpert label hierarchy)."""

SYNDROMES: dict[str, dict[str, float]] = {
    "heart_failure": {"Cardiomegaly": 0.8, "Edema": 0.65, "Pleural Effusion": 0.55,
                      "Enlarged Cardiomediastinum": 0.2, "Atelectasis": 0.25},
    "infection": {"Pneumonia": 0.8, "Consolidation": 0.5, "Pleural Effusion": 0.2, "Atelectasis": 0.25},
    "critical_care": {"Support Devices": 1.0, "Atelectasis": 0.45, "Pleural Effusion": 0.4, "Edema": 0.2,
                      "Pneumothorax": 0.12},
    "trauma": {"Fracture": 0.75, "Pneumothorax": 0.5, "Pleural Other": 0.15, "Support Devices": 0.3,
               "Consolidation": 0.15},
    "neoplasm": {"Lung Lesion": 0.9, "Pleural Effusion": 0.3, "Enlarged Cardiomediastinum": 0.3,
                 "Pleural Other": 0.2, "Atelectasis": 0.2},
}
"""P(finding | syndrome): findings that travel together in real films share a latent cause."""

BACKGROUND: dict[str, float] = {
    "Lung Opacity": 0.05, "Cardiomegaly": 0.05, "Atelectasis": 0.05, "Support Devices": 0.04,
    "Pleural Other": 0.03, "Lung Lesion": 0.02, "Fracture": 0.03, "Enlarged Cardiomediastinum": 0.03,
    "Pleural Effusion": 0.03, "Pneumothorax": 0.01,
}
"""P(finding) independent of any syndrome (incidental findings). "Lung Opacity" here is a standalone
nonspecific opacity; it is otherwise implied by the PARENCHYMAL findings."""

NEGATION_RATE: dict[str, float] = {
    "Pneumothorax": 0.55, "Pleural Effusion": 0.45, "Consolidation": 0.3, "Edema": 0.25, "Pneumonia": 0.15,
    "Cardiomegaly": 0.1, "Lung Opacity": 0.05, "Atelectasis": 0.03, "Enlarged Cardiomediastinum": 0.05,
}
"""P(report explicitly negates an absent finding) → labeler 0.0; otherwise the label is blank."""

HEDGE_RATE: dict[str, float] = {"Pneumonia": 0.06, "Atelectasis": 0.04, "Edema": 0.03, "Consolidation": 0.03}
"""P(report hedges about an absent finding, "cannot exclude ...") → labeler -1.0."""

SUBTLE = 0.35
"""Conspicuity below which a report may call a present finding uncertain (-1.0)."""


def sample_findings(rng: np.random.Generator, syndrome_rates: dict[str, float]) -> dict[str, float]:
    """Present findings → conspicuity in (0, 1] (1 obvious, ~0.15 subtle), "Lung Opacity" included when implied."""
    present: set[str] = set()
    for syndrome, table in SYNDROMES.items():
        if rng.random() < syndrome_rates.get(syndrome, 0.0):
            present |= {name for name, p in table.items() if rng.random() < p}
    present |= {name for name, p in BACKGROUND.items() if rng.random() < p}
    if present & set(PARENCHYMAL):
        present.add("Lung Opacity")
    out = {}
    for name in FINDINGS:
        if name in present:
            low = 0.75 if name == "Support Devices" else 0.15
            out[name] = float(low + (1.0 - low) * rng.beta(2.2, 1.4))
    return out


def standalone_opacity(findings: dict[str, float]) -> bool:
    """True when "Lung Opacity" is present without a parenchymal finding, so it must be drawn by itself."""
    return "Lung Opacity" in findings and not set(findings) & set(PARENCHYMAL)


def report_labels(findings: dict[str, float], rng: np.random.Generator) -> tuple[float, ...]:
    """Labels as the CheXpert labeler writes them from a report (1/0/-1/NaN, CHEXPERT_LABELS order).

    Subtle findings are sometimes hedged (-1.0); absent findings are mostly unmentioned (NaN), sometimes
    negated (0.0) or hedged; "No Finding" is 1.0 when nothing but devices is reported, else blank.
    """
    codes: dict[str, float] = {}
    for name in FINDINGS:
        if name in findings:
            codes[name] = -1.0 if findings[name] < SUBTLE and rng.random() < 0.5 else 1.0
        else:
            u = rng.random()
            codes[name] = (0.0 if u < NEGATION_RATE.get(name, 0.02)
                           else -1.0 if u > 1.0 - HEDGE_RATE.get(name, 0.0) else math.nan)
    if "Lung Opacity" in findings and not standalone_opacity(findings):
        children = [codes[n] for n in PARENCHYMAL if n in findings]
        codes["Lung Opacity"] = 1.0 if 1.0 in children else -1.0
    reported = [n for n in FINDINGS if n != "Support Devices" and codes[n] in (1.0, -1.0)]
    codes["No Finding"] = math.nan if reported else 1.0
    return tuple(codes[name] for name in CHEXPERT_LABELS)


def consensus_labels(findings: dict[str, float]) -> tuple[float, ...]:
    """Labels of a radiologist panel that sees every finding (CheXpert valid style): only 1.0 and 0.0."""
    codes = {name: (1.0 if name in findings else 0.0) for name in FINDINGS}
    codes["No Finding"] = 0.0 if set(findings) - {"Support Devices"} else 1.0
    return tuple(codes[name] for name in CHEXPERT_LABELS)
