"""Human-readable views of a results JSON: percent with CIs like the paper, the rich table `run` prints, and
the markers that set privileged and gaze-at-inference runs apart from standard ones on every table."""
from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from gazebench.metrics.power import ZERO_WIDTH_MARK, ZERO_WIDTH_NOTE, zero_width


def percent(value: float | None, ci: list[float | None] | tuple[float | None, float | None] | None = None,
            digits: int = 1) -> str:
    """`87.6 [85.1, 90.0]` from fractions; `–` for a missing value, no brackets when the CI is missing, and the
    zero-width marker when every bootstrap replicate gave the same value (never shown as a precise number)."""
    if value is None:
        return "–"
    text = f"{100 * value:.{digits}f}"
    if ci is not None and ci[0] is not None and ci[1] is not None:
        text += f" [{100 * ci[0]:.{digits}f}, {100 * ci[1]:.{digits}f}]"
        text += f" {ZERO_WIDTH_MARK}" if zero_width(ci) else ""
    return text


TRACK_MARKS: dict[str, tuple[str, str]] = {
    "privileged": ("†", "privileged: reads the labels (a sanity reference, not a competitor)"),
    "gaze-at-inference": ("‡", "uses radiologist gaze at inference"),
}
"""Marker and note per non-standard track (gazebench.adapter.TRACKS); standard runs are unmarked."""


def run_track(results: dict[str, Any]) -> str:
    """The track a results JSON was made on; runs written before tracks existed are "standard"."""
    return str(((results.get("config") or {}).get("adapter") or {}).get("track", "standard"))


def track_mark(results: dict[str, Any]) -> tuple[str, str]:
    """(marker, note) for the run's track, ("", "") for a standard run."""
    return TRACK_MARKS.get(run_track(results), ("", ""))


def results_table(results: dict[str, Any], title: str = "") -> Table:
    """One row per task: macro AUROC, Acc and F1 (percent, 95% CI), n images/patients, labels left out;
    a privileged or gaze-at-inference run has its marker and note in the title and its marker on every row."""
    mark, note = track_mark(results)
    table = Table(title=" ".join(part for part in (title, mark, note) if part) or None)
    other = [n for n, r in results["results"].items() if "family" in r]  # tasks of other kinds
    for col in ("task", "AUROC", "Acc", "F1", "n (patients)", "AUROC labels", "thresholds"):
        table.add_column(col, justify="left" if col in ("task", "thresholds") else "right")
    if other:
        table.add_column("metrics of other kinds (95% CI)")
    for name, r in results["results"].items():
        if name in other:
            table.add_row(f"{name} {mark}".strip(), "", "", "", f"{r['n']} ({r['n_patients']})", "", "",
                          family_cells(r))
            continue
        total = len(r.get("per_label") or {})
        used = total - len(r.get("labels_excluded") or [])
        table.add_row(f"{name} {mark}".strip(), percent(r["auroc"], r.get("auroc_ci")),
                      percent(r["acc"], r.get("acc_ci")), percent(r["f1"], r.get("f1_ci")),
                      f"{r['n']} ({r['n_patients']})", f"{used}/{total} used", r["threshold_policy"]["name"],
                      *([""] if other else []))
    notes = [results["dataset_note"]] if results.get("dataset_note") else []
    if any(zero_width(r.get(f"{m}_ci")) for r in results["results"].values() for m in ("auroc", "acc", "f1")):
        notes.append(ZERO_WIDTH_NOTE)
    notes += [f"skipped {name}: {reason}" for name, reason in (results.get("unsupported") or {}).items()]
    notes += never_positive_lines(results)
    if any("family" not in r for r in results["results"].values()):
        notes.append(PAPER_THRESHOLDS_NOTE)
    table.caption = "\n".join(notes + diagnostics_lines(results) + skipped_lines(results)) or None
    return table


PAPER_THRESHOLDS_NOTE = (
    "thresholds: this table uses the run's policy (column 'thresholds'; `fixed` = 0.5); `gazebench paper-table` "
    "scores Acc/F1 with max-f1 thresholds tuned per label on the in-domain validate split (rescore this run with "
    "`--threshold-policy max-f1`).")
"""Printed under every run table with classification rows (docs/metrics.md, thresholds)."""


def never_positive_lines(results: dict[str, Any]) -> list[str]:
    """One line per classification task where some label with positives in the test split was never predicted
    positive (no score reached its threshold): its F1 is 0 because every prediction is No, not because the
    model ranks badly (AUROC does not use the threshold). Results written before the count existed say nothing."""
    lines = []
    for name, r in results["results"].items():
        per = r.get("per_label") or {}
        never = [label for label, v in per.items() if v.get("n_pred_pos") == 0 and (v.get("n_pos") or 0) > 0]
        if never:
            policy = (r.get("threshold_policy") or {}).get("name", "?")
            shown = ", ".join(never[:4]) + (f" and {len(never) - 4} more" if len(never) > 4 else "")
            lines.append(f"{name}: no score crossed the {policy} threshold on {len(never)}/{len(per)} labels "
                         f"({shown}): every prediction is No there, so F1 is 0 by construction; see AUROC, or "
                         "rescore with --threshold-policy max-f1")
    return lines


def family_cells(block: dict[str, Any]) -> str:
    """`BLEU-1 30.1 [25.0, 35.2]; ...`: a task's family metrics on their display scales, one per line."""
    from gazebench.metrics.vocabulary import formatted, metrics_for

    return "\n".join(f"{m.display} {formatted(m.name, block.get(m.name), block.get(m.ci_key))}"
                     for m in metrics_for(str(block["family"])))


def diagnostics_lines(results: dict[str, Any]) -> list[str]:
    """One line per task with model diagnostics: `mimic-eye diagnostics: parse_failed 0.25 (n=8 images)`."""
    lines = []
    for name, r in results["results"].items():
        parts = [f"{key} {'–' if d['mean'] is None else format(d['mean'], '.3g')} (n={d['n']} images)"
                 for key, d in (r.get("diagnostics") or {}).items()]
        if parts:
            lines.append(f"{name} diagnostics: {', '.join(parts)}")
    return lines


def skipped_lines(results: dict[str, Any]) -> list[str]:
    """One line per reason the data readers passed something over, per task (never silent):
    `skipped rsna: image file not found: 1 (4f3a…)`."""
    lines = []
    for task, reasons in (results.get("skipped") or {}).items():
        for reason, info in (reasons or {}).items():
            examples = ", ".join(str(e) for e in (info.get("examples") or [])[:3])
            lines.append(f"skipped {task}: {reason}: {info.get('count')}" + (f" ({examples})" if examples else ""))
    return lines


def stdout_console() -> Console:
    """The console for result tables: the terminal's width, or a wide one when piped (no truncated names)."""
    console = Console()
    return console if console.is_terminal else Console(width=200)
