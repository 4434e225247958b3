"""User mistakes give one `error:` line, a non-zero exit and no traceback."""
from __future__ import annotations

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
