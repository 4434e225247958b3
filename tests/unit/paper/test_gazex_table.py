"""The GazeX table (`--paper gazex`) rendered from hand-made results: per-task key metrics on display scales,
'–' for kinds a model skips, the paper's published ICC labelled as the paper's, paired comparisons on the
headline metrics; the paper registry, its comparisons and `--paper` errors."""
from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from fixtures.comparisons import paired, run_comparison
from fixtures.results import run_results
from gazebench.cli.main import cli
from gazebench.comparison import PairedMetric
from gazebench.errors import ConfigError
from gazebench.paper.gazex_table import to_csv, to_markdown
from gazebench.paper.papers import PAPERS, get_paper
from gazebench.paper.runner import PaperSettings, write_outputs
from gazebench.paper.table import ComparisonRuns, MethodRuns, PaperTable
from gazebench.results import RunResults

NOTE = "Computed on the simulated reader study"
GAZEX = {m.key: m for m in PAPERS["gazex"].methods}


def report(bleu4: float) -> dict:
    return {"kind": "report", "bleu1": 0.4, "bleu1_ci": [0.3, 0.5], "bleu4": bleu4,
            "bleu4_ci": [bleu4 - 0.01, bleu4 + 0.02], "rougeL": 0.3, "ciderD": 0.25,
            "ce_micro_f1": 0.5, "ce_macro_f1": None}


def scanpath(icc_x: float) -> dict:
    return {"kind": "scanpath", "icc_x": icc_x, "icc_x_ci": [icc_x - 0.1, icc_x + 0.05], "icc_y": 0.6,
            "dist_px": 42.5, "kendall_tau": 0.125, "finding_f1": 0.75}


def results(bleu4: float, icc_x: float | None = None) -> RunResults:
    blocks = {"mimic-eye-report": report(bleu4),
              "cxr-vqa": {"kind": "vqa", "accuracy": 0.5, "accuracy_ci": [0.4, 0.6]}}
    if icc_x is not None:
        blocks["mimic-eye-scanpath"] = scanpath(icc_x)
    return run_results(blocks, config={"limit": None}, scoring={"n_boot": 200}, dataset_note=NOTE)


def pair(diff: float, mdd: float) -> PairedMetric:
    return paired(diff, (diff - 0.01, diff + 0.02), 0.03, mdd)


@pytest.fixture
def table() -> PaperTable:
    methods = (MethodRuns(GAZEX["gazex"], (Path("g"),), (results(0.1234, 0.7),)),
               MethodRuns(GAZEX["vanilla"], (Path("v"),), (results(0.05),)))
    cmp = run_comparison({"mimic-eye-report": {"bleu4": pair(0.0734, 0.02), "ce_micro_f1": pair(0.0, 0.1),
                                               "bleu1": pair(0.5, 0.1)},
                          "cxr-vqa": {"accuracy": pair(0.1, 0.05)}})
    comparisons = (ComparisonRuns(PAPERS["gazex"].comparisons[2], (cmp,)),)
    return PaperTable(methods, comparisons, ("mimic-eye-report", "mimic-eye-scanpath", "cxr-vqa"),
                      "gazebench paper-table --paper gazex", ("backbone tiny",), "gazex")


def line(md: str, start: str, after: str = "") -> str:
    return next(x for x in md[md.index(after):].splitlines() if x.startswith(start))


def test_markdown_per_task_tables_on_display_scales(table: PaperTable) -> None:
    md = to_markdown(table)
    assert md.index("SIMULATED DATA") < md.index("## mimic-eye-report (report)")
    assert "`gazebench paper-table --paper gazex`" in md and "arXiv:2604.14316" in md
    head = line(md, "| Method |", "## mimic-eye-report")
    assert head == "| Method | BLEU-1 | BLEU-4 | ROUGE-L | CIDEr-D | CE-micro F1 | CE-macro F1 |"
    row = line(md, "| GazeX |", "## mimic-eye-report")
    # percent metrics ×100 with their CI; CIDEr-D as stored; an undefined metric is n/a
    assert row == "| GazeX | 40.00 [30.00, 50.00] | 12.34 [11.34, 14.34] | 30.00 | 0.250 | 50.00 | n/a |"
    gaze = line(md, "| GazeX |", "## mimic-eye-scanpath")
    assert gaze.startswith("| GazeX | 0.700 [0.600, 0.750] | 0.600 | 42.500 | 0.125 | 75.00 |")
    assert line(md, "| Vanilla |", "## mimic-eye-scanpath") == "| Vanilla | – | – | – | – | – |"
    published = line(md, "| GazeX paper (published) |", "## mimic-eye-scanpath")
    assert published == ("| GazeX paper (published) | ≈ 0.62–0.65 (form not stated) | ≈ 0.62–0.65 (form not stated) "
                         "| – | – | – |")
    assert "GazeX paper (published)" not in md[md.index("## cxr-vqa"):md.index("## Paired")]
    scan_head = line(md, "| Method |", "## mimic-eye-scanpath")
    assert scan_head == "| Method | ICC x | ICC y | Dist px | Kendall tau | Find F1 |"


