"""Inline SVG line charts (ROC, precision-recall, reliability diagram): text a page embeds, no image files."""
from __future__ import annotations

import html
from collections.abc import Sequence

SIZE = 300
PAD = 40
COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def _xy(x: float, y: float) -> tuple[float, float]:
    return PAD + x * (SIZE - 2 * PAD), SIZE - PAD - y * (SIZE - 2 * PAD)


def chart(title: str, xlabel: str, ylabel: str, series: Sequence[tuple[str, Sequence[float], Sequence[float]]],
          diagonal: bool = True, bars: Sequence[tuple[float, float, float]] = ()) -> str:
    """An SVG of `series` [(name, xs, ys)] on the unit square, an optional y = x guide and optional grey bars
    (lo, hi, height) behind the lines (e.g. how many predictions fall in each reliability bin, scaled)."""
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" role="img" '
             f'aria-label="{html.escape(title)}" class="chart">',
             f'<rect x="{PAD}" y="{PAD}" width="{SIZE - 2 * PAD}" height="{SIZE - 2 * PAD}" fill="#fff" '
             'stroke="#999"/>']
    for lo, hi, height in bars:
        x0, y0 = _xy(lo, height)
        x1, _ = _xy(hi, 0)
        parts.append(f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" height="{_xy(0, 0)[1] - y0:.1f}" '
                     'fill="#dde3f0"/>')
    if diagonal:
        (a, b), (c, d) = _xy(0, 0), _xy(1, 1)
        parts.append(f'<line x1="{a}" y1="{b}" x2="{c}" y2="{d}" stroke="#aaa" stroke-dasharray="4"/>')
    for k, (name, xs, ys) in enumerate(series):
        points = " ".join("{:.1f},{:.1f}".format(*_xy(x, y)) for x, y in zip(xs, ys, strict=True))
        color = COLORS[k % len(COLORS)]
        parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{points}"/>')
        parts.append(f'<text x="{PAD + 6}" y="{PAD + 14 + 13 * k}" font-size="10" fill="{color}">'
                     f"{html.escape(name)}</text>")
    for v in (0.0, 0.5, 1.0):
        x, y = _xy(v, 0)
        parts.append(f'<text x="{x:.0f}" y="{y + 14:.0f}" font-size="9" text-anchor="middle">{v:g}</text>')
        x, y = _xy(0, v)
        parts.append(f'<text x="{x - 4:.0f}" y="{y + 3:.0f}" font-size="9" text-anchor="end">{v:g}</text>')
    parts.append(f'<text x="{SIZE / 2}" y="{SIZE - 6}" font-size="10" text-anchor="middle">'
                 f"{html.escape(xlabel)}</text>")
    parts.append(f'<text x="10" y="{SIZE / 2}" font-size="10" text-anchor="middle" '
                 f'transform="rotate(-90 10 {SIZE / 2})">{html.escape(ylabel)}</text>')
    parts.append(f'<text x="{SIZE / 2}" y="{PAD - 10}" font-size="12" text-anchor="middle">{html.escape(title)}</text>')
    return "".join(parts) + "</svg>"
