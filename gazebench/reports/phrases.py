"""Phrase lists of the rule-based report labeler: mention and unmention phrases per CheXpert observation
(the CheXpert labeler's phrase files, Irvin et al. 2019, matched as lower-case substrings), the other
abnormalities that block "No Finding", and negation / uncertainty cues with the side of the mention they
govern. docs/gazex_track.md lists where these rules deviate from the original labeler."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MENTIONS: dict[str, tuple[str, ...]] = {
    "Enlarged Cardiomediastinum": (" mediastinum", "cardiomediastinum", "contour", "mediastinal configuration",
                                   "mediastinal silhouette", "pericardial silhouette",
                                   "cardiac silhouette and vascularity"),
    "Cardiomegaly": ("cardiomegaly", "the heart", "heart size", "cardiac enlargement", "cardiac size", "cardiac shadow",
                     "cardiac contour", "cardiac silhouette", "enlarged heart"),
    "Lung Opacity": ("opaci", "decreased translucency", "increased density", "airspace disease", "air-space disease",
                     "air space disease", "infiltrate", "infiltration", "interstitial marking", "interstitial pattern",
                     "interstitial lung", "reticular pattern", "reticular marking", "reticulation",
                     "parenchymal scarring", "peribronchial thickening", "wall thickening", "scar"),
    "Lung Lesion": ("mass", "nodular density", "nodular densities", "nodular opacity", "nodular opacities",
                    "nodular opacification", "nodule", "lump", "cavitary lesion", "carcinoma", "neoplasm", "tumor"),
    "Edema": ("edema", "heart failure", "chf", "vascular congestion", "pulmonary congestion", "indistinctness",
              "vascular prominence"),
    "Consolidation": ("consolidat",),
    "Pneumonia": ("pneumonia", "infection", "infectious process", "infectious"),
    "Atelectasis": ("atelecta", "collapse"),
    "Pneumothorax": ("pneumothorax", "pneumothoraces"),
    "Pleural Effusion": ("pleural fluid", "effusion"),
    "Pleural Other": ("pleural thickening", "fibrosis", "fibrothorax", "pleural scar", "pleural parenchymal scar",
                      "pleuro-parenchymal scar", "pleuro-pericardial scar"),
    "Fracture": ("fracture",),
    "Support Devices": ("pacer", " line ", "lines", "picc", "tube", "valve", "catheter", "pacemaker", "hardware",
                        "arthroplast", "marker", "icd", "defib", "device", "drain ", "plate", "screw", "cannula",
                        "apparatus", "coil", "support", "equipment", "mediport"),
}
"""Observation → phrases (substring semantics: "opaci" matches opacity, opacities, opacification)."""

_POSITIONAL = tuple(
    f"{where} {side}" for where in ("over the", "overly the", "in the") for side in ("", "superior ", "left ", "right ")
)


def _positional(phrases: tuple[str, ...]) -> tuple[str, ...]:
    """The CheXpert labeler's positional unmentions ("over the cardiac silhouette" locates, not describes)."""
    return tuple(
        f"{where}{p.strip().removeprefix('the ')}".replace("  ", " ") for where in _POSITIONAL for p in phrases
    )


UNMENTIONS: dict[str, tuple[str, ...]] = {
    "Lung Lesion": ("calcified nodul", "massive", "massengale"),
    "Lung Opacity": ("pleural scar",),
    "Pleural Effusion": ("pericardial effusion",),
    "Cardiomegaly": _positional(
        tuple(p for p in MENTIONS["Cardiomegaly"] if p not in ("cardiomegaly", "cardiac enlargement"))
    ),
    "Enlarged Cardiomediastinum": _positional(MENTIONS["Enlarged Cardiomediastinum"]),
    "Support Devices": ("plate-like", "platelike", "plate like"),  # deviation: plate-like atelectasis is no device
}
"""A mention overlapping one of these is discarded."""

