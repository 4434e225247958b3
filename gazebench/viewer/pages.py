"""The viewer's pages as HTML strings: runs side by side, one run's task (curves, calibration, per-label table,
confusion, slices), the per-sample browser and one sample. Numbers come from results.json and the saved
predictions; dataset text appears only on the sample page, read from the data root when it is shown."""
from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import numpy as np

from gazebench.comparison import RunComparison
from gazebench.leaderboard.html import CSS, _table
from gazebench.leaderboard.table import Run, long_table, row_labels, task_order, wide_table
from gazebench.metrics.vocabulary import AUROC, BRIER, ECE, formatted, metrics_for
from gazebench.results import MetricValue, Slice, TaskResult
from gazebench.viewer.state import TaskView, Viewer
from gazebench.viewer.svg import chart

SORTS = ("loss", "label", "disagreement")
PAGE_ROWS = 200
"""Samples listed per browser page (errors first)."""
EXTRA_CSS = ".charts{display:flex;flex-wrap:wrap;gap:1rem}.warn{color:#a05a00}nav a{margin-right:1rem}"


def page(title: str, body: str, note: str | None = None) -> str:
    """A complete HTML document with the leaderboard's CSS."""
    banner = f'<p class="note">{html.escape(note)}</p>' if note else ""
    return (f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{html.escape(title)}</title>"
            f"<style>{CSS}{EXTRA_CSS}</style></head><body><nav><a href='/'>runs</a></nav>"
            f"<h1>{html.escape(title)}</h1>{banner}{body}</body></html>\n")


def pct(value: float | None, ci: Sequence[float | None] | None = None) -> str:
    """`87.6 [85.1, 90.0]` in percent; `–` for a missing value."""
    if value is None:
        return "–"
    text = f"{100 * value:.1f}"
    if ci and ci[0] is not None and ci[1] is not None:
        text += f" <span class=ci>[{100 * ci[0]:.1f}, {100 * ci[1]:.1f}]</span>"
    return text


def rows_table(head: list[str], rows: list[list[str]]) -> str:
    """A table of already-escaped cells."""
    th = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<div class=scroll><table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table></div>"


def dataset_note(viewer: Viewer) -> str | None:
    return next((r.results.dataset_note for r in viewer.runs if r.results.dataset_note), None)


def index(viewer: Viewer, link: Callable[[str], str] = lambda url: url,
          comparisons: list[RunComparison] | None = None) -> str:
    """Runs side by side: the leaderboard with CIs, calibration, paired differences with MDDs against the
    first run, and links to every task page."""
    runs = [Run(r.path, r.results) for r in viewer.runs]
    tasks = task_order(runs)
    labels = row_labels(runs)
    body = "<h2>Results (macro, percent, 95% patient-bootstrap CI)</h2>" + _table(wide_table(long_table(runs), tasks),
                                                                                   tasks)
    cal = []
    for k, (run, label) in enumerate(zip(viewer.runs, labels, strict=True)):
        for task in tasks:
            block = run.results.tasks.get(task)
            if block is None:
                continue
            c = block.blocks.get(ECE.family)
            ece, brier = (c.value(ECE), c.value(BRIER)) if c is not None else (MetricValue(None), MetricValue(None))
            cal.append([html.escape(label), f"<a href='{link(f'/task/{k}/{quote(task)}')}'>{html.escape(task)}</a>",
                        pct(ece.value, ece.ci), pct(brier.value, brier.ci), str(block.n)])
    body += "<h2>Calibration and task pages</h2>" + rows_table(["model", "task", "ECE", "Brier", "n"], cal)
    if comparisons:
        rows = []
        for cmp in comparisons:
            for task, r in cmp.tasks.items():
                for stat, m in r.metrics.items():
                    rows.append([html.escape(cmp.model_b), html.escape(task), stat,
                                 pct(m.diff, m.ci), pct(m.mdd), html.escape(str(m.verdict))])
        body += (f"<h2>Paired differences against {html.escape(labels[0])} (B − A, points)</h2>"
                 + rows_table(["model B", "task", "metric", "B − A [95% CI]", "MDD (80% power)", "verdict"], rows))
    body += probes_html(viewer, labels) + launches_html(viewer, labels)
    return page("gazebench viewer", body, dataset_note(viewer))


