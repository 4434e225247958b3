"""The simulated study's MIMIC-CXR-style report (`CXR-DICOM/s{study_id}.txt`): FINAL REPORT header, EXAMINATION,
INDICATION, COMPARISON, FINDINGS and IMPRESSION sections written from the study's labels and rendered findings.

Each label code is written the way radiologists phrase it and the CheXpert labeler reads it (Irvin et al.
2019): 1 → an affirmed statement with a CheXpert mention phrase; −1 → a hedge ("possible", "cannot
exclude", "may represent", "is not excluded", "probable"); 0 → a negation ("No X.", "There is no X.", "No
evidence of X.", "X is not seen.", coordinated lists "No X, Y or Z."); blank → not mentioned. Lung Opacity
gets its own opacity sentence whenever it is labeled. The impression repeats the key positives and hedges,
or says "No acute cardiopulmonary process." when No Finding is 1. Templates only; no patient text.
"""
from __future__ import annotations

import numpy as np

from gazebench.labels import CHEXPERT_LABELS
from gazebench.synthetic.dictation import SIDES
from gazebench.synthetic.finding_types import FindingSpec

POSITIVE: dict[str, tuple[str, ...]] = {
    "Enlarged Cardiomediastinum": ("The mediastinum is widened.", "The cardiomediastinal silhouette is widened."),
    "Cardiomegaly": ("The heart is enlarged.", "Moderate cardiomegaly.", "The cardiac silhouette is enlarged."),
    "Lung Opacity": ("There is a patchy opacity in the {side} lower lung.", "Hazy {side} basilar opacity.",
                     "Ill-defined opacities in the {side} lung."),
    "Lung Lesion": ("There is a {side} lung nodule.", "A mass is seen in the {side} lung.",
                    "Well-circumscribed {side} pulmonary nodule."),
    "Edema": ("There is mild pulmonary edema.", "Moderate interstitial pulmonary edema.",
              "Findings are consistent with pulmonary edema."),
    "Consolidation": ("There is consolidation in the {side} lower lobe.", "Dense {side} lower lobe consolidation."),
    "Pneumonia": ("{Side} lower lobe pneumonia.", "Findings are compatible with pneumonia in the {side} lung."),
    "Atelectasis": ("{Side} basilar atelectasis.", "Plate-like atelectasis at the {side} base."),
    "Pneumothorax": ("There is a {side} pneumothorax.", "Small {side} apical pneumothorax."),
    "Pleural Effusion": ("There is a {side} pleural effusion.", "Small {side} pleural effusion."),
    "Pleural Other": ("Pleural thickening along the {side} chest wall.", "{Side} apical pleural thickening."),
    "Fracture": ("There is an acute {side} rib fracture.", "Displaced fracture of a {side} rib."),
    "Support Devices": ("An endotracheal tube is in standard position.",
                        "A right internal jugular central venous catheter ends in the SVC.",
                        "A nasogastric tube courses into the stomach."),
}
"""Affirmed statements (no hedge cue of the CheXpert labeler)."""

NOUN: dict[str, str] = {
    "Enlarged Cardiomediastinum": "widening of the mediastinum", "Cardiomegaly": "mild cardiomegaly",
    "Lung Opacity": "{side} basilar opacity", "Lung Lesion": "{side} lung nodule", "Edema": "pulmonary edema",
    "Consolidation": "{side} lower lobe consolidation", "Pneumonia": "pneumonia", "Atelectasis": "{side} atelectasis",
    "Pneumothorax": "small {side} pneumothorax", "Pleural Effusion": "small {side} pleural effusion",
    "Pleural Other": "{side} pleural thickening", "Fracture": "{side} rib fracture",
    "Support Devices": "retained catheter",
}
"""The noun phrase a hedge is wrapped around."""

HEDGES: tuple[str, ...] = ("Possible {x}.", "Cannot exclude {x}.", "Findings may represent {x}.",
                           "{X} is not excluded.", "Probable {x}.")