OTHER_ABNORMALITIES: tuple[str, ...] = (
    "emphysema", "blunt", "density", "elevation", "eventration", "scoliosis", "degenera", "calcifi", "hyperinflation",
    "bronchospasm", "asthma", "hernia", "copd", "interstitial markings", "plaque", "osteophytosis", "aortic disease",
    "bronchiolitis", "airways disease", "thickening", "cephalization", "aspiration", "bullae", "hyperinflat",
    "contusion", "atherosclero", "osteopenia", "metastasis", "granuloma", "pneumomediastinum", "pneumoperitoneum",
    "osteodystrophy", "cuffing", "irregular lucency", "inflam", "fissure", "hypertension", "prominen", "kyphosis",
    "defib", "hyperexpansion", "bullet", "reticula", "thoracentesis", "bronchitis", "volume loss", "deformity",
    "hemorrhage", "hematoma", "radiopaque", "aerophagia", "arthropathy", "tracheostomy",
)
"""The CheXpert "No Finding" phrase list: a positive or uncertain mention of any of these blocks No Finding."""

CHF_PHRASES: tuple[str, ...] = ("chf", "heart failure")
"""An affirmed or uncertain Edema mention with one of these also makes Cardiomegaly uncertain."""
UNCERTAIN_EDEMA: tuple[str, ...] = (
    "vascular congestion", "pulmonary congestion", "indistinctness", "vascular prominence"
)
"""Edema mentions that are uncertain by rule."""
STABLE_SIZE = r"\b(?:stable|unchanged|not changed|similar to prior)\b"
"""For heart / mediastinal silhouette, contour or size mentions this cue means uncertain (CheXpert rule)."""
SIZE_NOUNS = r"cardiomediastinal|mediastin|silhouette|contour|heart|size|shadow"

Tier = Literal["uncertain_pre", "negative", "uncertain_post"]
"""Precedence, as the CheXpert labeler: pre-negation uncertainty > negation > post-negation uncertainty."""


@dataclass(frozen=True)
class Cue:
    """A regular expression that governs a mention on one side of it, within `max_gap` words."""

    pattern: str
    tier: Tier
    before: bool
    """True: the cue precedes the mention ("no X"); False: it follows ("X is not seen")."""
    max_gap: int


def _cues(tier: Tier, before: bool, max_gap: int, *patterns: str) -> tuple[Cue, ...]:
    return tuple(Cue(p, tier, before, max_gap) for p in patterns)


CUES: tuple[Cue, ...] = (
    *_cues("uncertain_pre", True, 8, r"cannot (?:be )?(?:exclude|excluded|rule out|ruled out)",
           r"can not (?:exclude|rule out)", r"no evidence to rule out", r"not (?:be )?(?:excluded|ruled out)",
           r"no new(?: area of)?", r"difficult to exclude"),
    *_cues("uncertain_pre", False, 3, r"(?:cannot|can not|could not|not) (?:be )?(?:excluded|ruled out)",
           r"difficult to exclude"),
    *_cues("negative", True, 8, r"\bno(?! (?:significant |interval |appreciable )?change)\b", r"without",
           r"negative for", r"free of", r"clear of", r"clearing of", r"rule out", r"rules out", r"ruled out",
           r"exclude", r"rather than", r"absence of", r"history of", r"resolution of", r"removal of",
           r"disappearance of", r"drainage of", r"previously (?:demonstrated|visualized|seen)", r"no evidence of",
           r"\bnor\b"),
    *_cues("negative", True, 2, r"\bnormal\b", r"unremarkable", r"resolved"),
    *_cues("negative", False, 4, r"(?:is|are|was|were) not (?:seen|identified|present|visualized|evident|enlarged)",
           r"not (?:seen|identified|present|visualized|evident|enlarged)", r"no longer (?:seen|present|visualized)",
           r"(?:has|have) (?:resolved|cleared)", r"resolved", r"(?:has|have) been removed", r"removed",
           r"(?:is|are) absent", r"within (?:the )?(?:upper )?normal limits", r"\bnormal\b", r"unremarkable",
           r"(?:is|are|was|has been|have been) (?:excluded|ruled out)"),
    *_cues("uncertain_post", True, 8, r"\b(?:may|might|could|would) (?:also )?be\b",
           r"\bmay\b", r"\bmight\b", r"\bcould\b", r"\bwould\b", r"possible", r"possibly",
           r"presumabl[ey]", r"probable", r"probably", r"questionable", r"question of", r"suspect(?:ed)?",
           r"suspicious", r"suspicion", r"suggestion of", r"concern(?:ing)? for", r"worrisome",
           r"\bfavou?r(?:s|ed|ing)?\b(?! to\b)",
           r"consider", r"differential", r"borderline", r"maybe", r"secondary to", r"correlate clinically",
           r"versus", r"\bvs\b"),
    *_cues("uncertain_post", True, 2, r"\bor\b"),
    *_cues("uncertain_post", False, 3, r"(?:may|might|could|would) be(?! (?:secondary|due|related|caused)\b)",
           r"\b(?:is|are|was|were|be|been|seems?|appears?) (?:possibl[ey]|probabl[ey]|questionable|suspected)\b",
           r"poorly (?:seen|visualized|evaluated)", r"not well (?:seen|visualized|evaluated)",
           r"not clearly (?:seen|visualized)", r"obscured", r"not appreciated", r"incompletely evaluated"),
    *_cues("uncertain_post", False, 1, r"\bor\b", r"versus", r"\bvs\b"),
)
"""Negation and uncertainty cues. Gaps are counted in words between the cue and the mention."""

