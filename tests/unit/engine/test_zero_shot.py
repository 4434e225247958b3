"""Zero-shot without in-domain data, and arguments refused in one line before any data or model work."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from gazebench.cli.main import cli
from gazebench.engine.config import RunConfig
from gazebench.engine.evaluate import evaluate
from gazebench.engine.rundir import read_json
from gazebench.engine.writable import check_out_dir
from gazebench.errors import ConfigError


@pytest.fixture(scope="module")
def chexpert_only(small_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data root holding only CheXpert-v1.0-small, copied from the small simulated study."""
    root = tmp_path_factory.mktemp("chexpert-only")
    shutil.copytree(small_root / "CheXpert-v1.0-small", root / "CheXpert-v1.0-small")
    return root


def cli_run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_zero_shot_run_needs_only_the_evaluated_data(chexpert_only: Path, tmp_path: Path) -> None:
    code, out = cli_run("run", "--model", "random", "--tasks", "chexpert", "--data-root", str(chexpert_only),
                        "--output-dir", str(tmp_path), "--n-boot", "20")
    assert code == 0, out
    (run,) = tmp_path.iterdir()
    assert not (run / "validation").exists() and (run / "predictions" / "chexpert").is_dir()
    results = read_json(run / "results.json")
    assert set(results["config"]["data_sha256"]) == {"chexpert"}
    assert set(results["evidence"]["prediction_digests"]) == {"predictions/chexpert"}
    assert results["thresholds"]["policy"] == "fixed" and results["results"]["chexpert"]["n"] > 0

    code, out = cli_run("score", str(run), "--threshold-policy", "max-f1")
    assert code != 0 and len(out.strip().splitlines()) == 1
    assert "tuned on the in-domain mimic-eye validate predictions, which this run does not have" in out
    code, out = cli_run("score", str(run), "--n-boot", "10")
    assert code == 0, out

    code, out = cli_run("run", "--model", "random", "--model-arg", "seed=5", "--tasks", "chexpert", "--data-root",
                        str(chexpert_only), "--output-dir", str(tmp_path), "--n-boot", "20")
    assert code == 0, out
    (other,) = [p for p in tmp_path.iterdir() if p != run]
    code, out = cli_run("compare", str(run), str(other), "--n-boot", "20")
    assert code == 0, out  # two zero-shot runs compare without the in-domain data


@pytest.mark.parametrize("args, needs", [(("--model", "random", "--threshold-policy", "youden"), "threshold policy"),
                                         (("--model", "cnn"), "trained on its train split")])
def test_tuned_policy_or_trainable_model_without_in_domain_data(chexpert_only: Path, tmp_path: Path,
                                                                args: tuple[str, ...], needs: str) -> None:
    code, out = cli_run("run", *args, "--tasks", "chexpert", "--data-root", str(chexpert_only), "--output-dir",
                        str(tmp_path))
    assert code != 0 and len(out.strip().splitlines()) == 1 and out.startswith("error: ")
    assert "in-domain task 'mimic-eye' has no data" in out and needs in out
    assert not any(tmp_path.iterdir())  # refused before any run directory or model time


def test_output_dir_that_is_a_file_is_refused_before_any_work(tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("x")
    for target, why in ((a_file, "is a file"), (a_file / "sub", "lies under")):
        with pytest.raises(ConfigError, match=why):
            check_out_dir(target, "--output-dir")
        # checked before the (unknown) model is looked up or any data loaded
        with pytest.raises(ConfigError, match="--output-dir"):
            evaluate(RunConfig(model="no-such-model", tasks=("rsna",)), output_dir=target)
    code, out = cli_run("run", "--model", "random", "--tasks", "rsna", "--output-dir", str(a_file / "sub"))
    assert code != 0 and "error: --output-dir" in out and "Traceback" not in out


def _root_writes_anyway(folder: Path) -> bool:
    """True where permissions do not stop this process (root): os.access says so, or a temp file gets created."""
    if os.access(folder, os.W_OK):
        return True
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def test_read_only_output_dir_or_parent(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if _root_writes_anyway(locked):
            pytest.skip("this process writes into 0o500 folders (root)")
        with pytest.raises(ConfigError, match="is not writable"):
            check_out_dir(locked, "--output-dir")
        with pytest.raises(ConfigError, match=f"cannot be created: {locked} is not writable"):
            check_out_dir(locked / "runs" / "deeper", "--output-dir")
        code, out = cli_run("run", "--model", "random", "--tasks", "rsna", "--output-dir", str(locked / "runs"))
        assert code != 0 and "error: --output-dir" in out and "Traceback" not in out
    finally:
        locked.chmod(0o700)


def test_writable_output_dir_passes_and_is_not_created(tmp_path: Path) -> None:
    check_out_dir(tmp_path, "--output-dir")
    check_out_dir(tmp_path / "new" / "runs", "--output-dir")
    assert not (tmp_path / "new").exists() and not list(tmp_path.iterdir())


@pytest.mark.parametrize("flag, value", [("--seed", "-1"), ("--seed", str(2**32)), ("--seed", "1" * 20),
                                         ("--threads", "100000")])
def test_seed_and_threads_are_checked_in_one_line(flag: str, value: str, tmp_path: Path) -> None:
    code, out = cli_run("run", "--model", "random", "--tasks", "rsna", "--output-dir", str(tmp_path), flag, value)
    assert code == 2 and flag in out and "Traceback" not in out
    assert not any(tmp_path.iterdir())
