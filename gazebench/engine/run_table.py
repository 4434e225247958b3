"""Human-readable views of a run's results: percent with CIs like the paper, the run table `run` and `score`
print (one row per task, its kind's metrics on their display scales), and the markers that set privileged and
gaze-at-inference runs apart from standard ones on every table."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table

from gazebench.metrics.power import ZERO_WIDTH_MARK, ZERO_WIDTH_NOTE, zero_width
from gazebench.metrics.vocabulary import Metric, formatted, metrics_for
from gazebench.results import MetricValue, RunResults


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


def track_mark(results: RunResults) -> tuple[str, str]:
    """(marker, note) for the run's track, ("", "") for a standard run."""
    return TRACK_MARKS.get(results.track, ("", ""))


def metric_cell(metric: Metric, value: MetricValue) -> str:
    """`AUROC 87.6 [85.1, 90.0]` on the metric's display scale, with the zero-width marker where it applies."""
    text = f"{metric.display} {formatted(metric.name, value.value, value.ci)}"
    return text + (f" {ZERO_WIDTH_MARK}" if value.value is not None and zero_width(value.ci) else "")


def results_table(results: RunResults, title: str = "") -> Table:
    """One row per task: its kind, its family's metrics (95% CI) one per line, n items (patients) and the kind's
    note (classification: AUROC labels used, threshold policy); a privileged or gaze-at-inference run has its
    marker and note in the title and its marker on every row."""
    from gazebench.engine.kinds import KINDS

    mark, note = track_mark(results)
    table = Table(title=" ".join(part for part in (title, mark, note) if part) or None)
    for col in ("task", "kind", "metrics (95% CI)", "n (patients)", "notes"):
        table.add_column(col, justify="right" if col == "n (patients)" else "left")
    degenerate = False
    for name, r in results.tasks.items():
        metrics = metrics_for(r.family)
        degenerate |= any(r.value(m).value is not None and zero_width(r.value(m).ci) for m in metrics)
        table.add_row(f"{name} {mark}".strip(), r.kind, "\n".join(metric_cell(m, r.value(m)) for m in metrics),
                      f"{r.n} ({r.n_patients})", KINDS.create(r.kind).table_note(r))
    notes = [results.dataset_note] if results.dataset_note else []
    if degenerate:
        notes.append(ZERO_WIDTH_NOTE)
    notes += [f"skipped {name}: {reason}" for name, reason in results.unsupported.items()]
    kinds = {r.kind: KINDS.create(r.kind) for r in results.tasks.values()}
    notes += [line for name, r in results.tasks.items() for line in kinds[r.kind].caption_lines(name, r)]
    notes += [k.table_caption for k in kinds.values() if k.table_caption]
    table.caption = "\n".join(notes + report_lines(results) + diagnostics_lines(results) + placeholder_lines(results)
                               + skipped_lines(results)) or None
    return table


def report_lines(results: RunResults) -> list[str]:
    """Under each report task: its configuration signature, and one line per model-based metric not computed."""
    lines = []
    for name, r in results.tasks.items():
        if r.details.get("signature"):
            lines.append(f"{name} signature: {r.details['signature']}")
        lines += [f"{name}: {m['reason']}" for m in (r.details.get("model_metrics") or {}).values()
                  if not m["computed"]]
    return lines


def placeholder_lines(results: RunResults) -> list[str]:
    """One line per report task whose texts held de-identification placeholders (`___`), dropped before the
    lexical metrics (gazebench.metrics.nlg.tokenize): `mimic-eye-report: dropped 3 "___" ...`."""
    lines = []
    for name, r in results.tasks.items():
        n = r.details.get("n_placeholders_dropped") or {}
        if any(n.values()):
            lines.append(f"{name}: dropped de-identification placeholders (___) before BLEU/ROUGE-L/CIDEr-D: "
                         f"{n.get('generated', 0)} in generated, {n.get('reference', 0)} in reference reports")
    return lines


def diagnostics_lines(results: RunResults) -> list[str]:
    """One line per task with model diagnostics: `mimic-eye diagnostics: parse_failed 0.25 (n=8 images)`."""
    lines = []
    for name, r in results.tasks.items():
        parts = [f"{key} {'–' if d.mean is None else format(d.mean, '.3g')} (n={d.n} images)"
                 for key, d in r.diagnostics.items()]
        if parts:
            lines.append(f"{name} diagnostics: {', '.join(parts)}")
    return lines


def skipped_lines(results: RunResults) -> list[str]:
    """One line per reason the data readers passed something over, per task (never silent):
    `skipped rsna: image file not found: 1 (4f3a…)`; rows of kind "damaged" or "kept" (gazebench.records.SKIP_KINDS)
    say so in place of "skipped"."""
    lines = []
    for task, reasons in results.data_skips.items():
        for reason, info in (reasons or {}).items():
            examples = ", ".join(str(e) for e in (info.get("examples") or [])[:3])
            lines.append(f"{info.get('kind') or 'skipped'} {task}: {reason}: {info.get('count')}"
                         + (f" ({examples})" if examples else ""))
    return lines


def stdout_console() -> Console:
    """The console for result tables: the terminal's width, or a wide one when piped (no truncated names)."""
    console = Console()
    return console if console.is_terminal else Console(width=200)