BROAD_HEDGES: tuple[Cue, ...] = _cues(
    "uncertain_post", True, 8, r"\blikely\b", r"suggestive of", r"suggesting", r"\bsuggests?\b", r"consistent with",
    r"compatible with", r"\bunlikely\b")
"""Hedges the CheXpert labeler leaves positive; the "rules-broad" labeler treats them as uncertain."""

GAP_BLOCKERS: frozenset[str] = frozenset(
    {"is", "are", "was", "were", "be", "been", "has", "have", "had", "there", "with", "no", "without"}
)
"""A preceding cue does not reach over a verb, "with" ("no effusion with ...", "no X and there is Y") or another
negation ("no new X or Y, and no Z": the nearer "no" governs Z)."""
POST_GAP_BLOCKERS: frozenset[str] = frozenset({"with", "without", "no", "not", "but", "or", "of", "to", "in"})
"""Words a following cue does not reach back over."""
ARTICLES: frozenset[str] = frozenset({"the", "a", "an"})
"""Not counted in a following cue's gap ("the heart and the mediastinum are normal" reaches as far as without)."""
SINGULAR_VERBS: frozenset[str] = frozenset({"is", "was", "has"})
"""A following cue reaches back over "and" only for a coordinated subject, whose verb is plural ("the heart and
mediastinum are normal"); with a singular verb the "and" joins another clause ("pneumothorax and the tube
has been removed": only the tube is removed)."""

FINITE_VERBS: frozenset[str] = frozenset({
    "is", "are", "was", "were", "has", "have", "had", "remains", "remain", "appears", "appear", "seems", "seem",
    "persists", "persist", "measures", "measure", "projects", "project", "terminates", "terminate", "extends",
    "extend", "lies", "lie", "may", "might", "could", "would", "can", "will", "should", "shows", "show",
    "demonstrates", "demonstrate", "overlies", "overlie", "ends", "end"})
"""Verbs that show an "and" opens a new clause with its own subject and verb."""
NEW_CLAUSE_VERB_WITHIN = 6
"""The new clause's verb must come within this many words after "and" (its subject in between)."""
CLAUSE_LEFT = (
    r"\b(?:is|are|was|were|has|have|had|be|been|remains?|appears?|seen|noted|present|identified|demonstrated"
    r"|no|not|without|negative)\b"
)
"""What precedes a clause-opening "and" has a verb or a negation of its own (else "and" coordinates a subject)."""

CLAUSE_BREAK = (
    r";|:|\?|!"
    r"|\b(?:but|however|although|though|except|whereas|which|apart from|aside from|other than)\b"
    r"|,(?= (?:and )?(?:there|the|this|these|it)\b)"
)
"""Clause boundaries; no cue crosses one."""
