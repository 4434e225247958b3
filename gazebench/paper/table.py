"""The paper table as data: each method's results JSONs (one per seed), the paired comparisons, and the
notes and command that say how it was made. Built by `runner.build_table`, rendered by `render`."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gazebench.paper.methods import Comparison, PaperMethod


@dataclass(frozen=True, eq=False)
class MethodRuns:
    """One method's run directories and results JSONs, one per seed (seed order)."""

    method: PaperMethod
    run_dirs: tuple[Path, ...]
    results: tuple[dict[str, Any], ...]


@dataclass(frozen=True, eq=False)
class ComparisonRuns:
    """One comparison's `compare_runs` outputs, one per seed."""

    comparison: Comparison
    results: tuple[dict[str, Any], ...]


@dataclass(frozen=True, eq=False)
class PaperTable:
    methods: tuple[MethodRuns, ...]
    comparisons: tuple[ComparisonRuns, ...]
    in_domain: str
    zero_shot: tuple[str, ...]
    command: str
    """The exact command that regenerates this table."""
    notes: tuple[str, ...] = ()
    """Notes from the runner (backbone, Vanilla's parse-failure rate, ...); result-derived notes are added
    when rendering."""


def derived_notes(table: PaperTable) -> list[str]:
    """What every number means, read from the results themselves: metric definitions and threshold policy,
    seeds and bootstrap size, the simulated-data caveat, and --limit."""
    first = [r for m in table.methods for r in m.results]
    out = ["Macro AUROC / Acc / F1 over the task's labels in percent (Acc = mean per-label accuracy, F1 = "
           "mean per-label F1); labels with one class in the test split are left out of AUROC."]
    if first:
        cfg = first[0].get("config", {})
        thr = first[0].get("thresholds", {})
        seeds = max(len(m.results) for m in table.methods)
        spread = ("mean ± sd over seeds" if seeds > 1 else
                  f"95% patient-bootstrap CI ({first[0].get('scoring', {}).get('n_boot', '?')} replicates)")
        out.append(f"Seeds: {seeds}; each cell shows {spread}. Acc/F1 thresholds: {thr.get('policy', '?')} "
                   f"({thr.get('source', '?')}).")
        notes = sorted({r["dataset_note"] for r in first if r.get("dataset_note")})
        out += [f"SIMULATED DATA: {n}" for n in notes]
        if cfg.get("limit"):
            out.append(f"--limit {cfg['limit']}: only the first {cfg['limit']} samples of each evaluated split "
                       "were scored; not comparable to full runs.")
    return out
