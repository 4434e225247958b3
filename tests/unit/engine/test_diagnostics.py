"""Per-image model diagnostics (an output's `diagnostics`): saved as `d_<name>` chunk columns, summarised per
task in results.json as {mean, n} over the images where they were measured, and printed under the table."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from gazebench.adapter import ImageBatch, register_model
from gazebench.engine.config import RunConfig
from gazebench.engine.evaluate import evaluate
from gazebench.engine.kinds.classification import ClassificationKind
from gazebench.engine.predict import predict_split
from gazebench.engine.predictions import diagnostics_summary, read_predictions
from gazebench.engine.run_table import results_table
from gazebench.engine.scoring import rescore
from gazebench.errors import ConfigError, GazebenchError
from gazebench.models.random import RandomAdapter
from gazebench.outputs import Probabilities
from gazebench.records import Sample
from gazebench.results import Diagnostic

CLASSIFY = ClassificationKind()


class Probing(RandomAdapter):
    """`random` plus a `probe` diagnostic: 1 for even-numbered ids, 0 for ids ending in 1, NaN otherwise."""

    def classify(self, batch: ImageBatch) -> Probabilities:
        last = [int(sid[-1]) if sid[-1].isdigit() else 9 for sid in batch.ids]
        probe = np.array([1.0 if d % 2 == 0 else 0.0 if d == 1 else np.nan for d in last])
        return Probabilities(probs=super().classify(batch).probs, diagnostics={"probe": probe})


register_model("test-probing")(Probing)


def expected(ids: list[str]) -> Diagnostic:
    last = [int(i[-1]) if i[-1].isdigit() else 9 for i in ids]
    seen = [1.0 if d % 2 == 0 else 0.0 for d in last if d % 2 == 0 or d == 1]
    return Diagnostic(float(np.mean(seen)), len(seen))


def test_diagnostics_reach_results_json_and_the_table(small_root: Path, tmp_path: Path) -> None:
    cfg = RunConfig(model="test-probing", tasks=("rsna",), n_boot=50, limit=12)
    outcome = evaluate(cfg, output_dir=tmp_path, data_root=small_root)
    frame = read_predictions(outcome.run_dir / "predictions" / "rsna")
    assert "d_probe" in frame.columns
    summary = outcome.results.tasks["rsna"].diagnostics
    assert summary == {"probe": expected(list(frame["sample_id"]))} and 0 < summary["probe"].n < 12
    assert rescore(outcome.run_dir, data_root=small_root).tasks["rsna"].diagnostics == summary
    console = Console(record=True, width=200)
    console.print(results_table(outcome.results))
    assert f"rsna diagnostics: probe {summary['probe'].mean:.3g} (n={summary['probe'].n} images)" \
        in console.export_text()


def test_models_without_diagnostics_have_none(small_root: Path, tmp_path: Path) -> None:
    cfg = RunConfig(model="random", tasks=("rsna",), n_boot=50, limit=4)
    assert not evaluate(cfg, output_dir=tmp_path, data_root=small_root).results.tasks["rsna"].diagnostics


def test_a_summary_of_nothing_measured_and_a_damaged_column() -> None:
    where = Path("run/predictions/rsna")
    frame = pd.DataFrame({"sample_id": ["a", "b"], "d_x": ["", ""], "d_y": ["1", "0.5"]})
    assert diagnostics_summary(frame, where) == {"x": Diagnostic(None, 0), "y": Diagnostic(0.75, 2)}
    with pytest.raises(ConfigError, match="column 'd_y' holds a value that is neither a number nor empty"):
        diagnostics_summary(frame.assign(d_y=["1", "abc"]), where)


class BadDiagnostic(RandomAdapter):
    def __init__(self, name: str, values: list[float]) -> None:
        super().__init__()
        self.name, self.values = name, values

    def classify(self, batch: ImageBatch) -> Probabilities:
        return Probabilities(probs=super().classify(batch).probs, diagnostics={self.name: np.array(self.values)})


@pytest.mark.parametrize(("name", "values", "match"), [
    ("x", [1.0], "returned diagnostic 'x' of shape"), ("Bad Name", [1.0, 0.0], "lowercase identifiers"),
    ("x", [np.inf, 0.0], "finite or NaN"),
])
def test_malformed_diagnostics_are_contract_errors(name: str, values: list[float], match: str,
                                                   samples: tuple[Sample, ...], tmp_path: Path) -> None:
    import torch

    with pytest.raises(GazebenchError, match=match):
        predict_split(BadDiagnostic(name, values), samples[:2], tmp_path, kind=CLASSIFY, batch_size=2, chunk_size=4,
                      device=torch.device("cpu"))
