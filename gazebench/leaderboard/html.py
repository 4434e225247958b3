"""A self-contained HTML leaderboard: inline CSS, the tables, per-run details and ROC curves as base64 PNGs."""
from __future__ import annotations

import base64
import html
import io

import pandas as pd

from gazebench.leaderboard.table import Run
from gazebench.metrics.vocabulary import AUROC

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1300px;color:#1d2330}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #dde}
.note{background:#fff6df;border-left:4px solid #e0a800;padding:.6rem .9rem;margin:.8rem 0}
table{border-collapse:collapse;font-size:.86rem;margin:.6rem 0}
th,td{padding:.35rem .6rem;border-bottom:1px solid #e4e6ee;text-align:right;white-space:nowrap}
th{background:#f3f5fa}td:first-child,th:first-child{text-align:left;font-weight:600}
tr:hover td{background:#f8faff}.task{text-align:center;border-left:2px solid #c9cee0}
.curves{display:flex;flex-wrap:wrap;gap:1rem}.curves figure{margin:0}.curves img{width:400px;border:1px solid #e4e6ee}
.scroll{overflow-x:auto}td.left{text-align:left}.ci{font-size:.72rem;color:#667}
figcaption{font-size:.8rem;color:#555;text-align:center}details{margin:.3rem 0;font-size:.85rem}code{font-size:.8rem}
"""


def roc_png(runs: list[Run], labels: list[str], task: str) -> str | None:
    """Base64 PNG of the macro ROC curve of every run that evaluated `task` (None if none has a curve)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    found = [(label, run.results.curves.get(task), run.results.tasks.get(task))
             for run, label in zip(runs, labels, strict=True)]
    curves = [(label, c, r) for label, c, r in found if c is not None and c.get("fpr")]
    if not curves:
        return None
    fig, ax = plt.subplots(figsize=(4.2, 4.2), dpi=110)
    ax.plot([0, 1], [0, 1], ls="--", lw=0.8, color="#999")
    for label, curve, result in curves:
        auc = result.value(AUROC).value if result else None
        ax.plot(curve["fpr"], curve["tpr"], lw=1.6, label=f"{label} ({100 * auc:.1f})" if auc is not None else label)
    ax.set(xlim=(0, 1), ylim=(0, 1.01), xlabel="false positive rate", ylabel="true positive rate",
           title=f"{task}: macro ROC")
    ax.legend(loc="lower right", fontsize=7)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _table(wide: pd.DataFrame, tasks: list[str]) -> str:
    metrics = list(dict.fromkeys(m for _, m in wide.columns))
    head1 = "<th rowspan=2>model</th>" + "".join(f'<th class="task" colspan={len(metrics)}>{html.escape(t)}</th>'
                                                 for t in tasks)
    head2 = "".join(f"<th>{m}</th>" for _ in tasks for m in metrics)
    body = "".join("<tr><td>" + html.escape(str(model)) + "</td>" + "".join(f"<td>{_cell(str(v))}</td>" for v in row)
                   + "</tr>" for model, row in wide.iterrows())
    head = f"<thead><tr>{head1}</tr><tr>{head2}</tr></thead>"
    return f"<div class=scroll><table>{head}<tbody>{body}</tbody></table></div>"


def _cell(text: str) -> str:
    """`87.6 [85.1, 90.0]` as the value with its CI in small type underneath."""
    value, sep, ci = text.partition(" [")
    return html.escape(value) + (f'<br><span class=ci>[{html.escape(ci)}</span>' if sep else "")


def _details(run: Run, label: str) -> str:
    cfg, scoring, record = run.config, run.results.scoring, run.results.provenance
    git = record.get("git_hash") or "unknown"
    items = {
        "run directory": run.path.name, "config hash": run.results.config_hash, "seed": cfg.get("seed"),
        "threshold policy": scoring.get("threshold_policy"), "bootstrap replicates": scoring.get("n_boot"),
        "limit": cfg.get("limit") or "none", "precision": cfg.get("precision"), "git commit": git,
        "gazebench": record.get("gazebench_version"),
        "data": ", ".join(f"{t} {d.get('version', '')} ({str(d['sha256'])[:12]})"
                          for t, d in (record.get("data") or {}).items()),
    }
    rows = "".join(f"<tr><td>{html.escape(k)}</td><td class=left><code>{html.escape(str(v))}</code></td></tr>"
                   for k, v in items.items())
    return f"<details><summary>{html.escape(label)}</summary><table>{rows}</table></details>"


def to_html(runs: list[Run], labels: list[str], wide: pd.DataFrame, tasks: list[str], footnotes: list[str]) -> str:
    """The whole page as one string; opens in any browser with no network access."""
    figures = []
    for task in tasks:
        png = roc_png(runs, labels, task)
        if png:
            figures.append(f'<figure><img alt="ROC curves for {html.escape(task)}" src="data:image/png;base64,{png}">'
                           f"<figcaption>{html.escape(task)}: mean of per-label ROC curves</figcaption></figure>")
    notes_html = "".join(f'<p class="note">{html.escape(n)}</p>' for n in footnotes)
    details = "".join(_details(run, label) for run, label in zip(runs, labels, strict=True))
    return (f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>gazebench leaderboard</title>"
            f"<style>{CSS}</style></head><body><h1>gazebench leaderboard</h1>{notes_html}"
            f"<h2>Results</h2>{_table(wide, tasks)}<h2>ROC curves</h2><div class=curves>{''.join(figures)}</div>"
            f"<h2>Runs</h2>{details}</body></html>\n")
