"""`gazebench paper-table` end to end on the small simulated study, restricted to two cheap models."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from gazebench.cli.main import cli
from gazebench.synthetic import generate


@pytest.fixture(scope="module")
def data_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("sim") / "data", size="small")


def test_paper_table_runs_renders_and_reuses_runs(data_root: Path, tmp_path: Path) -> None:
    runs, results = tmp_path / "runs", tmp_path / "results"

    def args(probe: int) -> list[str]:
        return ["paper-table", "--methods", "vanilla,random", "--data-root", str(data_root), "--limit", "4",
                "--n-boot", "20", "--parse-probe", str(probe), "--output-dir", str(runs), "--results-dir", str(results)]

    first = CliRunner().invoke(cli, args(1))
    assert first.exit_code == 0, first.output
    md = (results / "paper_table.md").read_text()
    assert "SIMULATED DATA" in md and "| Vanilla |" in md and "| random |" in md
    assert "49.74" in md and "## Zero-shot" in md and "random vs Vanilla" in md
    assert "gazebench paper-table --methods vanilla,random" in md and "--limit 4" in md
    assert "failed the fixed-format parser on 1/1" in md
    df = pd.read_csv(results / "paper_table.csv")
    assert set(df.method) == {"vanilla", "random"} and set(df.task) == {"mimic-eye", "chexpert", "rsna", "siim-acr"}
    assert (results / "paper_table.tex").read_text().count(r"\begin{tabular}") == 2

    done = sorted(runs.glob("*/results.json"))
    assert len(done) == 2
    stamps = [p.stat().st_mtime_ns for p in done]
    again = CliRunner().invoke(cli, args(0))
    assert again.exit_code == 0, again.output
    assert [p.stat().st_mtime_ns for p in done] == stamps  # finished runs are read back, not redone
    assert "parse" not in (results / "paper_table.md").read_text().split("## Notes")[1]


def test_unknown_method_is_a_one_line_error(data_root: Path, tmp_path: Path) -> None:
    out = CliRunner().invoke(cli, ["paper-table", "--methods", "vanila", "--data-root", str(data_root),
                                   "--output-dir", str(tmp_path)])
    assert out.exit_code != 0 and "error: unknown model 'vanila'" in out.output and "vanilla" in out.output


def test_gazex_paper_table_end_to_end(data_root: Path, tmp_path: Path) -> None:
    results = tmp_path / "results"
    out = CliRunner().invoke(cli, ["paper-table", "--paper", "gazex", "--methods", "vanilla,random", "--data-root",
                                   str(data_root), "--limit", "4", "--n-boot", "20",
                                   "--output-dir", str(tmp_path / "runs"), "--results-dir", str(results)])
    assert out.exit_code == 0, out.output
    assert sorted(p.name for p in results.iterdir()) == ["gazex_table.csv", "gazex_table.md"]
    md = (results / "gazex_table.md").read_text()
    assert "gazebench paper-table --paper gazex --methods vanilla,random" in md and "SIMULATED DATA" in md
    sections = [x for x in md.splitlines() if x.startswith("## ") and "(" in x][:5]
    assert sections == ["## mimic-eye-report (report)", "## reflacx-grounding (grounding)",
                        "## ms-cxr-grounding (grounding)", "## cxr-vqa (vqa)", "## mimic-eye-scanpath (scanpath)"]
    assert "| Vanilla | – | – | – | – | – |" in md  # vanilla declares no scanpath: its run skipped it
    assert "| submitted: random vs Vanilla | random | Vanilla | mimic-eye-report | CE-micro F1 |" in md
    df = pd.read_csv(results / "gazex_table.csv")
    assert set(df[df.section == "results"].task) == {"mimic-eye-report", "reflacx-grounding", "ms-cxr-grounding",
                                                     "cxr-vqa", "mimic-eye-scanpath"}


def test_size_preset_reads_the_large_study_and_is_in_the_command(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import gazebench.synthetic as synthetic
    from gazebench.paper import PaperSettings

    made: list[str] = []
    monkeypatch.setenv("GAZEBENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(synthetic, "ensure_default", lambda root, size="default": made.append(size) or root / size)
    large = PaperSettings(size="large")
    assert large.data() == str(tmp_path / "cache" / "data" / "large") and made == ["large"]
    assert "--size large" in large.command() and "--size" not in PaperSettings().command()
    assert PaperSettings().data() is None and PaperSettings(data_root="/d", size="default").data() == "/d"
    out = CliRunner().invoke(cli, ["paper-table", "--size", "large", "--data-root", str(tmp_path),
                                   "--output-dir", str(tmp_path / "runs")])
    assert out.exit_code != 0 and "--size large sizes the embedded simulated study" in out.output
