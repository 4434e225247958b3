"""Which release a dataset tree is: the publisher's version, or the simulated study's generator and seed
(from the `SIMULATED.json` that `gazebench.synthetic` writes beside the trees), so results say which."""
from __future__ import annotations

import json
from pathlib import Path

MARKER = "SIMULATED.json"


def release_version(root: Path, published: str) -> str:
    """`published` for a real tree; `"<generator> (seed N)"` when a SIMULATED.json sits in or above `root`."""
    for folder in (root, root.parent):
        marker = folder / MARKER
        if marker.is_file():
            try:
                info = json.loads(marker.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return "simulated (unreadable SIMULATED.json)"
            if info.get("generator"):
                return f"{info['generator']} (seed {info.get('seed', '?')})"
            return str(info.get("version") or "simulated (unknown generator)")
    return published
