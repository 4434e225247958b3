"""The paper's methods as data: registry name, the name the paper prints, its reported MIMIC-EYE numbers,
and the paired comparisons that answer the paper's questions. Models are found through the registry (their
entry points), so this package imports no model module."""
from __future__ import annotations

from dataclasses import dataclass

from gazebench.errors import ConfigError
from gazebench.metrics.vocabulary import metric_names, metrics_for

PAPER_SOURCE = ("Li et al., Thinking with Gaze: Sequential Eye-Tracking as Visual Reasoning Supervision for "
                "Medical VLMs, arXiv:2603.06697 (2026), MIMIC-EYE in-domain table")
ZERO_SHOT_NOTE = ("The paper's zero-shot table (CheXpert, RSNA, SIIM-ACR) is not public; only ours is shown. "
                  "The paper reports zero-shot gains for ordered gaze, e.g. +5.09 F1 on RSNA over the "
                  "instruction-tuned baseline.")
STATS = metric_names("classification")
STAT_TITLES = {m.name: m.display for m in metrics_for("classification")}


@dataclass(frozen=True)
class PaperMethod:
    """One row of the table."""

    key: str
    """Registered model name (`gazebench run --model KEY`)."""
    title: str
    reported: tuple[float, float, float] | None = None
    """The paper's MIMIC-EYE AUROC / Acc / F1 in percent; None for a model the paper does not have."""
    takes_backbone: bool = False
    """True for the Qwen2.5-VL methods, which receive `--backbone` as their `backbone` argument."""


PAPER_METHODS: tuple[PaperMethod, ...] = (
    PaperMethod("vanilla", "Vanilla", (49.74, 42.15, 43.09), True),
    PaperMethod("sft", "SFT", (87.60, 86.03, 84.18), True),
    PaperMethod("sft-heatmap", "SFT-Heatmap", (87.51, 86.51, 84.23), True),
    PaperMethod("medclip", "MedCLIP", (87.37, 86.63, 84.32)),
    PaperMethod("egma", "EGMA", (89.49, 88.11, 86.20)),
    PaperMethod("random-gaze", "Random-Gaze", (86.45, 85.59, 81.06), True),
    PaperMethod("shuffled-gaze", "Shuffled-Gaze", (88.51, 87.48, 84.97), True),
    PaperMethod("original-gaze", "Original-Gaze", (90.17, 89.02, 87.61), True),
)
BY_KEY = {m.key: m for m in PAPER_METHODS}


@dataclass(frozen=True)
class Comparison:
    """B against A on the same images (B − A), and the question it answers."""

    a: str
    b: str
    question: str


COMPARISONS: tuple[Comparison, ...] = (
    Comparison("shuffled-gaze", "original-gaze", "Q1 order: ordered vs shuffled gaze (same patches)"),
    Comparison("random-gaze", "original-gaze", "Q1 order+where: ordered vs random gaze"),
    Comparison("random-gaze", "shuffled-gaze", "Q1 where: right patches (shuffled) vs random patches"),
    Comparison("sft-heatmap", "original-gaze", "Q1 order vs static: gaze tokens vs heatmap supervision"),
    Comparison("sft", "original-gaze", "Q2: gaze tokens vs instruction tuning alone (SFT)"),
    Comparison("sft", "sft-heatmap", "Q2: static heatmap supervision vs SFT"),
    *(Comparison("vanilla", b, f"Q0: {what} vs the untrained backbone (Vanilla)") for b, what in (
        ("sft", "instruction tuning"), ("random-gaze", "random gaze tokens"), ("shuffled-gaze", "shuffled gaze tokens"),
        ("original-gaze", "ordered gaze tokens"))),
)
"""Q0 asks whether training did anything at all: a method that does not beat Vanilla shows nothing else."""
SUBMITTED_BASELINES = ("original-gaze", "sft")
"""A model outside the paper is compared with each of these that is in the table (else the first paper row)."""


def resolve_methods(spec: str, known: tuple[PaperMethod, ...] = PAPER_METHODS) -> tuple[PaperMethod, ...]:
    """`paper` (the paper's methods, `known`), or a comma list of their keys and other registered model names, in
    table order (the paper's rows first, in its order, then the others as given); unknown names are an error."""
    from gazebench.adapter import MODELS

    names = [n.strip() for n in spec.split(",") if n.strip()]
    if not names:
        raise ConfigError("--methods is empty")
    by_key = {m.key: m for m in known}
    chosen = set(by_key) if "paper" in names else set()
    chosen |= {n for n in names if n in by_key}
    others = [n for n in dict.fromkeys(names) if n != "paper" and n not in by_key]
    for name in others:
        MODELS.get(name)  # RegistryError with did-you-mean if unknown
    return tuple(m for m in known if m.key in chosen) + tuple(PaperMethod(n, n) for n in others)


def comparisons_for(methods: tuple[PaperMethod, ...], known: tuple[PaperMethod, ...] = PAPER_METHODS,
                    comparisons: tuple[Comparison, ...] = COMPARISONS,
                    baselines: tuple[str, ...] = SUBMITTED_BASELINES) -> tuple[Comparison, ...]:
    """The paper's `comparisons` whose two methods are both present, then each submitted model against the
    `baselines` present (or the first paper row when none is)."""
    by_key = {m.key: m for m in known}
    keys = [m.key for m in methods]
    out = [c for c in comparisons if c.a in keys and c.b in keys]
    paper = [k for k in keys if k in by_key]
    for key in keys:
        if key in by_key:
            continue
        against = [k for k in baselines if k in keys] or paper[:1]
        out += [Comparison(a, key, f"submitted: {key} vs {by_key[a].title}") for a in against]
    return tuple(out)