def launch_text(record: Mapping[str, Any]) -> str:
    """`torchrun, 2 processes on 1 host (a1b2c3d4e5f6 ×2)` or `one process`, for one launch record."""
    world = int(record.get("world_size") or 1)
    if world == 1:
        return "one process"
    hosts = [str(h) for h in record.get("hosts") or []]
    spread = ", ".join(f"{h} ×{hosts.count(h)}" for h in dict.fromkeys(hosts))
    return (f"{record.get('launcher') or 'unknown launcher'}, {world} processes on {len(set(hosts))} host(s) "
            f"({spread})")


def launches_html(viewer: Viewer, labels: list[str]) -> str:
    """How each run was executed: every launch that predicted into it (a resume adds one), hosts by digest."""
    rows = [[html.escape(label), html.escape(run.path.name),
             "<br>".join(html.escape(f"{r.get('started', '')}: {launch_text(r)}") for r in launches)]
            for run, label in zip(viewer.runs, labels, strict=True) if (launches := run.results.launches)]
    return ("<h2>Execution (launcher, world size, hosts by sha256 digest)</h2>"
            + rows_table(["model", "run", "launches"], rows)) if rows else ""


def probes_html(viewer: Viewer, labels: list[str]) -> str:
    """The shortcut-probe tables (`gazebench probe`) of the runs that have one, read from probes/ beside them."""
    from gazebench.engine.probes import findings_path, read_findings

    rows = []
    for run, label in zip(viewer.runs, labels, strict=True):
        path = findings_path(run.path)
        if not path.is_file():
            continue
        for check, c in read_findings(path).checks.items():
            if not c.applicable:
                rows.append([html.escape(label), html.escape(check), "all", "–", "–",
                             html.escape(f"not applicable: {c.reason}")])
            for task, t in c.tasks.items():
                m = t.metric(AUROC)
                if m is None:
                    continue  # a task of another kind: its paired metrics are in the JSON findings
                rows.append([html.escape(label), html.escape(check), html.escape(task), pct(m.diff, m.ci),
                             pct(m.mdd), html.escape(t.reading)])
    if not rows:
        return ""
    return ("<h2>Shortcut probes (probe − original AUROC, points)</h2>"
            + rows_table(["model", "check", "task", "Δ AUROC [95% CI]", "MDD", "reading"], rows))


def confusion(view: TaskView) -> list[list[str]]:
    """Per label: threshold, TP, FP, FN, TN at the run's thresholds on the evaluable images."""
    out = []
    for j, label in enumerate(view.labels):
        ok = ~np.isnan(view.y[:, j])
        y, pred = view.y[ok, j] == 1, view.p[ok, j] >= view.thresholds[j]
        out.append([html.escape(label), f"{view.thresholds[j]:.3g}"] +
                   [str(int(v)) for v in ((y & pred).sum(), (~y & pred).sum(), (y & ~pred).sum(), (~y & ~pred).sum())])
    return out


