"""Template dictation: one sentence per reported finding, spoken after the reader first looked at it, a few
normal statements for checked anatomy, word-level timestamps like REFLACX (punctuation as separate words).
The text is generated from templates; it contains no real patient text."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gazebench.synthetic.finding_types import FindingSpec
from gazebench.synthetic.reader_model import CHECKLIST_NEGATIONS, Reading

SIDES = {0: "right", 1: "left", -1: "bilateral"}
HEDGES = {3: "possible ", 4: "likely ", 5: ""}

TEMPLATES: dict[str, tuple[str, ...]] = {
    "Enlarged Cardiomediastinum": ("The mediastinum is {hedge}widened.",
                                   "There is {hedge}widening of the mediastinal contour."),
    "Cardiomegaly": ("The heart is {hedge}enlarged.", "There is {hedge}cardiomegaly."),
    "Lung Opacity": ("There is a {hedge}hazy opacity in the {side} lung.", "{Hedge}patchy opacity in the {side} lung."),
    "Lung Lesion": ("There is a {hedge}nodule in the {side} lung.", "{Hedge}mass in the {side} lung."),
    "Edema": ("There is {hedge}pulmonary edema.", "{Hedge}interstitial edema, with perihilar haziness."),
    "Consolidation": ("There is {hedge}consolidation in the {side} lung.", "{Hedge}dense consolidation, {side} lung."),
    "Pneumonia": ("There are {hedge}patchy opacities in the {side} lung, concerning for pneumonia.",
                  "{Hedge}pneumonia in the {side} lower lung."),
    "Atelectasis": ("There is {hedge}atelectasis at the {side} base.", "{Hedge}plate-like atelectasis, {side} base."),
    "Pneumothorax": ("There is a {hedge}{side} pneumothorax.", "{Hedge}{side} apical pneumothorax is seen."),
    "Pleural Effusion": ("There is a {hedge}{side} pleural effusion.",
                         "{Hedge}{side} pleural effusion, blunting the angle."),
    "Pleural Other": ("There is {hedge}pleural thickening on the {side}.", "{Hedge}{side} pleural plaque."),
    "Fracture": ("There is a {hedge}{side} rib fracture.", "{Hedge}fracture, {side} side."),
    "Support Devices": ("Support devices are in place.", "Lines and tubes are in place."),
}
NEGATIVE: dict[str, str] = {
    "Pneumothorax": "No pneumothorax.", "Pleural Effusion": "No pleural effusion.",
    "Cardiomegaly": "The heart size is normal.", "Enlarged Cardiomediastinum": "The mediastinum is normal.",
    "Consolidation": "No focal consolidation.", "Fracture": "No acute fracture.",
}
KEYWORDS: dict[str, tuple[str, ...]] = {
    "Enlarged Cardiomediastinum": ("mediastinum", "mediastinal"), "Cardiomegaly": ("heart", "cardiomegaly"),
    "Lung Opacity": ("opacity",), "Lung Lesion": ("nodule", "mass"), "Edema": ("edema",),
    "Consolidation": ("consolidation",), "Pneumonia": ("pneumonia", "opacities"), "Atelectasis": ("atelectasis",),
    "Pneumothorax": ("pneumothorax",), "Pleural Effusion": ("effusion",), "Pleural Other": ("thickening", "plaque"),
    "Fracture": ("fracture",), "Support Devices": ("devices", "tubes"),
}
"""Words that name each finding in the templates (tests use them to check word order against gaze)."""


def certainty(conspicuity: float) -> int:
    """REFLACX-style certainty 3-5 (Possibly / Suspicious for / Consistent with) from conspicuity."""
    return 5 if conspicuity > 0.6 else 4 if conspicuity > 0.35 else 3


@dataclass(frozen=True)
class Sentence:
    text: str
    finding: int | None
    """Index of the finding it reports (None for normal statements)."""
    earliest_s: float
    """Not spoken before this time (the reader must have looked first)."""


def compose(specs: tuple[FindingSpec, ...], reading: Reading, rng: np.random.Generator,
            lag: tuple[float, float] = (0.4, 1.5)) -> list[Sentence]:
    """Sentences for the reported findings and 1-3 normal statements, ordered by when they may be spoken."""
    out = []
    for o in reading.outcomes:
        if o.status != "reported" or o.report_s is None:
            continue
        spec = specs[o.finding]
        template = TEMPLATES[spec.name][int(rng.integers(len(TEMPLATES[spec.name])))]
        hedge = HEDGES[certainty(spec.conspicuity)]
        text = template.format(hedge=hedge, Hedge=hedge.capitalize(), side=SIDES[spec.side])
        out.append(Sentence(text[0].upper() + text[1:], o.finding, o.report_s + float(rng.uniform(*lag))))
    present = {spec.name for spec in specs}
    negatives = [(CHECKLIST_NEGATIONS[item], t) for item, t in reading.checked
                 if item in CHECKLIST_NEGATIONS and CHECKLIST_NEGATIONS[item] not in present]
    for name, t in negatives[: int(rng.integers(1, 4))]:
        out.append(Sentence(NEGATIVE[name], None, t + float(rng.uniform(*lag))))
    if not any(s.finding is not None for s in out):
        out.append(Sentence("No acute cardiopulmonary process.", None, out[-1].earliest_s if out else 2.0))
    return sorted(out, key=lambda s: s.earliest_s)


def tokens(text: str) -> list[str]:
    """REFLACX word tokens: "." and "," are words of their own."""
    return text.replace(".", " .").replace(",", " ,").split()


Timed = tuple[str, float, float]
Span = tuple[int | None, float, float]


def speak(sentences: list[Sentence], rng: np.random.Generator, start_s: float) -> tuple[list[Timed], list[Span]]:
    """Word timings (≈2.5 words/s, pauses between sentences) and each sentence's (finding, start, end)."""
    words: list[Timed] = []
    spans: list[Span] = []
    t = start_s
    for sentence in sentences:
        t = max(t + float(rng.uniform(0.3, 1.0)), sentence.earliest_s)
        begin = t
        for tok in tokens(sentence.text):
            if tok in (".", ","):
                words.append((tok, t, t))
                continue
            d = 0.12 + 0.045 * len(tok) + float(rng.uniform(0.0, 0.1))
            words.append((tok, t, t + d))
            t += d + float(rng.uniform(0.02, 0.12))
        spans.append((sentence.finding, begin, t))
    return words, spans


def transcript(words: list[tuple[str, float, float]]) -> str:
    """The transcription.txt text: words joined by spaces, "." and "," attached to the previous word."""
    return " ".join(w for w, _, _ in words).replace(" .", ".").replace(" ,", ",")
