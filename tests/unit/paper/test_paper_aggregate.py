"""Pure aggregation of results JSONs into percent cells, paired-comparison summaries and gaze values."""
from __future__ import annotations

import dataclasses
import math

import pytest

from fixtures.comparisons import paired, run_comparison
from fixtures.results import run_results
from gazebench.comparison import RunComparison
from gazebench.paper.aggregate import (
    Cell,
    delta,
    format_cell,
    format_paired,
    gaze_values,
    metric_cell,
    paired_cell,
)
from gazebench.results import RunResults


def result(auroc: float | None, ci: tuple[float, float] = (0.5, 0.9), task: str = "mimic-eye") -> RunResults:
    return run_results({task: {"auroc": auroc, "auroc_ci": list(ci), "acc": 0.8, "acc_ci": [0.7, 0.9]}})


def test_single_seed_cell_carries_the_bootstrap_ci() -> None:
    cell = metric_cell([result(0.9017, (0.851, 0.932))], "mimic-eye", "auroc")
    assert cell == Cell(pytest.approx(90.17), None, pytest.approx(85.1), pytest.approx(93.2), 1)
    assert format_cell(cell) == "90.17 [85.10, 93.20]"
    assert delta(cell, 90.0) == pytest.approx(0.17)


def test_several_seeds_give_mean_and_sample_sd() -> None:
    cell = metric_cell([result(0.80), result(0.90), result(0.85)], "mimic-eye", "auroc")
    assert cell.mean == pytest.approx(85.0) and cell.sd == pytest.approx(5.0) and cell.n_seeds == 3
    assert cell.low is None and format_cell(cell) == "85.00 ± 5.00"


def test_undefined_values_are_left_out_and_shown_as_na() -> None:
    assert format_cell(metric_cell([result(None)], "mimic-eye", "auroc")) == "n/a"
    assert metric_cell([result(0.7)], "rsna", "auroc").mean is None
    two = metric_cell([result(None), result(0.7)], "mimic-eye", "auroc")
    assert two.mean == pytest.approx(70.0) and two.sd is None and two.n_seeds == 1
    assert delta(Cell(None), 50.0) is None and delta(Cell(50.0), None) is None


def comparison(diff: float, ci: tuple[float, float], p: float) -> RunComparison:
    return run_comparison({"mimic-eye": {"auroc": paired(diff, ci, p)}})


def test_paired_cell_one_seed_and_several() -> None:
    one = paired_cell([comparison(0.012, (-0.004, 0.029), 0.14)], "mimic-eye", "auroc")
    assert format_paired(one) == "+1.20 [-0.40, +2.90] p=0.140"
    many = paired_cell([comparison(0.01, (0, 0), 0.01), comparison(0.03, (0, 0), 0.2),
                        comparison(-0.01, (0, 0), 0.5)], "mimic-eye", "auroc")
    assert many.diff == pytest.approx(1.0) and many.sd == pytest.approx(2.0)
    assert (many.wins, many.significant, many.n_seeds) == (2, 1, 3)
    assert format_paired(many) == "+1.00 ± 2.00 (2/3 seeds B>A, 1 p<0.05)"
    assert format_paired(paired_cell([comparison(math.nan, (0, 0), 1.0)], "mimic-eye", "auroc")) == "n/a"
    assert format_paired(paired_cell([comparison(-1e-9, (0, 0), 1.0)], "mimic-eye", "auroc")).startswith("+0.00 ")


def test_gaze_values_average_over_seeds_and_skip_models_without_gaze() -> None:
    def gaze(acc: float, nss: float) -> RunResults:
        return run_results({"mimic-eye": {"gaze": {"scanpath": {"exact_position_accuracy": acc},
                                                    "saliency": {"nss": nss, "cc": None}}}})

    values = gaze_values([gaze(0.2, 1.0), gaze(0.4, 2.0)], "mimic-eye")
    assert values is not None
    assert values["exact-pos acc"] == pytest.approx(0.3) and values["NSS"] == pytest.approx(1.5)
    assert values["CC"] is None and values["top-K overlap"] is None
    assert gaze_values([result(0.5)], "mimic-eye") is None


def test_paired_cell_shows_the_mdd_and_says_when_it_cannot_tell() -> None:
    row = paired(0.01, (-0.02, 0.04), 0.5, 0.045)
    one = paired_cell([run_comparison({"mimic-eye": {"auroc": row}})], "mimic-eye", "auroc")
    assert one.mdd == pytest.approx(4.5)
    assert format_paired(one) == "+1.00 [-2.00, +4.00] p=0.500; MDD 4.50, cannot tell at this size"
    significant = dataclasses.replace(row, diff=0.05, ci=(0.01, 0.09), p_value=0.01)
    big = paired_cell([run_comparison({"mimic-eye": {"auroc": significant}})], "mimic-eye", "auroc")
    assert format_paired(big).endswith("; MDD 4.50, B > A")
    flat = paired_cell([run_comparison({"mimic-eye": {"auroc": paired(0.2, (0.2, 0.2), 0.0, 0.0)}})], "mimic-eye",
                       "auroc")
    assert format_paired(flat).startswith("+20.00 [+20.00, +20.00] ⚠") and "zero-width" in format_paired(flat)
    seeds = paired_cell([run_comparison({"mimic-eye": {"auroc": dataclasses.replace(row, diff=d)}})
                         for d in (0.01, 0.02)], "mimic-eye", "auroc")
    assert format_paired(seeds).endswith("(2/2 seeds B>A, 0 p<0.05); MDD 4.50, cannot tell at this size")


def test_zero_width_cell_is_marked() -> None:
    assert format_cell(metric_cell([result(1.0, (1.0, 1.0))], "mimic-eye", "auroc")) == "100.00 [100.00, 100.00] ⚠"
