"""Markdown / CSV / LaTeX rendering of a hand-made paper table: paper numbers beside ours with the
difference, zero-shot without paper numbers, gaze alignment, comparisons, notes and the command."""
from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pandas as pd
import pytest

from fixtures.comparisons import paired, run_comparison
from fixtures.results import run_results
from gazebench.metrics.vocabulary import CLASSIFICATION
from gazebench.paper.classification_table import to_csv, to_latex, to_markdown
from gazebench.paper.methods import BY_KEY, PAPER_SOURCE, Comparison, PaperMethod
from gazebench.paper.runner import write_outputs
from gazebench.paper.table import ComparisonRuns, MethodRuns, PaperTable
from gazebench.results import RunResults

NOTE = "Computed on the simulated reader study"


def block(auroc: float, acc: float, f1: float, gaze: dict | None = None) -> dict:
    out = {"auroc": auroc, "auroc_ci": [auroc - 0.05, auroc + 0.05], "acc": acc, "acc_ci": [acc - 0.1, acc],
           "f1": f1, "f1_ci": [f1 - 0.1, f1 + 0.1]}
    return out | ({"gaze": gaze} if gaze else {})


def results(auroc: float, gaze: dict | None = None) -> RunResults:
    return run_results({"mimic-eye": block(auroc, 0.8, 0.6, gaze), "rsna": block(0.7, 0.65, 0.5)},
                       config={"limit": None}, scoring={"n_boot": 200, "threshold_policy": "fixed", "ci_level": 0.95},
                       thresholds={"policy": "fixed", "source": "0.5"}, dataset_note=NOTE)


@pytest.fixture
def table() -> PaperTable:
    gaze = {"scanpath": {"exact_position_accuracy": 0.25, "topk_overlap": 0.5, "mean_grid_distance": 1.5},
            "saliency": {"nss": 1.2, "cc": 0.4}}
    methods = (
        MethodRuns(BY_KEY["shuffled-gaze"], (Path("a"),), (results(0.85, gaze),)),
        MethodRuns(BY_KEY["original-gaze"], (Path("b"),), (results(0.9117, gaze),)),
        MethodRuns(PaperMethod("my_model", "my_model"), (Path("c"),), (results(0.6),)),
    )
    cmp = run_comparison({t: {m.name: paired(0.0617, (0.01, 0.1), 0.02) for m in CLASSIFICATION}
                          for t in ("mimic-eye", "rsna")})
    comparisons = (ComparisonRuns(Comparison("shuffled-gaze", "original-gaze", "Q1 order"), (cmp,)),)
    return PaperTable(methods, comparisons, ("mimic-eye", "rsna"), "gazebench paper-table --limit 5",
                      ("backbone tiny",))


def test_markdown_puts_ours_beside_the_paper(table: PaperTable) -> None:
    md = to_markdown(table)
    assert md.index("SIMULATED DATA") < md.index("## mimic-eye")
    assert "`gazebench paper-table --limit 5`" in md and PAPER_SOURCE in md
    row = next(line for line in md.splitlines() if line.startswith("| Original-Gaze |"))
    # ours 91.17 [86.17, 96.17]; paper 90.17 / 89.02 / 87.61; Δ = +1.00, 80 − 89.02, 60 − 87.61
    assert "91.17 [86.17, 96.17]" in row and "90.17" in row and "+1.00" in row and "-9.02" in row
    assert "-27.61" in row
    shuffled = next(line for line in md.splitlines() if line.startswith("| Shuffled-Gaze |"))
    assert "| -3.51 | -7.48 | -24.97 |" in shuffled  # 85 − 88.51, 80 − 87.48, 60 − 84.97
    mine = next(line for line in md.splitlines() if line.startswith(r"| my\_model |"))
    assert mine.count("n/a") == 6  # no paper numbers, no deltas
    assert "## Zero-shot" in md and "not public" in md and "70.00 [65.00, 75.00]" in md
    assert "## Gaze alignment" in md and "0.250" in md and md.count(r"| my\_model |") == 2  # not in gaze table
    assert "| Q1 order | Original-Gaze | Shuffled-Gaze | rsna | +6.17 [+1.00, +10.00] p=0.020 |" in md
    assert "- backbone tiny" in md and "200 replicates" in md


