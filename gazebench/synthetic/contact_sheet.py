"""Contact sheet for docs/synthetic.md: one film per finding with its region outlined, plus a simulated
reading's scanpath, so a reader can check every rendered finding against its label.

Run: python -m gazebench.synthetic.contact_sheet docs/img/contact_sheet.png
"""
from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from gazebench.synthetic.anatomy import sample_anatomy  # noqa: E402
from gazebench.synthetic.cases import Film, simulate_session  # noqa: E402
from gazebench.synthetic.findings import RENDERERS, sample_specs  # noqa: E402
from gazebench.synthetic.labels import FINDINGS  # noqa: E402
from gazebench.synthetic.render import render_film  # noqa: E402
from gazebench.synthetic.rng import stream  # noqa: E402
from gazebench.synthetic.sites import SITES  # noqa: E402

SIZE = (320, 388)
CONSPICUITY = 0.75


def make_contact_sheet(path: Path, seed: int = 3) -> Path:
    """Write the contact sheet PNG to `path` and return it."""
    anatomy = sample_anatomy(stream(seed, "sheet"), SIZE[0] / SIZE[1], "PA")
    fig, axes = plt.subplots(3, 5, figsize=(15, 11.5))
    panels: list[tuple[str, dict[str, float]]] = [("Normal (No Finding)", {})]
    panels += [(name, {name: CONSPICUITY}) for name in FINDINGS]
    for ax, (title, findings) in zip(axes.flat, panels, strict=False):
        specs = sample_specs(anatomy, findings, seed, "sheet", title)
        img = render_film(anatomy, specs, SITES["mimic"], SIZE, SIZE, stream(seed, "sheet-noise"))
        ax.imshow(img, cmap="gray", vmin=0, vmax=1)
        for spec in specs:
            for x0, y0, x1, y1 in spec.regions:
                ax.add_patch(Rectangle((x0 * SIZE[1], y0 * SIZE[1]), (x1 - x0) * SIZE[1], (y1 - y0) * SIZE[1],
                                       fill=False, ec="#ff7f0e", lw=1.0))
        where = RENDERERS[title].location if title in RENDERERS else "normal anatomy"
        ax.set_title(f"{title}\n{where}", fontsize=8)
        ax.axis("off")
    ax = axes.flat[len(panels)]
    findings = {"Pleural Effusion": 0.8, "Lung Lesion": 0.45, "Support Devices": 0.9}
    key = ("sheet", "gaze")
    film = Film(key, "mimic", anatomy, findings, sample_specs(anatomy, findings, seed, *key))
    sim = simulate_session(seed, key, film, 0, "sheet")
    img = render_film(anatomy, film.specs, SITES["mimic"], SIZE, SIZE, stream(seed, "sheet-noise"))
    r = sim.reading
    ax.imshow(img, cmap="gray", vmin=0, vmax=1)
    ax.plot(r.x * SIZE[1], r.y * SIZE[1], "-", color="#1f77b4", lw=0.6, alpha=0.7)
    ax.scatter(r.x * SIZE[1], r.y * SIZE[1], s=(r.t_end - r.t_start) * 60, c=r.t_start, cmap="viridis", zorder=3)
    ax.set_title("Simulated reading (effusion, nodule, devices)\ncolour = time, size = duration", fontsize=8)
    ax.axis("off")
    fig.suptitle(f"gazebench simulated-v4 — SIMULATED chest-radiograph phantoms (conspicuity {CONSPICUITY}); "
                 "orange boxes = rendered finding regions", fontsize=11)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=72)
    plt.close(fig)
    return path


if __name__ == "__main__":
    print(make_contact_sheet(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/img/contact_sheet.png")))