NEGATED: dict[str, str] = {
    "Lung Opacity": "focal opacity", "Lung Lesion": "pulmonary nodule or mass", "Edema": "pulmonary edema",
    "Consolidation": "focal consolidation", "Pneumonia": "pneumonia", "Atelectasis": "atelectasis",
    "Pneumothorax": "pneumothorax", "Pleural Effusion": "pleural effusion", "Pleural Other": "pleural thickening",
    "Fracture": "acute fracture", "Support Devices": "lines or tubes",
}
"""Noun phrases for negation lists."""
NEGATED_STATEMENTS: dict[str, tuple[str, ...]] = {
    "Cardiomegaly": ("Heart size is normal.", "The heart is not enlarged.", "Heart size is within normal limits."),
    "Enlarged Cardiomediastinum": ("The mediastinum is normal.", "Normal cardiomediastinal silhouette."),
}
"""Findings negated by a statement about normal size instead of "no X"."""
NEGATION_LISTS = ("No {items}.", "There is no {items}.", "No evidence of {items}.")
IMPRESSION_ORDER = ("Pneumothorax", "Pneumonia", "Consolidation", "Edema", "Pleural Effusion", "Cardiomegaly",
                    "Lung Lesion", "Atelectasis", "Fracture", "Enlarged Cardiomediastinum", "Pleural Other",
                    "Lung Opacity")
CLEAR = "The lungs are clear."
"""The findings of a study with no labeled finding."""


def _side(name: str, specs: dict[str, FindingSpec]) -> str:
    spec = specs.get(name)
    return "right" if spec is None or spec.side == -1 else SIDES[spec.side]


def _fill(template: str, name: str, specs: dict[str, FindingSpec]) -> str:
    side = _side(name, specs)
    x = NOUN[name].format(side=side)
    return template.format(side=side, Side=side.capitalize(), x=x, X=x[0].upper() + x[1:])


def _listed(items: list[str]) -> str:
    """"a", "a or b", "a, b or c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def negations(names: list[str], rng: np.random.Generator) -> list[str]:
    """Sentences negating `names`: size statements, single negations and coordinated lists of up to three."""
    out = [str(rng.choice(NEGATED_STATEMENTS[n])) for n in names if n in NEGATED_STATEMENTS]
    rest = [n for n in names if n not in NEGATED_STATEMENTS]
    shuffled = [rest[i] for i in rng.permutation(len(rest))]
    while shuffled:
        k = int(rng.integers(1, 4))
        group, shuffled = shuffled[:k], shuffled[k:]
        items = _listed([NEGATED[n] for n in group])
        if len(group) == 1 and rng.random() < 0.25:
            out.append(f"{items[0].upper()}{items[1:]} is not seen.")
        else:
            out.append(str(rng.choice(NEGATION_LISTS)).format(items=items))
    return out


def statements(labels: tuple[float, ...], specs: dict[str, FindingSpec],
               rng: np.random.Generator) -> tuple[list[str], list[str]]:
    """(findings sentences, impression sentences) for the label codes (CHEXPERT_LABELS order)."""
    codes = dict(zip(CHEXPERT_LABELS, labels, strict=True))
    positive = [n for n in CHEXPERT_LABELS[1:] if codes[n] == 1.0]
    uncertain = [n for n in CHEXPERT_LABELS[1:] if codes[n] == -1.0]
    negative = [n for n in CHEXPERT_LABELS[1:] if codes[n] == 0.0]
    findings = [_fill(str(rng.choice(POSITIVE[n])), n, specs) for n in positive]
    findings += [_fill(str(rng.choice(HEDGES)), n, specs) for n in uncertain]
    findings += negations(negative, rng)
    impression = [_fill(POSITIVE[n][0], n, specs) for n in IMPRESSION_ORDER if n in positive][:2]
    impression += [_fill(HEDGES[0], n, specs) for n in IMPRESSION_ORDER if n in uncertain][:1]
    if codes["No Finding"] == 1.0:
        impression.append("No acute cardiopulmonary process.")
    if not findings:
        findings = [CLEAR]
    return findings, impression or ["No acute cardiopulmonary process."]


def report_text(labels: tuple[float, ...], specs: tuple[FindingSpec, ...], view: str,
                rng: np.random.Generator) -> str:
    """The whole report file, MIMIC-CXR layout (centred title, ` HEADER:` lines, blank ` ` lines)."""
    findings, impression = statements(labels, {s.name: s for s in specs}, rng)
    exam = "CHEST (PORTABLE AP)" if view == "AP" else "CHEST (PA AND LAT)"
    numbered = impression if len(impression) == 1 else [f"{i}. {t}" for i, t in enumerate(impression, 1)]
    return ("                                 FINAL REPORT (SIMULATED)\n"
            f" EXAMINATION:  {exam}\n \n INDICATION:  ___ with shortness of breath.\n \n"
            " COMPARISON:  None.\n \n"
            f" FINDINGS:\n \n {'  '.join(findings)}\n \n"
            f" IMPRESSION:\n \n {chr(10).join(' ' + t for t in numbered).lstrip()}\n")
