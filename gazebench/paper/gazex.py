"""The GazeX table as data: its methods (GazeX, its two gaze ablations, Vanilla and SFT), the comparisons of
GazeX against each, the metrics shown per task kind, the headline metrics compared, and the figures the GazeX
paper publishes that we know. Models are found through the registry, so this imports no model module."""
from __future__ import annotations

from dataclasses import dataclass

from gazebench.paper.methods import Comparison, PaperMethod

GAZEX_SOURCE = ("Lee et al., Seeing Through Experts' Eyes: A Foundational Vision Language Model Trained on "
                "Radiologists' Gaze and Reasoning (GazeX), arXiv:2604.14316 (2026)")

GAZEX_METHODS: tuple[PaperMethod, ...] = (
    PaperMethod("gazex", "GazeX", takes_backbone=True),
    PaperMethod("gazex-no-gaze", "GazeX (no gaze)", takes_backbone=True),
    PaperMethod("gazex-shuffled", "GazeX (shuffled gaze)", takes_backbone=True),
    PaperMethod("vanilla", "Vanilla", takes_backbone=True),
    PaperMethod("sft", "SFT", takes_backbone=True),
)

GAZEX_COMPARISONS: tuple[Comparison, ...] = (
    Comparison("gazex-no-gaze", "gazex", "gaze supervision: GazeX vs the same model trained without gaze"),
    Comparison("gazex-shuffled", "gazex", "gaze order: GazeX vs GazeX trained on shuffled gaze"),
    Comparison("vanilla", "gazex", "GazeX vs the untrained backbone (Vanilla)"),
    Comparison("sft", "gazex", "GazeX vs instruction tuning alone (SFT)"),
)

GAZEX_KINDS: tuple[str, ...] = ("report", "grounding", "vqa", "scanpath")
"""Task kinds of the GazeX table, in section order."""
GAZEX_TASKS: tuple[str, ...] = ("mimic-eye-report", "reflacx-grounding", "ms-cxr-grounding", "cxr-vqa",
                                "mimic-eye-scanpath")
"""The GazeX-track tasks the table shows (a plugin task of the same kinds is run, not tabled)."""

KEY_METRICS: dict[str, tuple[str, ...]] = {
    "report": ("bleu1", "bleu4", "rougeL", "ciderD", "ce_micro_f1", "ce_macro_f1"),
    "grounding": ("miou", "hit0.5", "pointing"),
    "vqa": ("accuracy",),
    "scanpath": ("icc_x", "icc_y", "dist_px", "kendall_tau", "finding_f1"),
}
"""The columns of each kind's table (results-JSON keys, gazebench.metrics.vocabulary)."""

HEADLINE_METRICS: dict[str, tuple[str, ...]] = {
    "report": ("ce_micro_f1", "bleu4"),
    "grounding": ("miou",),
    "vqa": ("accuracy",),
    "scanpath": ("icc_x",),
}
"""The metrics the paired comparisons are shown on, per kind."""


@dataclass(frozen=True)
class PublishedFigure:
    """A number the GazeX paper reports, shown beside ours as the paper's, never mixed into our cells."""

    kind: str
    metric: str
    """Results-JSON key of our matching metric."""
    low: float
    high: float
    """The published range (low == high for a single number), on the metric's display scale."""
    text: str
    """How the paper states it."""
    form: str | None = None
    """The ICC form (Shrout & Fleiss) the paper names for an ICC figure; None where it does not say."""

    @property
    def form_label(self) -> str:
        """`ICC(2,1)`-style label, or "form not stated"; empty for a figure that is not an ICC."""
        if not self.metric.startswith("icc"):
            return ""
        return f"ICC({self.form})" if self.form else "form not stated"


PUBLISHED: tuple[PublishedFigure, ...] = (
    PublishedFigure("scanpath", "icc_x", 0.62, 0.65,
                    "ICC ≈ 0.62–0.65 between model and radiologist gaze clusters (axis not stated)"),
    PublishedFigure("scanpath", "icc_y", 0.62, 0.65,
                    "ICC ≈ 0.62–0.65 between model and radiologist gaze clusters (axis not stated)"),
)

GAZEX_NOTES: tuple[str, ...] = (
    "Rows labelled 'GazeX paper' are the figures the GazeX paper publishes (" + GAZEX_SOURCE + "), not ours; "
    "the paper also reports cosine similarity > 0.9 between predicted and expert gaze clusters, which gazebench "
    "does not use as a measure (unrelated positive coordinates already have a cosine near 0.9; see "
    "docs/gazex_track.md). It publishes no other number we can place beside ours.",
    "Our scanpath ICC is ICC(2,1) (two-way random, absolute agreement, single rater) unless the task selects "
    "another form; each run records its form and pairing (results: icc_form, icc_pairing). The GazeX paper's "
    "ICC ≈ 0.62–0.65 states neither form nor pairing (form not stated), so it is shown beside ours, not as equal.",
    "Scanpath ICC is computed after Hungarian matching of every radiologist region to the nearest predicted one, "
    "so even `random` clusters reach a clearly positive ICC by construction (docs/gazex_track.md): read a "
    "model's ICC against the `random` row (add it with `--methods paper,random`), not against 0.",
    "'–': the model does not declare that task kind (its run skipped the task); 'n/a': the metric is undefined "
    "on that run.",
)