def test_markdown_comparisons_and_notes(table: PaperTable) -> None:
    md = to_markdown(table)
    cmp = md[md.index("## Paired comparisons"):md.index("## Notes")]
    assert ("| GazeX vs the untrained backbone (Vanilla) | GazeX | Vanilla | mimic-eye-report | BLEU-4 | "
            "+7.34 [+6.34, +9.34] p=0.030; MDD 2.00, B > A |") in cmp
    assert "| mimic-eye-report | CE-micro F1 | +0.00 [-1.00, +2.00] p=0.030; MDD 10.00" in cmp
    assert "BLEU-1" not in cmp  # only the headline metrics are compared
    assert "| cxr-vqa | Acc | +10.00 [+9.00, +12.00]" in cmp
    assert "| mimic-eye-scanpath | ICC x | – |" in cmp  # Vanilla skipped scanpath: nothing to compare
    notes = md[md.index("## Notes"):]
    assert "`random`" in notes and "by construction" in notes and "cosine" in notes
    assert "- backbone tiny" in notes and "200 replicates" in notes and "MDD" in notes
    assert "Acc/F1 thresholds" not in notes and "AUROC" not in notes


def test_csv_is_long_numeric_and_labels_the_papers_figures(table: PaperTable) -> None:
    df = pd.read_csv(io.StringIO(to_csv(table)))
    res = df[df.section == "results"]
    assert len(res) == 6 + 5 + 1 + 6 + 1  # gazex: report, scanpath, vqa; vanilla: report, vqa (no scanpath)
    assert not ((res.method == "vanilla") & (res.task == "mimic-eye-scanpath")).any()
    icc = res[(res.method == "gazex") & (res.metric == "icc_x")].iloc[0]
    assert icc.value == pytest.approx(0.7) and icc.low == pytest.approx(0.6) and icc.n_seeds == 1
    bleu = res[(res.method == "gazex") & (res.metric == "bleu4")].iloc[0]
    assert bleu.value == pytest.approx(12.34)
    pub = df[df.section == "published"]
    assert set(pub.metric) == {"icc_x", "icc_y"} and set(pub.method) == {"gazex-paper"}
    assert pub.low.tolist() == [0.62, 0.62] and pub.high.tolist() == [0.65, 0.65] and pub.value.isna().all()
    assert set(pub.form) == {"form not stated"}
    assert icc.form == "form not recorded"  # ours: the form the run recorded (this hand-made one records none)
    cmp = df[df.section == "comparison"]
    assert set(cmp.metric) == {"bleu4", "ce_micro_f1", "accuracy"} and set(cmp.baseline) == {"vanilla"}
    assert cmp[cmp.metric == "bleu4"].iloc[0].verdict == "B > A"


def test_several_seeds_show_mean_and_sd(table: PaperTable) -> None:
    two = MethodRuns(GAZEX["gazex"], (Path("a"), Path("b")), (results(0.1, 0.6), results(0.2, 0.8)))
    md = to_markdown(PaperTable((two,), (), table.tasks, "cmd", paper="gazex"))
    assert "| GazeX | 40.00 ± 0.00 | 15.00 ± 7.07 |" in md and "| GazeX | 0.700 ± 0.141 |" in md
    assert "mean ± sd over seeds" in md


def test_write_outputs_uses_the_papers_stem(table: PaperTable, tmp_path: Path) -> None:
    paths = write_outputs(table, tmp_path)
    assert sorted(p.name for p in paths.values()) == ["gazex_table.csv", "gazex_table.md"]
    assert paths["md"].read_text() == to_markdown(table)


def test_registry_methods_comparisons_and_command() -> None:
    gazex = get_paper("gazex")
    assert [m.key for m in gazex.resolve("paper")] == ["gazex", "gazex-no-gaze", "gazex-shuffled", "vanilla", "sft"]
    assert [(c.a, c.b) for c in gazex.comparisons_for(gazex.resolve("paper"))] == [
        ("gazex-no-gaze", "gazex"), ("gazex-shuffled", "gazex"), ("vanilla", "gazex"), ("sft", "gazex")]
    assert [(c.a, c.b) for c in gazex.comparisons_for(gazex.resolve("paper,random"))][-1] == ("gazex", "random")
    assert [m.key for m in get_paper("thinking-with-gaze").resolve("paper")][-1] == "original-gaze"
    assert PaperSettings(paper="gazex", seeds=1).command() == "gazebench paper-table --paper gazex"
    with pytest.raises(ConfigError, match=r"^--paper 'unknown': unknown paper \(known: thinking-with-gaze, gazex\)$"):
        get_paper("unknown")


def test_unknown_paper_is_a_one_line_cli_error(tmp_path: Path) -> None:
    out = CliRunner().invoke(cli, ["paper-table", "--paper", "unknown", "--output-dir", str(tmp_path / "runs"),
                                   "--results-dir", str(tmp_path / "results")])
    assert out.exit_code != 0
    assert out.output.strip() == "error: --paper 'unknown': unknown paper (known: thinking-with-gaze, gazex)"
    assert not (tmp_path / "runs").exists()
