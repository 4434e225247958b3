"""Every command that reads a run directory verifies it first (issue 20): each recorded file of a finished run
(config.json, results.json, a prediction chunk, a scores file, thresholds.json, provenance.json) is edited, made
not UTF-8, a folder or a link, or a stray task folder is added, in turn, and `score`,
`compare`, `leaderboard`, `view --export`, `probe`, `paper-table` and `run` on the same run all refuse it with
exit ≠ 0 and one line naming the file; a deleted chunk is refused by a rerun, never shown "complete already".
(The lm-eval bridge reads no run directory: its predictions go to a temporary folder.)"""
from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from gazebench.cli.main import cli
from gazebench.engine.verify import REDO, verify_run

TASKS = "mimic-eye,rsna"
RUN_ARGS = ("--model", "random", "--tasks", TASKS, "--limit", "6", "--n-boot", "20", "--threshold-policy", "max-f1")


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def finished(small_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished random run with one re-scoring under scores/ (kept pristine: tests edit copies)."""
    out = tmp_path_factory.mktemp("runs")
    code, output = invoke("run", *RUN_ARGS, "--data-root", str(small_root), "--output-dir", str(out))
    assert code == 0, output
    (run,) = out.iterdir()
    code, output = invoke("score", str(run), "--data-root", str(small_root), "--n-boot", "30")
    assert code == 0 and len(list((run / "scores").iterdir())) == 1, output
    verify_run(run)
    return run


def _set_seed(run: Path) -> Path:
    path = run / "config.json"
    config = json.loads(path.read_text())
    config["seed"] = 7
    path.write_text(json.dumps(config, indent=2))
    return path


def _edit_results(run: Path) -> Path:
    path = run / "results.json"
    results = json.loads(path.read_text())
    results["results"]["rsna"]["metrics"]["auroc"]["value"] = 0.99
    path.write_text(json.dumps(results, indent=2))
    return path


def _edit_chunk(run: Path) -> Path:
    path = run / "predictions" / "rsna" / "chunk-00000.csv"
    lines = path.read_text().splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + ",0.5"
    path.write_text("\n".join(lines) + "\n")
    return path


def _delete_chunk(run: Path) -> Path:
    path = run / "predictions" / "mimic-eye" / "chunk-00000.csv"
    path.unlink()
    return path


def _edit_scores(run: Path) -> Path:
    (path,) = (run / "scores").iterdir()
    results = json.loads(path.read_text())
    results["results"]["mimic-eye"]["metrics"]["auroc"]["value"] = 0.01
    path.write_text(json.dumps(results, indent=2))
    return path


def _edit_thresholds(run: Path) -> Path:
    path = run / "thresholds.json"
    thresholds = json.loads(path.read_text())
    thresholds["values"] = {k: 0.01 for k in thresholds["values"]}
    path.write_text(json.dumps(thresholds))
    return path


def _not_utf8_results(run: Path) -> Path:
    path = run / "results.json"
    path.write_bytes(b"\xff" + path.read_bytes())
    return path


def _results_folder(run: Path) -> Path:
    path = run / "results.json"
    path.unlink()
    path.mkdir()
    return path


def _linked_chunk(run: Path) -> Path:
    path = run / "predictions" / "rsna" / "chunk-00000.csv"
    path.rename(run.parent / "elsewhere.csv")
    path.symlink_to(run.parent / "elsewhere.csv")  # the same bytes, reached through a link
    return path


def _stray_task(run: Path) -> Path:
    path = run / "predictions" / "siim-acr"
    path.mkdir()
    shutil.copy(run / "predictions" / "rsna" / "chunk-00000.csv", path)
    return path


def _other_commit(run: Path) -> Path:
    path = run / "provenance.json"
    record = json.loads(path.read_text())
    record["git"] = {"commit": "0" * 40, "dirty": False}
    path.write_text(json.dumps(record))
    return path


EDITS: dict[str, Callable[[Path], Path]] = {
    "config.json": _set_seed, "results.json": _edit_results, "chunk": _edit_chunk, "deleted chunk": _delete_chunk,
    "scores": _edit_scores, "thresholds.json": _edit_thresholds, "results.json not UTF-8": _not_utf8_results,
    "results.json a folder": _results_folder, "linked chunk": _linked_chunk, "stray task folder": _stray_task,
    "provenance commit": _other_commit,
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_every_command_refuses_an_edited_run_in_one_line(finished: Path, small_root: Path, tmp_path: Path,
                                                         edit: str) -> None:
    runs = tmp_path / "runs"
    run = Path(shutil.copytree(finished, runs / finished.name))
    named = EDITS[edit](run)
    before = sorted(p.relative_to(run) for p in run.rglob("*"))
    root = ("--data-root", str(small_root))
    commands = {
        "score": ("score", str(run), *root),
        "score --out": ("score", str(run), *root, "--n-boot", "25", "--out", str(tmp_path / "out.json")),
        "compare": ("compare", str(run), str(finished), *root),
        "leaderboard": ("leaderboard", str(runs)),
        "view --export": ("view", str(run), *root, "--export", str(tmp_path / "view.html")),
        "probe": ("probe", str(run), "--check", "blank", *root, "--output-dir", str(tmp_path / "probes")),
        "run": ("run", *RUN_ARGS, *root, "--output-dir", str(runs)),
        "run, other scoring": ("run", *RUN_ARGS, *root, "--output-dir", str(runs), "--n-boot", "40"),
    }
    for name, args in commands.items():
        code, output = invoke(*args)
        assert code != 0, f"{name} accepted a run with an edited {edit}: {output}"
        assert output.startswith("error: ") and output.count("\n") == 1, f"{name}: {output}"
        assert f"error: {named}: " in output, f"{name} did not name {named}: {output}"
        assert "complete already" not in output and "rerun the run to finish it" not in output
    assert not (tmp_path / "out.json").exists() and not (tmp_path / "view.html").exists()
    assert sorted(p.relative_to(run) for p in run.rglob("*")) == before  # nothing written into the run


def test_the_refusal_names_the_chunk_and_says_how_to_redo_the_run(finished: Path, tmp_path: Path) -> None:
    run = Path(shutil.copytree(finished, tmp_path / finished.name))
    named = _delete_chunk(run)
    code, output = invoke("score", str(run))
    assert code != 0 and f"{named}: scored, but now missing" in output and REDO in output


def test_paper_table_refuses_its_edited_run(small_root: Path, tmp_path: Path) -> None:
    args = ("paper-table", "--methods", "random", "--limit", "6", "--n-boot", "20", "--parse-probe", "0",
            "--data-root", str(small_root), "--output-dir", str(tmp_path / "runs"),
            "--results-dir", str(tmp_path / "results"))
    code, output = invoke(*args)
    assert code == 0, output
    (run,) = (tmp_path / "runs").iterdir()
    named = _set_seed(run)
    code, output = invoke(*args)
    assert code != 0 and output.splitlines()[-1].startswith(f"error: {named}: edited after the run"), output


def test_score_out_refuses_an_unwritable_place_before_any_work(finished: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    for out, why in ((blocker / "x.json", "not a folder"), (Path("/proc/gazebench-test/x.json"), "not writable")):
        code, output = invoke("score", str(finished), "--out", str(out))
        assert code == 2 and output.count("\n") == 1 and f"error: --out {out}" in output and why in output, output
