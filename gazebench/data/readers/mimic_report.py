"""MIMIC-CXR free-text reports (`s{study_id}.txt`): split into named sections the way the MIMIC-CXR
authors' section parser does (Johnson et al. 2019, MIMIC-CXR; the `txt/` section-splitting code published
with it), and pick the reference section the report-generation task scores against.

Grammar: a header is a newline, one space, upper-case letters/space/`( ) / , -`, a colon and whitespace;
text before the first header is the `preamble`; a report without headers is one `full report` section. After
a header the search for the next one resumes at the following newline. Header names are lower-cased and
normalised (variants and typos to impression/findings/comparison/history/indication/...; a name containing a
main section's name becomes it; a view description such as "CHEST (PA AND LAT)" means findings). Empty
FINDINGS / IMPRESSION sections are dropped.

The reference is the FINDINGS section alone (REFERENCE_SECTION, docs/gazex_track.md): R2Gen and its
successors score generated reports against findings on the official split, so numbers are comparable.
"""
from __future__ import annotations

import re
from pathlib import Path

from gazebench.errors import DataError

REFERENCE_SECTION = "findings"
"""The section a generated report is compared with (a report without it has no reference)."""

_HEADER = re.compile(r"\n ([A-Z ()/,-]+):\s")
_NAMES = {
    "comparisons": "comparison", "reference exam": "comparison", "comparison exam": "comparison",
    "comparison film": "comparison", "comparision": "comparison", "comparsion": "comparison",
    "clinical history": "history", "clinical information": "history", "patient history": "history",
    "pfi": "history", "reason for examination": "indication", "reason for exam": "indication",
    "clinical indication": "indication", "idication": "indication", "exam": "examination",
    "type of examination": "examination", "conclusion": "impression", "findings and impression": "impression",
    "findings/impression": "impression", "findings/ impression": "impression", "impresson": "impression",
    "impresion": "impression", "impession": "impression", "imprssion": "impression", "mpression": "impression",
    "chest, two views": "findings", "finding": "findings", "findins": "findings", "finidngs": "findings",
    "reference findings": "findings", "recommendation": "recommendations", "recommendation(s)": "recommendations",
    "wetread": "wet read",
}
"""Header variants seen in MIMIC-CXR and the section they mean (the parser's frequency table, abridged to
the variants that change the name)."""
_MAIN = ("impression", "findings", "history", "comparison", "addendum")
_VIEW = re.compile(r"chest|portable|pa and lat|lateral and pa|ap and lateral|lateral and ap|frontal and|two views|"
                   r"frontal view|pa view|ap view|one view|lateral view|bone window|frontal upright|"
                   r"frontal semi-upright|ribs")


def section_name(header: str) -> str:
    """A header's normalised section name (see the module docstring)."""
    name = header.lower().strip()
    if name in _NAMES:
        return _NAMES[name]
    for main in _MAIN:
        if main in name:
            return main
    return "findings" if _VIEW.search(name) else name


def sections(text: str) -> list[tuple[str, str]]:
    """(normalised name, text) of each section in report order; empty findings/impression dropped."""
    found = _HEADER.search(text)
    if found is None:
        return [("full report", text)]
    out = [("preamble", text[: found.start(1)])]
    while found is not None:
        start = found.end()
        newline = text.find("\n", start)
        following = _HEADER.search(text, newline if newline != -1 else start)
        end = len(text) if following is None else following.start()
        out.append((section_name(found.group(1)), text[start:end]))
        found = following
    return [(n, t) for n, t in out if n not in ("findings", "impression") or t.strip()]


def clean(text: str) -> str:
    """Section text on one line: whitespace runs (newlines included) become one space."""
    return " ".join(text.split())


def reference_report(path: Path) -> str | None:
    """The FINDINGS text of the report at `path` (several FINDINGS sections are joined), None when it has
    none. An unreadable file is a DataError."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(path, f"cannot read the report as UTF-8 text ({exc.__class__.__name__})") from None
    parts = [clean(t) for n, t in sections(text) if n == REFERENCE_SECTION]
    return " ".join(parts) if parts else None
