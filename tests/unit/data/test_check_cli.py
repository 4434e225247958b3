"""`check` over every reader, and the `gazebench data` commands (exit codes, JSON, synth delegation)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from gazebench.cli.main import cli
from gazebench.data.check import check
from gazebench.data.readers import READERS
from gazebench.errors import RegistryError


@pytest.mark.parametrize("name", ["mimic-eye", "eyegaze", "chexpert", "rsna", "siim-acr"])
def test_every_fixture_tree_is_usable(name: str, trees: dict[str, Path]) -> None:
    report = check(name, trees[name])
    assert report.usable and report.problems == () and report.images >= 2 and report.patients >= 2
    assert (report.fixations is not None) == (name in ("mimic-eye", "eyegaze"))
    assert report.skipped  # every fixture has something a reader passes over


def test_every_reader_is_covered_by_a_fixture(trees: dict[str, Path]) -> None:
    built_in = [n for n in READERS.names() if not n.startswith("test-")]  # other tests register test-* readers
    assert sorted(trees) == built_in


def test_reflacx_without_images_is_not_usable(trees: dict[str, Path]) -> None:
    report = check("reflacx", trees["reflacx"])
    assert not report.usable and report.labels["Pleural Effusion"] == 1 and report.fixations == 2
    assert "the test split is empty (splits: {'train': 2})" in report.problems[0]
    assert [p.endswith(": image file not found") for p in report.problems[1:]] == [True]  # one line per file


def test_bad_tree_and_undecodable_image_are_problems(trees: dict[str, Path], tmp_path: Path) -> None:
    report = check("rsna", tmp_path)
    assert not report.usable and "stage_2_train_labels.csv: file not found" in report.problems[0]
    root = Path(shutil.copytree(trees["rsna"], tmp_path / "rsna"))
    for dcm in (root / "stage_2_train_images").glob("*.dcm"):
        dcm.write_bytes(b"not a dicom")
    report = check("rsna", root)
    assert not report.usable and "cannot decode image" in report.problems[0]
    with pytest.raises(RegistryError, match="did you mean rsna"):
        check("rsnaa", root)


def test_cli_check_json_and_exit_codes(trees: dict[str, Path], tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(cli, ["data", "check", "siim-acr", str(trees["siim-acr"]), "--json"])
    assert ok.exit_code == 0, ok.output
    data = json.loads(ok.output)
    assert {"images", "patients", "labels", "fixations", "problems"} <= set(data)
    assert data["labels"] == {"Pneumothorax": 1} and data["usable"] is True
    human = runner.invoke(cli, ["data", "check", "mimic-eye", str(trees["mimic-eye"])])
    assert human.exit_code == 0 and "usable" in human.output and "fixations" in human.output
    assert runner.invoke(cli, ["data", "check", "rsna", str(tmp_path)]).exit_code == 1
    bad_name = runner.invoke(cli, ["data", "check", "nope", str(tmp_path)])
    assert bad_name.exit_code == 2 and "unknown dataset reader 'nope'" in bad_name.output
    assert runner.invoke(cli, ["data", "check", "rsna", str(tmp_path / "absent")]).exit_code == 2


def test_cli_synth_calls_the_generator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gazebench.synthetic

    seen = {}

    def fake_generate(out: Path, *, size: str = "default", seed: int = 0) -> Path:
        seen.update(out=out, size=size, seed=seed)
        (Path(out) / "mimic-eye").mkdir(parents=True)
        return Path(out)

    monkeypatch.setattr(gazebench.synthetic, "generate", fake_generate, raising=False)
    result = CliRunner().invoke(cli, ["data", "synth", "--out", str(tmp_path / "o"), "--size", "small", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert seen == {"out": tmp_path / "o", "size": "small", "seed": 3}
    assert "mimic-eye" in result.output
