"""A task is an immutable, versioned definition: which reader, which split, which labels, which policies.

Tasks are built by small factory functions in `tasks/` (installed as `gazebench.tasks`) and found
through the `gazebench.tasks` entry point group.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from gazebench.labels import CHEXPERT_LABELS, label_indices
from gazebench.records import Dataset, Sample
from gazebench.registry import Registry

if TYPE_CHECKING:
    from gazebench.metrics.agreement import IccForm

UncertainPolicy = Literal["ignore", "zeros", "ones"]
BlankPolicy = Literal["negative", "ignore"]
QuerySource = Literal["findings", "phrases", "questions"]
CEUncertain = Literal["positive", "negative", "ignore"]


@dataclass(frozen=True)
class Task:
    """What to evaluate and how; bump `version` whenever the numbers it produces could change."""

    name: str
    version: str
    description: str
    reader: str
    """Name of the dataset reader (gazebench.data.readers.READERS)."""
    subdir: str
    """Folder under the data root that the dataset unpacks to, as its publisher ships it."""
    labels: tuple[str, ...]
    """The CheXpert labels scored, a subset of the model's 14 outputs."""
    in_domain: bool
    eval_split: str = "test"
    train_split: str | None = None
    val_split: str | None = None
    subsets: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Named label subsets reported beside the macro (e.g. ("chexpert5", CHEXPERT5))."""
    uncertain: UncertainPolicy = "ignore"
    """What -1 (uncertain) becomes in evaluation: masked, negative or positive."""
    blank: BlankPolicy = "negative"
    """What a blank (not mentioned) label becomes: negative (CheXpert convention) or masked."""
    patient_split: tuple[float, float, float] | None = None
    """If set, re-split patients train/validate/test with these fractions (written once as an ID manifest);
    if None, the split the dataset ships is used (MIMIC-EYE: the official MIMIC-CXR split; see docs/splits.md)."""
    variant_of: str | None = None
    """The task this one re-defines (e.g. with another split); `--tasks all` leaves variants out."""
    metric_families: tuple[str, ...] = ("calibration",)
    """Classification tasks: metric families scored from the same probabilities (gazebench.engine.families),
    reported beside the kind's own family under their own key."""
    slices: tuple[str, ...] = ("view", "sex", "age")
    """Sample attributes (gazebench.data.attributes) whose subgroups get their own metrics by default."""
    kind: str = "classification"
    """What the model is asked for: a registered task kind (gazebench.engine.kinds.KINDS) — label probabilities,
    a report, a box per query, an answer per question, a gaze trajectory, or a plugin's kind. The kind checks the
    rest of the definition when the engine first uses the task."""
    queries: QuerySource | None = None
    """Per-(image, query) tasks: which records of a sample become items (REFLACX findings, MS-CXR phrases,
    VQA questions); None for per-image tasks."""
    min_certainty: int | None = None
    """Grounding on REFLACX findings: the lowest reader certainty (1-5) a finding needs to become an item."""
    labeler: str = "rules"
    """Report labeler (gazebench.reports.LABELERS) that labels generated and reference reports alike."""
    ce_uncertain: CEUncertain = "positive"
    """What an uncertain (-1) labeler code counts as in clinical-efficacy scores (gazebench.metrics.clinical)."""
    answer_sets: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """VQA: the closed answer set of each question type, given to the model as the item's choices."""
    icc_form: IccForm = "2,1"
    """Scanpath: the Shrout & Fleiss ICC form of icc_x / icc_y (gazebench.metrics.agreement.ICC_FORMS)."""
    finding_names: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Scanpath: each CheXpert label with the dataset's finding names it covers (e.g. REFLACX's); readers'
    findings are mapped through it and the model's reported findings are read on these labels only."""
    grid: tuple[int, int] | None = None
    """Scanpath: the (columns, rows) grid the centroid distance in cells is measured on, the same for every model."""

    def __post_init__(self) -> None:
        from gazebench.data.attributes import ATTRIBUTES

        if not self.kind or self.kind != self.kind.strip().lower():
            raise ValueError(f"task {self.name!r}: kind must be a lowercase kind name, not {self.kind!r}")
        label_indices(self.labels)
        label_indices(tuple(label for label, _ in self.finding_names))
        if any(a not in ATTRIBUTES for a in self.slices):
            raise ValueError(f"task {self.name}: slices {self.slices} must be among {ATTRIBUTES}")
        for _, names in self.subsets:
            label_indices(names)
        from gazebench.metrics.agreement import ICC_FORMS

        if self.icc_form not in ICC_FORMS:
            raise ValueError(f"task {self.name!r}: icc_form must be one of {', '.join(ICC_FORMS)}, "
                             f"not {self.icc_form!r}")

    @property
    def label_columns(self) -> list[int]:
        """Columns of the model's 14-label output that this task scores."""
        return label_indices(self.labels)

    def choices(self, question_kind: str) -> tuple[str, ...] | None:
        """The declared answer set of a VQA question type (None if the task declares none for it)."""
        return dict(self.answer_sets).get(question_kind)

    @property
    def split_policy(self) -> str:
        """`official` (the split the dataset ships), `whole set is test` (zero-shot) or `patient re-split a/b/c`."""
        if self.patient_split is None:
            return "official" if self.in_domain else "whole set is test"
        return "patient re-split " + "/".join(f"{round(f * 100)}" for f in self.patient_split)

    def data_dir(self, data_root: Path) -> Path:
        return Path(data_root) / self.subdir

    def load(self, data_root: Path) -> Dataset:
        """Read this task's dataset from `data_root/subdir`, applying the patient split if the task has one."""
        from gazebench.data.readers import READERS
        from gazebench.data.splits import apply_patient_split

        dataset = READERS.create(self.reader, root=self.data_dir(data_root))
        if self.patient_split is not None:
            dataset = apply_patient_split(dataset, self.patient_split, task=f"{self.name}-v{self.version}")
        return dataset

    def targets(self, samples: tuple[Sample, ...] | list[Sample]) -> np.ndarray:
        """(N, len(labels)) float array of 0/1 targets with NaN where the policies mask the label."""
        raw = np.array([s.labels for s in samples], dtype=np.float64).reshape(len(samples), len(CHEXPERT_LABELS))
        y = raw[:, self.label_columns]
        return apply_label_policy(y, self.uncertain, self.blank)

    def describe(self) -> dict[str, object]:
        """JSON-ready definition (gazebench.engine.kinds.describe_task adds what the task's kind reads)."""
        return {
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "reader": self.reader,
            "subdir": self.subdir,
            "labels": list(self.labels),
            "in_domain": self.in_domain,
            "eval_split": self.eval_split,
            "train_split": self.train_split,
            "val_split": self.val_split,
            "subsets": {k: list(v) for k, v in self.subsets},
            "uncertain_policy": self.uncertain,
            "blank_policy": self.blank,
            "split_policy": self.split_policy,
            "patient_split": list(self.patient_split) if self.patient_split else None,
            "variant_of": self.variant_of,
            "metric_families": list(self.metric_families),
            "slices": list(self.slices),
            "kind": self.kind,
            "queries": self.queries,
            "min_certainty": self.min_certainty,
            "answer_sets": {k: list(v) for k, v in self.answer_sets},
        }


def apply_label_policy(raw: np.ndarray, uncertain: UncertainPolicy, blank: BlankPolicy) -> np.ndarray:
    """Map raw codes (1, 0, -1, NaN) to 0/1 targets with NaN for masked entries."""
    y = np.array(raw, dtype=np.float64, copy=True)
    blank_mask = np.isnan(y)
    unc_mask = y == -1.0
    y[blank_mask] = 0.0 if blank == "negative" else np.nan
    y[unc_mask] = {"ignore": np.nan, "zeros": 0.0, "ones": 1.0}[uncertain]
    return y


TASKS: Registry[Task] = Registry("task", group="gazebench.tasks")
register_task = TASKS.register


def get_task(name: str) -> Task:
    """The task registered as `name` (entry points are searched on a miss)."""
    return TASKS.create(name)


def default_task_names() -> list[str]:
    """What `--tasks all` means: every registered task that is not a variant of another."""
    return [n for n in TASKS.names() if get_task(n).variant_of is None]


def resolve_tasks(spec: str) -> list[Task]:
    """`all` (every non-variant task) or a comma-separated list of task names, in the order given."""
    names = default_task_names() if spec.strip() == "all" else [n.strip() for n in spec.split(",") if n.strip()]
    return [get_task(n) for n in names]
