"""Text renderers of the leaderboard: Markdown, CSV (numbers in percent) and LaTeX (booktabs)."""
from __future__ import annotations

from typing import Any

import pandas as pd

from gazebench.engine.writable import csv_text
from gazebench.leaderboard.table import Leaderboard
from gazebench.leaderboard.tracks import legend
from gazebench.metrics.power import ZERO_WIDTH_NOTE, zero_width
from gazebench.metrics.vocabulary import metric

LIMITED_NOTE = "[limit N]: only the first N samples of each split were evaluated; not comparable to full runs."


def notes(board: Leaderboard, dataset_note: str | None) -> list[str]:
    """Footnotes: what the values are, the simulated-data caveat, the limited-run mark, the track and
    zero-width legends, which runs were left out (refused or duplicate), by directory name, and each report
    task's configuration signature."""
    long = board.long
    policies = ", ".join(sorted({p for p in long["threshold_policy"] if isinstance(p, str)}))  # classification
    out = [f"Classification: macro AUROC, Acc and F1 in percent with patient-bootstrap CIs; Acc/F1 thresholds: "
           f"{policies or 'none'}. Other task kinds: their metric family's columns (docs/gazex_track.md)."]
    if dataset_note:
        out.append(dataset_note)
    if long["limited"].any():
        out.append(LIMITED_NOTE)
    out += legend(long["track"])
    bounds = zip(long["low"], long["high"], strict=True)
    if any(zero_width((lo, hi)) for lo, hi in bounds if not (pd.isna(lo) or pd.isna(hi))):
        out.append(ZERO_WIDTH_NOTE)
    if board.refused:
        out.append("Left out, failed verification: " + ", ".join(path.name for path, _ in board.refused) + ".")
    out += [f"Duplicate: {line}." for line in board.duplicates]
    signatures = {(run.label, task, r.details["signature"]) for run in board.runs
                  for task, r in run.results.tasks.items() if r.details.get("signature")}
    out += [f"Report signature ({label}, {task}): {sig}" for label, task, sig in sorted(signatures)]
    return out


def to_markdown(wide: pd.DataFrame, footnotes: list[str]) -> str:
    """A GitHub table: one header row `task metric`, one row per model."""
    head = ["model"] + [f"{task} {metric}" for task, metric in wide.columns]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join([":---"] + ["---:"] * (len(head) - 1)) + "|"]
    for model, row in wide.iterrows():
        lines.append("| " + " | ".join([md_escape(str(model))] + [str(v) for v in row]) + " |")
    return "\n".join(lines + [""] + [f"_{md_escape(n)}_" for n in footnotes]) + "\n"


MD_SPECIAL = frozenset("\\`*_[]<>|~&#")
"""Characters Markdown (CommonMark, GitHub tables) would read as markup or HTML in a model name or note."""


def md_escape(text: str) -> str:
    """Backslash-escape Markdown markup and HTML, so a name prints as written (as html.escape does for HTML)."""
    return "".join(f"\\{ch}" if ch in MD_SPECIAL else ch for ch in text)


def to_csv(long: pd.DataFrame, tasks: list[str]) -> str:
    """Wide CSV for machines: `<task>/<metric>`, `_low`, `_high` columns on each metric's display scale (percent for
    fractions), plus track, n and limit flag."""
    rows: dict[str, dict[str, Any]] = {}
    for rec in long.itertuples(index=False):
        row = rows.setdefault(rec.row, {"model": rec.row, "track": rec.track, "limited": bool(rec.limited)})
        for suffix, value in (("", rec.value), ("_low", rec.low), ("_high", rec.high)):
            row[f"{rec.task}/{rec.metric}{suffix}"] = None if value is None or pd.isna(value) \
                else round(_scale(rec.metric) * value, 3)
        row[f"{rec.task}/n"] = rec.n
    cols = ["model", "track", "limited"]
    metrics = {t: list(dict.fromkeys(long.loc[long["task"] == t, "metric"])) for t in tasks}
    cols += [f"{t}/{m}{s}" for t in tasks for m in metrics[t] for s in ("", "_low", "_high")]
    cols += [f"{t}/n" for t in tasks]
    return csv_text(pd.DataFrame(list(rows.values())).reindex(columns=cols))


LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                 "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "–": "--",
                 "†": r"\dag{}", "‡": r"\ddag{}", "⚠": r"\textsuperscript{!}", "<": r"\textless{}",
                 ">": r"\textgreater{}"}


def latex_escape(text: str) -> str:
    return "".join(LATEX_SPECIAL.get(ch, ch) for ch in text)


def to_latex(wide: pd.DataFrame, tasks: list[str], footnotes: list[str]) -> str:
    """A booktabs tabular with a task header spanning its metric columns (needs \\usepackage{booktabs})."""
    titles = {t: [m for task, m in wide.columns if task == t] for t in tasks}  # each task's family's metrics
    starts = [2 + sum(len(titles[u]) for u in tasks[:i]) for i in range(len(tasks))]
    lines = [r"\begin{tabular}{l" + "r" * len(wide.columns) + "}", r"\toprule"]
    lines.append(" & ".join(["Model"] + [rf"\multicolumn{{{len(titles[t])}}}{{c}}{{{latex_escape(t)}}}" for t in tasks])
                 + r" \\")
    lines.append("".join(rf"\cmidrule(lr){{{s}-{s + len(titles[t]) - 1}}}" for s, t in zip(starts, tasks, strict=True)))
    lines.append(" & ".join([""] + [latex_escape(str(m)) for t in tasks for m in titles[t]]) + r" \\")
    lines.append(r"\midrule")
    for model, row in wide.iterrows():
        lines.append(" & ".join([latex_escape(str(model))] + [latex_escape(str(v)) for v in row]) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    lines += [f"% {n}" for n in footnotes]
    return "\n".join(lines) + "\n"


def _scale(name: str) -> float:
    """The display scale of the metric stored as `name` (percent for an undeclared one)."""
    declared = metric(name)
    return declared.scale if declared is not None else 100.0
