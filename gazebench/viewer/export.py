"""`gazebench view --export`: one self-contained static HTML page of the aggregate views (runs side by side and
every task page), with no image and no dataset text unless images are asked for explicitly."""
from __future__ import annotations

import base64
import re
from pathlib import Path

from gazebench.engine.rundir import atomic_write_text
from gazebench.engine.scoring import grid_of
from gazebench.viewer import pages
from gazebench.viewer.kinds import image_png as kind_image
from gazebench.viewer.panels import image_png
from gazebench.viewer.state import Viewer

EXPORTED_IMAGES = 5
"""With images: the highest-loss samples shown per run and task."""
IMAGES_NOTICE = ("This file contains chest X-ray images from the dataset, with the radiologists' fixations and "
                 "the model's outputs drawn on them. The dataset's data-use agreement governs it: share it only "
                 "with people that agreement covers.")


def _body(document: str) -> str:
    return re.search(r"<body>(.*)</body>", document, re.S).group(1)  # type: ignore[union-attr]


def export_html(viewer: Viewer, out: Path, *, images: bool = False) -> Path:
    """Write the static page to `out`; links between pages become in-page anchors."""
    def anchor(url: str) -> str:
        return "#" + re.sub(r"[^A-Za-z0-9]+", "-", url.strip("/"))

    sections = [_body(pages.index(viewer, link=anchor))]
    for k, run in enumerate(viewer.runs):
        for task in run.results.tasks:
            section = _body(pages.task_page(viewer, k, task, link=anchor))
            section = re.sub(r"<p><a href='#samples[^']*'>[^<]*</a></p>", "", section)
            if images and not viewer.labelled(k, task):
                kind_view = viewer.kind(k, task)
                for i in range(min(EXPORTED_IMAGES, len(kind_view.items.items))):
                    png = base64.b64encode(kind_image(kind_view, i)).decode()
                    section += f"<p><img alt='item' style='max-width:100%' src='data:image/png;base64,{png}'></p>"
            elif images:  # images of labelled samples
                view = viewer.task(k, task)
                order, _ = pages.sample_order(viewer, k, task, "loss", None)
                for i in order[:EXPORTED_IMAGES]:
                    png = base64.b64encode(image_png(view, int(i), grid_of(run.config))).decode()
                    section += f"<p><img alt='sample' style='max-width:100%' src='data:image/png;base64,{png}'></p>"
            sections.append(f"<section id='{anchor(f'/task/{k}/{task}')[1:]}'>{section}</section>")
    note = IMAGES_NOTICE if images else "Aggregate views only: no images and no dataset text."
    document = pages.page("gazebench results", "<hr>".join(sections), note).replace("<nav><a href='/'>runs</a></nav>",
                                                                                  "")
    atomic_write_text(Path(out), document)
    return Path(out)
