"""The fixed-format report: one `Label: Yes|No` line per CheXpert label in CHEXPERT_LABELS order; render and
parse (parse rejects anything else, so a malformed report is never read as silent wrong numbers)."""
from __future__ import annotations

import numpy as np

from gazebench.labels import CHEXPERT_LABELS


def render_report(decisions: np.ndarray | list[bool], labels: tuple[str, ...] = CHEXPERT_LABELS) -> str:
    """`decisions` (len(labels),) booleans → the report text, one line per label, newline-terminated."""
    flags = np.asarray(decisions, dtype=bool).reshape(-1)
    if len(flags) != len(labels):
        raise ValueError(f"need {len(labels)} decisions, got {len(flags)}")
    return "".join(f"{name}: {'Yes' if yes else 'No'}\n" for name, yes in zip(labels, flags, strict=True))


def parse_report(text: str, labels: tuple[str, ...] = CHEXPERT_LABELS) -> np.ndarray:
    """Report text → (len(labels),) bool array; ValueError naming the first line that breaks the format."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    if len(lines) != len(labels):
        raise ValueError(f"report has {len(lines)} lines, expected {len(labels)}")
    out = np.zeros(len(labels), dtype=bool)
    for i, (line, name) in enumerate(zip(lines, labels, strict=True)):
        head, sep, value = line.partition(":")
        if not sep or head.strip() != name or value.strip() not in ("Yes", "No"):
            raise ValueError(f"report line {i + 1} is {line!r}, expected '{name}: Yes|No'")
        out[i] = value.strip() == "Yes"
    return out


def parses(text: str, labels: tuple[str, ...] = CHEXPERT_LABELS) -> bool:
    """True if `parse_report` accepts `text` as the fixed report over `labels` (nothing is salvaged from a
    malformed report: a generation either parses whole or counts as a parse failure)."""
    try:
        parse_report(text, labels)
    except ValueError:
        return False
    return True
