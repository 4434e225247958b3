"""User mistakes give one `error:` line, a non-zero exit and no traceback."""
from __future__ import annotations

import importlib
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from gazebench.cli.main import cli


@pytest.mark.parametrize("args,needle", [
    (["run", "--model", "orcale", "--tasks", "rsna"], "did you mean oracle"),
    (["run", "--model", "oracle", "--tasks", "rsnaa"], "did you mean rsna"),
    (["run", "--model", "oracle", "--tasks", "rsna", "--model-arg", "novalue"], "KEY=VALUE"),
    (["run", "--model", "cnn", "--tasks", "rsna", "--model-arg", "wdth=3"], "did you mean width?"),
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


@pytest.mark.parametrize("command", ["run --model random", "score .", "compare . .", "paper-table"])
def test_n_boot_past_the_cap_is_a_usage_error_on_every_command_taking_it(command: str) -> None:
    result = CliRunner().invoke(cli, [*command.split(), "--n-boot", "100001"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "Invalid value for '--n-boot': 100001 is not in the range 1<=x<=100000" in result.output, result.output


def test_the_paper_presets_n_boot_is_within_the_cap() -> None:
    from gazebench.cli.paper_cmd import command as paper_table
    from gazebench.engine.config import MAX_BOOT
    from gazebench.paper.runner import PaperSettings

    (flag,) = [p for p in paper_table.params if p.name == "n_boot"]
    assert 1 <= PaperSettings().n_boot == flag.default <= MAX_BOOT == 100_000


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
    ("score", "score", "chunk-00000.csv: edited since scoring"),
    ("no-id", "score", "chunk-00000.csv: edited since scoring"),
    ("stray", "score", "chunk-old.csv: not among the prediction files"),
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


@pytest.mark.parametrize("model,arg,needle", [
    ("cnn", "epochs=abc", "--model-arg epochs=abc: expected an integer in [1, 10000] (cnn)"),
    ("cnn", "epochs=2.5", "--model-arg epochs=2.5: expected an integer in [1, 10000] (cnn)"),
    ("cnn", "epochs=0", "--model-arg epochs=0: expected an integer in [1, 10000] (cnn)"),
    ("cnn", "train_batch_size=0", "train_batch_size=0: expected an integer in [1, 4096]"),
    ("cnn", "width=0", "width=0: expected an integer in [1, 8192]"),
    ("cnn", 'width="eight"', "width=eight: expected an integer in [1, 8192]"),
    ("cnn", "image_size=0", "image_size=0: expected an integer in [16, 2048]"),
    ("cnn", "image_size=100000", "image_size=100000: expected an integer in [16, 2048]"),
    ("cnn", "lr=-1", "lr=-1: expected a number in (0, 10] (cnn)"),
    ("cnn", "lr=NaN", "lr=NaN: expected a number in (0, 10] (cnn)"),
    ("oracle", "seed=1", "model oracle takes no options"),
    ("random", "seed=abc", "seed=abc: expected an integer in [0, 4294967295] (random)"),
    ("random", "seed=-1", "seed=-1: expected an integer in [0, 4294967295] (random)"),
    ("original-gaze", "target=random", "unknown option for original-gaze"),
    ("original-gaze", "lora_vision=maybe", "expected true or false (or 1/0) (original-gaze)"),
    ("sft", "epochs_heatmap=1", "unknown option for sft; did you mean epochs"),
    ("sft-heatmap", "lambda_heatmap=-1", "lambda_heatmap=-1: expected a number in [0, 1000] (sft-heatmap)"),
    ("vanilla", "probe_fraction=2", "probe_fraction=2: expected a number in [0, 1] (vanilla)"),
    ("vanilla", "image_size=100", "image_size=100: expected an integer in [28, 2048], a multiple of 28 (vanilla)"),
    ("medclip", "text_layers=1,x", "text_layers=1,x: expected a comma-separated list of integers (medclip)"),
    ("egma", "alpha=1.5", "alpha=1.5: expected a number in [0, 1] (egma)"),
])
def test_bad_model_args_fail_before_any_work(model: str, arg: str, needle: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def no_data(*args: object, **kwargs: object) -> None:
        raise AssertionError("data was read before the model options were checked")

    monkeypatch.setattr(importlib.import_module("gazebench.engine.evaluate"), "load_task_data", no_data)
    result = CliRunner().invoke(cli, ["run", "--model", model, "--tasks", "rsna", "--model-arg", arg])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0] == f"error: {lines[0][7:]}" and needle in lines[0], result.output
    assert "Traceback" not in result.output


def test_a_bad_local_backbone_fails_before_any_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.import_module("gazebench.engine.evaluate"), "load_task_data",
                        lambda *a, **k: pytest.fail("data was read"))
    (tmp_path / "config.json").write_text('{"model_type": "qwen2_vl"}')
    result = CliRunner().invoke(cli, ["run", "--model", "vanilla", "--tasks", "rsna", "--model-arg",
                                      f"backbone={tmp_path}"])
    assert result.exit_code == 2 and result.output.count("\n") == 1, result.output
    assert "model_type 'qwen2_vl' is not supported as the Qwen2.5-VL backbone (supported: qwen2_5_vl" in result.output


@pytest.mark.parametrize("kind", ["file", "under-a-file"])
def test_a_bad_cache_folder_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    blocker = tmp_path / "cache-file"
    blocker.write_text("")
    monkeypatch.setenv("GAZEBENCH_CACHE", str(blocker if kind == "file" else blocker / "sub"))
    result = CliRunner().invoke(cli, ["run", "--model", "oracle", "--tasks", "rsna"])
    assert result.exit_code == 2 and result.output.count("\n") == 1, result.output
    assert result.output.startswith(f"error: cache folder {blocker}") and "$GAZEBENCH_CACHE" in result.output
    assert ("is a file, not a folder" if kind == "file" else "is not writable") in result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_cache_folder_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o555)
    monkeypatch.setenv("GAZEBENCH_CACHE", str(folder))
    result = CliRunner().invoke(cli, ["run", "--model", "oracle", "--tasks", "rsna"])
    assert result.exit_code == 2 and result.output.count("\n") == 1 and "is not writable" in result.output


DUPLICATE_MODEL = '''from gazebench.adapter import register_model
from gazebench.models.random import RandomAdapter


@register_model("random")
class Mine(RandomAdapter):
    pass
'''


@pytest.mark.parametrize("case", ["tasks twice", "image too large for memory", "training batch too large for memory",
                                  "model name taken"])
def test_run_refuses_in_one_line_before_any_run_directory(tmp_path: Path, small_root: Path, case: str) -> None:
    plugin = tmp_path / "dup_model.py"
    plugin.write_text(DUPLICATE_MODEL)
    extra, needle = {
        "tasks twice": (["--model", "random", "--tasks", "rsna,mimic-eye,rsna"],
                        "--tasks rsna,mimic-eye,rsna: rsna given more than once"),
        "image too large for memory": (["--model", "cnn", "--tasks", "rsna", "--model-arg", "image_size=2048",
                                        "--batch-size", "4096"], "float32 and the model's parameters need at least"),
        "training batch too large for memory": (["--model", "cnn", "--tasks", "rsna", "--model-arg",
                                                 "image_size=2048", "--model-arg", "train_batch_size=4096"],
                                                "2 batches of 4096 inputs of 2048×2048×1 float32"),
        "model name taken": (["--model", "random", "--tasks", "rsna", "--include", str(plugin)],
                             "model 'random' is already registered by gazebench.models.random.RandomAdapter; "
                             "gazebench_include_dup_model_"),
    }[case]
    out = tmp_path / "runs"
    result = CliRunner().invoke(cli, ["run", *extra, "--data-root", str(small_root), "--output-dir", str(out)])
    assert result.exit_code == 2 and result.output.count("\n") == 1, result.output
    assert result.output.startswith("error: ") and needle in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_the_memory_check_weighs_inputs_and_parameters_against_free_memory() -> None:
    import torch

    from gazebench.engine.memory import check_fits, input_bytes, parameter_bytes
    from gazebench.errors import ConfigError
    from gazebench.models.cnn import SmallCNN

    adapter = SmallCNN(image_size=64, width=4, train_batch_size=16)
    need = input_bytes(adapter, 16) + parameter_bytes(adapter)  # fit's batch of 16 outweighs predict's 8
    assert input_bytes(adapter, 8) == 2 * 8 * 1 * 64 * 64 * 4 and parameter_bytes(adapter) > 0
    check_fits(adapter, "cnn", 8, torch.device("cpu"), available=need)
    with pytest.raises(ConfigError, match="lower image_size, --batch-size or the model's own batch size option"):
        check_fits(adapter, "cnn", 8, torch.device("cpu"), available=need - 1)
