"""User mistakes give one `error:` line, a non-zero exit and no traceback."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from gazebench.cli.main import cli


@pytest.mark.parametrize("args,needle", [
    (["run", "--model", "orcale", "--tasks", "rsna"], "did you mean oracle"),
    (["run", "--model", "oracle", "--tasks", "rsnaa"], "did you mean rsna"),
    (["run", "--model", "oracle", "--tasks", "rsna", "--model-arg", "novalue"], "KEY=VALUE"),
    (["run", "--model", "cnn", "--tasks", "rsna", "--model-arg", "wdth=3"], "does not accept"),
    (["run", "--model", "oracle", "--include", "missing_file.py"], "not a Python file"),
    (["run", "--model", "oracle", "--tasks", "rsna", "--data-root", "/no/such/dir"], "is not a folder"),
])
def test_one_line_errors(args: list[str], needle: str) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and needle in lines[0], result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args", [
    ["run", "--model", "oracle", "--threshold-policy", "best"],
    ["run", "--model", "oracle", "--batch-size", "0"],
    ["run", "--model", "oracle", "--device", "tpu"],
    ["run", "--model", "oracle", "--threads", "0"],
    ["leaderboard", ".", "--format", "pdf"],
])
def test_bad_flags_are_usage_errors(args: list[str]) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_score_on_a_folder_that_is_not_a_run(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["score", str(tmp_path)])
    assert result.exit_code != 0 and result.output.startswith("error:") and "not a gazebench run" in result.output


@pytest.fixture(scope="module")
def finished_run(small_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("runs")
    args = ["run", "--model", "oracle", "--tasks", "rsna", "--limit", "6", "--data-root", str(small_root),
            "--output-dir", str(out)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    (run,) = out.iterdir()
    return run


def _damage(run: Path, tmp_path: Path, damage: str) -> Path:
    """A copy of `run` with one file broken the way a user (or a bad disk) might break it."""
    copy = tmp_path / run.name
    shutil.copytree(run, copy)
    chunk = copy / "predictions" / "rsna" / "chunk-00000.csv"
    if damage == "score":
        lines = chunk.read_text().splitlines()
        column = lines[0].split(",").index("Pneumonia")
        cells = lines[1].split(",")
        cells[column] = "abc"
        lines[1] = ",".join(cells)
        chunk.write_text("\n".join(lines) + "\n")
    elif damage == "no-id":
        chunk.write_text("Pneumonia\n0.5\n")
    elif damage == "stray":
        (chunk.parent / "chunk-old.csv").write_text("sample_id,patient_id\n")
    elif damage == "config":
        (copy / "config.json").write_text("{}")
    elif damage == "results":
        (copy / "results.json").write_text("[1]")
    return copy


@pytest.mark.parametrize("damage,command,needle", [
    ("score", "score", "not a number in [0, 1]"),
    ("no-id", "score", "without column(s) sample_id"),
    ("stray", "score", "not a predictions chunk"),
    ("config", "score", "not a gazebench run config"),
    ("results", "leaderboard", "not a gazebench results file"),
])
def test_damaged_run_directories_give_one_line_errors(finished_run: Path, tmp_path: Path, damage: str,
                                                      command: str, needle: str, small_root: Path) -> None:
    copy = _damage(finished_run, tmp_path, damage)
    args = [command, str(copy)] + (["--data-root", str(small_root)] if command == "score" else [])
    result = CliRunner().invoke(cli, args)
    assert result.exit_code != 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and needle in lines[0], result.output
