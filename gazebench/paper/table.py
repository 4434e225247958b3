"""The paper table as data: each method's results JSONs (one per seed), the paired comparisons, and the
notes and command that say how it was made. Built by `runner.build_table`, rendered by `render`."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gazebench.comparison import RunComparison
from gazebench.leaderboard.tracks import legend
from gazebench.metrics.power import MDD_NOTE, ZERO_WIDTH_NOTE, zero_width
from gazebench.paper.methods import Comparison, PaperMethod
from gazebench.results import RunResults


@dataclass(frozen=True, eq=False)
class MethodRuns:
    """One method's run directories and results JSONs, one per seed (seed order)."""

    method: PaperMethod
    run_dirs: tuple[Path, ...]
    results: tuple[RunResults, ...]
    """Verified results (gazebench.engine.verify), one per seed."""

    @property
    def track(self) -> str:
        """The model's declared track (standard, gaze-at-inference, privileged), as its runs recorded it."""
        return self.results[0].track if self.results else "standard"


@dataclass(frozen=True, eq=False)
class ComparisonRuns:
    """One comparison's `compare_runs` outputs, one per seed."""

    comparison: Comparison
    results: tuple[RunComparison, ...]


@dataclass(frozen=True, eq=False)
class PaperTable:
    methods: tuple[MethodRuns, ...]
    comparisons: tuple[ComparisonRuns, ...]
    tasks: tuple[str, ...]
    """The tasks shown, in order; for the Thinking-with-Gaze table the in-domain task first, then zero-shot."""
    command: str
    """The exact command that regenerates this table."""
    notes: tuple[str, ...] = ()
    """Notes from the runner (backbone, Vanilla's parse-failure rate, ...); result-derived notes are added
    when rendering."""
    paper: str = "thinking-with-gaze"
    """The paper registry key (gazebench.paper.papers) whose renderer writes this table."""

    @property
    def in_domain(self) -> str:
        """The first task (the in-domain one of the Thinking-with-Gaze table)."""
        return self.tasks[0]

    @property
    def zero_shot(self) -> tuple[str, ...]:
        """The tasks after the first (zero-shot in the Thinking-with-Gaze table)."""
        return self.tasks[1:]


def derived_notes(table: PaperTable, classification: bool = True) -> list[str]:
    """What every number means, read from the results themselves: metric definitions and threshold policy (for a
    classification table), seeds and bootstrap size, the simulated-data caveat, --limit, track markers, zero-width
    CIs and the MDD."""
    first = [r for m in table.methods for r in m.results]
    out = ["Macro AUROC / Acc / F1 over the task's labels in percent (Acc = mean per-label accuracy, F1 = "
           "mean per-label F1); labels with one class in the test split are left out of AUROC."
           ] if classification else []
    if first:
        cfg = first[0].config
        thr = first[0].thresholds
        seeds = max(len(m.results) for m in table.methods)
        spread = ("mean ± sd over seeds" if seeds > 1 else
                  f"95% patient-bootstrap CI ({first[0].scoring.get('n_boot', '?')} replicates)")
        out.append(f"Seeds: {seeds}; each cell shows {spread}." + (
            f" Acc/F1 thresholds: {thr.get('policy', '?')} ({thr.get('source', '?')})." if classification else ""))
        notes = sorted({r.dataset_note for r in first if r.dataset_note})
        out += [f"SIMULATED DATA: {n}" for n in notes]
        if cfg.get("limit"):
            out.append(f"--limit {cfg['limit']}: only the first {cfg['limit']} samples of each evaluated split "
                       "were scored; not comparable to full runs.")
    out += legend(m.track for m in table.methods)
    if table.comparisons:
        out.append(MDD_NOTE)
    if _any_zero_width(table):
        out.append(ZERO_WIDTH_NOTE)
    return out


def _any_zero_width(table: PaperTable) -> bool:
    """Whether any single-run CI of a task shown (a method's metric or a paired difference) has zero width."""
    blocks = [r.tasks[t] for m in table.methods for r in m.results for t in table.tasks if t in r.tasks]
    cis: list[Any] = [v.ci for b in blocks for v in b.metrics.values() if v.value is not None]
    cis += [m.ci for c in table.comparisons for r in c.results for t in table.tasks if t in r.tasks
            for m in r.tasks[t].metrics.values()]
    return any(isinstance(ci, (list, tuple)) and zero_width(ci) for ci in cis)
