"""Reference pointers (gazebench.engine.references): a privileged run's pointers resolve to the item's reference
in memory; a pointer in a standard-track run, or one naming another item, is refused in one line."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from gazebench.engine.kinds.base import Item, ItemSet
from gazebench.engine.references import reference_pointer, resolve
from gazebench.errors import ConfigError
from gazebench.labels import CHEXPERT_LABELS
from gazebench.records import Sample


def _items() -> ItemSet:
    samples = [Sample(sample_id=f"s{i}", patient_id="p", study_id="st", image_path=Path(f"s{i}.png"),
                      labels=(0.0,) * len(CHEXPERT_LABELS))
               for i in range(2)]
    return ItemSet(tuple(Item(item_id=s.sample_id, sample=s, reference=f"reference text {k}")
                         for k, s in enumerate(samples)))


def test_a_privileged_runs_pointers_resolve_and_text_is_kept() -> None:
    df = pd.DataFrame({"sample_id": ["s0", "s1"], "report": [reference_pointer("s0"), "generated"]})
    out = resolve(df, _items(), True, Path("predictions/t"))
    assert list(out["report"]) == ["reference text 0", "generated"]
    assert list(df["report"]) == [reference_pointer("s0"), "generated"]  # the frame read from disk is untouched


@pytest.mark.parametrize(("privileged", "cells", "needle"), [
    (False, ["reference:s0", "x"], "only a privileged model"),
    (True, ["reference:s1", "x"], "the report of item 's0' points at another item"),
])
def test_pointers_that_are_not_a_privileged_runs_own_are_refused(privileged: bool, cells: list[str],
                                                                 needle: str) -> None:
    df = pd.DataFrame({"sample_id": ["s0", "s1"], "report": cells})
    with pytest.raises(ConfigError, match=needle):
        resolve(df, _items(), privileged, Path("predictions/t"))