def test_csv_is_long_and_numeric(table: PaperTable) -> None:
    df = pd.read_csv(io.StringIO(to_csv(table)))
    res = df[df.section == "results"]
    assert len(res) == 3 * 2 * 3  # methods × tasks × metrics
    orig = res[(res.method == "original-gaze") & (res.task == "mimic-eye") & (res.metric == "auroc")].iloc[0]
    assert orig.value == pytest.approx(91.17) and orig.paper == pytest.approx(90.17)
    assert orig.delta == pytest.approx(1.0)
    assert orig.low == pytest.approx(86.17) and orig.n_seeds == 1
    assert res[res.task == "rsna"].paper.isna().all()
    cmp = df[df.section == "comparison"]
    assert len(cmp) == 2 * 3 and set(cmp.baseline) == {"shuffled-gaze"} and cmp.p_value.iloc[0] == pytest.approx(0.02)
    assert set(df[df.section == "gaze"].method) == {"shuffled-gaze", "original-gaze"}


def test_latex_is_booktabs_with_escaped_names(table: PaperTable) -> None:
    tex = to_latex(table)
    assert tex.count(r"\begin{tabular}") == 2 and tex.count(r"\toprule") == 2
    assert r"my\_model" in tex and "my_model &" not in tex
    assert tex.startswith("% Regenerate with: gazebench paper-table --limit 5")
    assert "Original-Gaze & 91.17 [86.17, 96.17]" in tex


def test_several_seeds_render_mean_and_sd(table: PaperTable) -> None:
    two = MethodRuns(BY_KEY["sft"], (Path("x"), Path("y")), (results(0.80), results(0.90)))
    multi = PaperTable((two,), (), ("mimic-eye",), "cmd")
    md = to_markdown(multi)
    assert "85.00 ± 7.07" in md and "mean ± sd over seeds" in md and "## Zero-shot" not in md


def test_tracks_are_marked_and_the_mdd_is_shown(table: PaperTable) -> None:
    privileged = dataclasses.replace(results(0.99), config={"n_boot": 200, "limit": None,
                                                            "adapter": {"track": "privileged"}})
    cmp = run_comparison({t: {m.name: paired(0.01, (-0.02, 0.04), 0.5, 0.05) for m in CLASSIFICATION}
                          for t in ("mimic-eye", "rsna")})
    marked = PaperTable(table.methods + (MethodRuns(PaperMethod("oracle", "Oracle"), (Path("d"),), (privileged,)),),
                        (ComparisonRuns(Comparison("shuffled-gaze", "original-gaze", "Q1 order"), (cmp,)),),
                        table.tasks, table.command)
    md = to_markdown(marked)
    assert "| Oracle † |" in md and "† privileged reference" in md and "| Original-Gaze |" in md
    assert "+1.00 [-2.00, +4.00] p=0.500; MDD 5.00, cannot tell at this size" in md and "MDD: minimum detectable" in md
    df = pd.read_csv(io.StringIO(to_csv(marked)))
    row = df[(df.section == "comparison") & (df.task == "rsna") & (df.metric == "auroc")].iloc[0]
    assert row.mdd == pytest.approx(5.0) and row.verdict == "cannot tell at this size"
    assert set(df[df.method == "oracle"].track) == {"privileged"}


def test_default_paper_writes_the_thinking_with_gaze_files(table: PaperTable, tmp_path: Path) -> None:
    assert table.paper == "thinking-with-gaze"
    paths = write_outputs(table, tmp_path)
    assert sorted(p.name for p in paths.values()) == ["paper_table.csv", "paper_table.md", "paper_table.tex"]
    assert paths["md"].read_text() == to_markdown(table) and paths["tex"].read_text() == to_latex(table)
    assert paths["md"].read_text().startswith("# Thinking with Gaze: the paper table")
