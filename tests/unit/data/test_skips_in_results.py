"""A run on a tree with a missing image says so: on screen after the table, and in results.json, which records
every skip per task (reason, count, example file names) and each task's definition, split policy included."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from gazebench.cli.main import cli
from gazebench.engine.config import RunConfig
from gazebench.engine.evaluate import evaluate


def test_missing_image_is_recorded_in_results(small_root: Path, tmp_path: Path) -> None:
    root = tmp_path / "data"
    root.mkdir()
    for entry in small_root.iterdir():
        (root / entry.name).symlink_to(entry)
    (root / "CheXpert-v1.0-small").unlink()
    chexpert = Path(shutil.copytree(small_root / "CheXpert-v1.0-small", root / "CheXpert-v1.0-small"))
    gone = sorted(chexpert.rglob("*_frontal.jpg"))[0]
    gone.unlink()
    outcome = evaluate(RunConfig(model="random", tasks=("chexpert",), n_boot=50), output_dir=tmp_path / "runs",
                       data_root=root)
    results = json.loads((outcome.run_dir / "results.json").read_text())
    skipped = results["skipped"]["chexpert"]
    (reason,) = [r for r in skipped if "image file missing" in r]
    assert skipped[reason] == {"count": 1, "examples": [str(gone.relative_to(chexpert))]}
    assert results["task_definitions"]["chexpert"]["split_policy"] == "whole set is test"
    shown = CliRunner().invoke(cli, ["run", "--model", "random", "--tasks", "chexpert", "--n-boot", "50",
                                     "--data-root", str(root), "--output-dir", str(tmp_path / "runs")])
    assert shown.exit_code == 0, shown.output
    assert f"skipped chexpert: {reason}: 1" in " ".join(shown.stdout.split())


def test_a_reused_run_reports_the_skips_of_the_tree_it_was_asked_to_read(small_root: Path, tmp_path: Path) -> None:
    roots = []
    for copy in ("first", "second"):  # two damaged copies, identical once their missing image is passed over
        root = tmp_path / copy
        root.mkdir()
        for entry in small_root.iterdir():
            if entry.name != "CheXpert-v1.0-small":
                (root / entry.name).symlink_to(entry)
        chexpert = Path(shutil.copytree(small_root / "CheXpert-v1.0-small", root / "CheXpert-v1.0-small"))
        sorted(chexpert.rglob("*_frontal.jpg"))[0].unlink()
        roots.append(root)
    config = RunConfig(model="random", tasks=("chexpert",), n_boot=50)
    first = evaluate(config, output_dir=tmp_path / "runs", data_root=roots[0])
    second = evaluate(config, output_dir=tmp_path / "runs", data_root=roots[1])
    assert second.already_complete and second.run_dir == first.run_dir  # same data: the run is reused
    (reason,) = [r for r in second.results.data_skips["chexpert"] if "image file missing" in r]
    assert reason.startswith(str(roots[1] / "CheXpert-v1.0-small"))  # the second copy's, not the first's
    recorded = json.loads((first.run_dir / "results.json").read_text())["skipped"]["chexpert"]
    assert all(r.startswith(str(roots[0])) for r in recorded)  # the sealed record of the run is left as made
    shown = CliRunner().invoke(cli, ["run", "--model", "random", "--tasks", "chexpert", "--n-boot", "50", "--json",
                                     "--data-root", str(roots[1]), "--output-dir", str(tmp_path / "runs")])
    assert shown.exit_code == 0, shown.output
    assert reason in json.loads(shown.stdout)["skipped"]["chexpert"]