def pr_curve(view: TaskView) -> tuple[list[float], list[float]]:
    """Precision-recall pooled over labels (every evaluable image-label pair), as (recall, precision)."""
    from sklearn.metrics import precision_recall_curve

    ok = ~np.isnan(view.y)
    y, p = view.y[ok], view.p[ok]
    if y.size == 0 or y.min() == y.max():
        return [], []
    precision, recall, _ = precision_recall_curve(y, p)
    step = max(1, len(recall) // 200)
    return [float(r) for r in recall[::step]], [float(q) for q in precision[::step]]


def task_page(viewer: Viewer, index_: int, task: str, link: Callable[[str], str] = lambda url: url) -> str:
    """One run's task: headline numbers and, for a kind with per-label views (classification), ROC, PR and
    reliability charts, per-label table, confusion and slices; any other kind shows its family's metrics and
    links to its items (gazebench.viewer.kinds)."""
    run = viewer.run(index_)
    r = viewer.results(index_, task)
    if not viewer.labelled(index_, task):  # its items: gazebench.viewer.kinds
        body = (f"<h2>Metrics (patient-bootstrap CI)</h2>{kind_summary(r)}<p><a href='"
                f"{link(f'/samples/{index_}/{quote(task)}')}'>browse the {len(viewer.kind(index_, task).items.items)} "
                "items</a></p>")
        return page(f"{run.config['model']} — {task}", body, dataset_note(viewer))
    view = viewer.task(index_, task)
    block = r.blocks.get(ECE.family)
    cal_values = [block.value(m) if block is not None else MetricValue(None) for m in (ECE, BRIER)]
    cal = dict(block.details) if block is not None else {}
    head = rows_table([m.display for m in metrics_for(r.family)] + [ECE.display, BRIER.display, "n (patients)",
                                                                    "thresholds"],
                      [[pct(r.value(m).value, r.value(m).ci) for m in metrics_for(r.family)]
                       + [pct(v.value, v.ci) for v in cal_values]
                       + [f"{r.n} ({r.n_patients})",
                          html.escape(str((r.details.get("threshold_policy") or {}).get("name", "")))]])
    roc = run.results.curves.get(task) or {}
    charts = [chart(f"ROC (macro), AUROC {pct(r.value(AUROC).value)}", "false positive rate", "true positive rate",
                    [(run.config["model"], roc.get("fpr", []), roc.get("tpr", []))])]
    recall, precision = pr_curve(view)
    charts.append(chart("precision-recall (pooled labels)", "recall", "precision",
                        [(run.config["model"], recall, precision)], diagonal=False))
    bins = [b for b in cal.get("reliability", []) if b["n"]]
    most = max((b["n"] for b in bins), default=1)
    charts.append(chart(f"reliability, ECE {pct(cal_values[0].value)} ({cal.get('n_bins', '–')} bins)", "mean score",
                        "observed positive rate",
                        [("observed", [b["mean_score"] for b in bins], [b["positive_rate"] for b in bins])],
                        bars=[(b["lo"], b["hi"], b["n"] / most) for b in bins]))
    per_label = r.details.get("per_label") or {}
    cal_label = cal.get("per_label") or {}
    label_rows = [[html.escape(k), *(pct(v.get(m.name)) for m in metrics_for(r.family)),
                   *(pct((cal_label.get(k) or {}).get(m.name)) for m in (ECE, BRIER)),
                   str(v.get("n_pos")), str(v.get("n_neg"))] for k, v in per_label.items()]
    body = (head + "<div class=charts>" + "".join(charts) + "</div>"
            + f"<p><a href='{link(f'/samples/{index_}/{quote(task)}')}'>browse samples, errors first</a></p>"
            + "<h2>Per label</h2>" + rows_table(["label", *(m.display for m in metrics_for(r.family)), ECE.display,
                                                 BRIER.display, "pos", "neg"], label_rows)
            + "<h2>Confusion at the run's thresholds</h2>"
            + rows_table(["label", "threshold", "TP", "FP", "FN", "TN"], confusion(view))
            + "<h2>Slices</h2>" + slices_html(r.slices, r.family))
    return page(f"{run.config['model']} — {task}", body, dataset_note(viewer))


def kind_summary(r: TaskResult) -> str:
    """A task of a kind without per-label views: its family's metrics with CIs, sizes, skipped items and
    diagnostics."""
    metrics = metrics_for(r.family)
    head = rows_table(["kind", *(m.display for m in metrics), "n (patients)"],
                      [[html.escape(r.kind), *(html.escape(formatted(m.name, r.value(m).value, r.value(m).ci))
                                               for m in metrics), f"{r.n} ({r.n_patients})"]])
    skipped = rows_table(["skipped", "n"], [[html.escape(k), str(v)] for k, v in r.skipped.items()]) \
        if r.skipped else ""
    diagnostics = rows_table(["diagnostic", "mean", "n"], [[html.escape(k), "–" if d.mean is None else f"{d.mean:.3g}",
                                                             str(d.n)] for k, d in r.diagnostics.items()]) \
        if r.diagnostics else ""
    return head + skipped + diagnostics


def slices_html(slices: Mapping[str, Slice], family: str) -> str:
    """One table per attribute: each subgroup's n, the family's metrics with CIs and the small-n warning."""
    if not slices:
        return "<p>No slices in this run's results (rescore with <code>gazebench score --slices</code>).</p>"
    metrics = metrics_for(family)
    out = []
    for attribute, block in slices.items():
        rows = [[html.escape(value), str(g.n), *(pct(g.value(m).value, g.value(m).ci) for m in metrics),
                 f"<span class=warn>{html.escape(g.warning)}</span>" if g.warning else ""]
                for value, g in block.groups.items()]
        out.append(f"<h3>{html.escape(attribute)} ({block.not_recorded} images without it)</h3>"
                   + rows_table([attribute, "n", *(m.display for m in metrics), ""], rows))
    return "".join(out)


def sample_order(viewer: Viewer, index_: int, task: str, sort: str, other: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Row order for the browser and the disagreement per sample (NaN without a second run): loss and
    disagreement descending (errors first), label by the sample's positive labels."""
    view = viewer.task(index_, task)
    loss = view.loss()
    dis = np.full(len(loss), np.nan)
    if other is not None:
        dis = np.nanmean(np.abs(view.p - viewer.task(other, task).p), axis=1)
    if sort == "label":
        keys = [",".join(lab for lab, v in zip(view.labels, row, strict=True) if v == 1) for row in view.y]
        return np.array(sorted(range(len(keys)), key=lambda i: (keys[i] == "", keys[i], -loss[i]))), dis
    key = dis if sort == "disagreement" and other is not None else loss
    return np.argsort(-np.nan_to_num(key, nan=-1.0), kind="stable"), dis


def samples_page(viewer: Viewer, index_: int, task: str, sort: str = "loss", other: int | None = None) -> str:
    """The per-sample browser: ids, positive labels, top scores, loss and disagreement, errors first (a task of
    another kind: gazebench.viewer.kinds.samples_page)."""
    view = viewer.task(index_, task)
    order, dis = sample_order(viewer, index_, task, sort if sort in SORTS else "loss", other)
    loss = view.loss()
    rows = []
    for i in order[:PAGE_ROWS]:
        s = view.samples[i]
        positives = ", ".join(lab for lab, v in zip(view.labels, view.y[i], strict=True) if v == 1) or "none"
        top = np.argsort(-view.p[i])[:2]
        scores = ", ".join(f"{view.labels[j]} {view.p[i, j]:.2f}" for j in top)
        rows.append([f"<a href='/sample/{index_}/{quote(task)}/{quote(s.sample_id, safe='')}'>"
                     f"{html.escape(s.sample_id)}</a>", html.escape(positives), html.escape(scores),
                     f"{loss[i]:.3f}", "–" if np.isnan(dis[i]) else f"{dis[i]:.3f}"])
    others = "".join(f"<a href='/samples/{index_}/{quote(task)}?sort=disagreement&other={k}'>disagreement with "
                     f"{html.escape(r.config['model'])} ({k})</a> " for k, r in enumerate(viewer.runs)
                     if k != index_ and task in r.results.tasks)
    sorts = (f"<p>sort: <a href='?sort=loss'>loss</a> <a href='?sort=label'>label</a> {others}</p>"
             f"<p>{len(order)} samples; first {min(PAGE_ROWS, len(order))} shown.</p>")
    body = sorts + rows_table(["sample", "positive labels", "top scores", "loss", "disagreement"], rows)
    return page(f"{viewer.run(index_).config['model']} — {task}: samples", body, dataset_note(viewer))


def sample_page(viewer: Viewer, index_: int, task: str, sample_id: str) -> str:
    """One sample: the image with gaze and findings (served on demand), labels against scores, and the
    generated report beside the labeler's reading and the reference when the run has reports."""
    from gazebench.viewer.panels import report_panel

    view = viewer.task(index_, task)
    i = next((k for k, s in enumerate(view.samples) if s.sample_id == sample_id), None)
    if i is None:
        from gazebench.errors import ConfigError

        raise ConfigError(f"no sample {sample_id!r} in {task}")
    rows = [[html.escape(lab), "–" if np.isnan(view.y[i, j]) else str(int(view.y[i, j])), f"{view.p[i, j]:.3f}",
             f"{view.thresholds[j]:.3g}"] for j, lab in enumerate(view.labels)]
    img = f"/image/{index_}/{quote(task)}/{quote(sample_id, safe='')}.png"
    body = (f"<p><img alt='image with gaze' src='{img}' style='max-width:100%'></p>"
            + rows_table(["label", "target", "score", "threshold"], rows)
            + report_panel(view, i))
    return page(f"{sample_id} ({task})", body, dataset_note(viewer))
