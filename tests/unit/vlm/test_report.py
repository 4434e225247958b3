from __future__ import annotations

import numpy as np
import pytest

from gazebench.labels import CHEXPERT_LABELS
from gazebench.vlm.report import parse_report, render_report


def test_render_parse_round_trip() -> None:
    flags = np.arange(14) % 3 == 0
    text = render_report(flags)
    lines = text.splitlines()
    assert len(lines) == 14 and lines[0] == "No Finding: Yes" and lines[1] == "Enlarged Cardiomediastinum: No"
    assert [ln.split(":")[0] for ln in lines] == list(CHEXPERT_LABELS)
    assert (parse_report(text) == flags).all()


@pytest.mark.parametrize("bad", ["No Finding: Maybe", "Cardiomegaly: Yes"])
def test_parse_rejects_a_broken_line(bad: str) -> None:
    lines = render_report(np.zeros(14, bool)).splitlines()
    lines[0] = bad
    with pytest.raises(ValueError, match="line 1"):
        parse_report("\n".join(lines))


def test_parse_rejects_missing_lines() -> None:
    with pytest.raises(ValueError, match="13 lines"):
        parse_report("\n".join(render_report(np.zeros(14, bool)).splitlines()[:13]))
