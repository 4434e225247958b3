"""Text renderers of the leaderboard: Markdown, CSV (numbers in percent) and LaTeX (booktabs)."""
from __future__ import annotations

import io
from typing import Any

import pandas as pd

from gazebench.leaderboard.table import METRIC_TITLES, METRICS

LIMITED_NOTE = "[limit N]: only the first N samples of each split were evaluated; not comparable to full runs."


def notes(long: pd.DataFrame, dataset_note: str | None) -> list[str]:
    """Footnotes: what the values are, the simulated-data caveat, the limited-run mark."""
    policies = ", ".join(sorted(set(long["threshold_policy"])))
    out = [f"Macro AUROC, Acc and F1 in percent with 95% patient-bootstrap CIs; Acc/F1 thresholds: {policies}."]
    if dataset_note:
        out.append(dataset_note)
    if long["limited"].any():
        out.append(LIMITED_NOTE)
    return out


def to_markdown(wide: pd.DataFrame, footnotes: list[str]) -> str:
    """A GitHub table: one header row `task metric`, one row per model."""
    head = ["model"] + [f"{task} {metric}" for task, metric in wide.columns]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join([":---"] + ["---:"] * (len(head) - 1)) + "|"]
    for model, row in wide.iterrows():
        lines.append("| " + " | ".join([_md(str(model))] + [str(v) for v in row]) + " |")
    return "\n".join(lines + [""] + [f"_{n}_" for n in footnotes]) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def to_csv(long: pd.DataFrame, tasks: list[str]) -> str:
    """Wide CSV for machines: `<task>/<metric>`, `_low`, `_high` columns in percent, plus n and limit flag."""
    rows: dict[str, dict[str, Any]] = {}
    for rec in long.itertuples(index=False):
        row = rows.setdefault(rec.row, {"model": rec.row, "limited": bool(rec.limited)})
        for suffix, value in (("", rec.value), ("_low", rec.low), ("_high", rec.high)):
            row[f"{rec.task}/{rec.metric}{suffix}"] = None if value is None or pd.isna(value) else round(100 * value, 3)
        row[f"{rec.task}/n"] = rec.n
    cols = ["model", "limited"] + [f"{t}/{m}{s}" for t in tasks for m in METRICS for s in ("", "_low", "_high")]
    cols += [f"{t}/n" for t in tasks]
    buf = io.StringIO()
    pd.DataFrame(list(rows.values())).reindex(columns=cols).to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                 "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "–": "--"}


def latex_escape(text: str) -> str:
    return "".join(LATEX_SPECIAL.get(ch, ch) for ch in text)


def to_latex(wide: pd.DataFrame, tasks: list[str], footnotes: list[str]) -> str:
    """A booktabs tabular with a task header spanning its metric columns (needs \\usepackage{booktabs})."""
    n_metrics = len(METRICS)
    lines = [r"\begin{tabular}{l" + "r" * (n_metrics * len(tasks)) + "}", r"\toprule"]
    lines.append(" & ".join(["Model"] + [rf"\multicolumn{{{n_metrics}}}{{c}}{{{latex_escape(t)}}}" for t in tasks])
                 + r" \\")
    lines.append("".join(rf"\cmidrule(lr){{{2 + i * n_metrics}-{1 + (i + 1) * n_metrics}}}" for i in range(len(tasks))))
    lines.append(" & ".join([""] + [METRIC_TITLES[m] for _ in tasks for m in METRICS]) + r" \\")
    lines.append(r"\midrule")
    for model, row in wide.iterrows():
        lines.append(" & ".join([latex_escape(str(model))] + [latex_escape(str(v)) for v in row]) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    lines += [f"% {n}" for n in footnotes]
    return "\n".join(lines) + "\n"
