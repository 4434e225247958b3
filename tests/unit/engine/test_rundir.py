from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gazebench.engine.rundir import (
    RunDir,
    RunLock,
    atomic_write_json,
    git_revision,
    jsonable,
    provenance,
    read_json,
    run_dir_name,
)
from gazebench.errors import ConfigError, GazebenchError


def test_atomic_json_round_trip_and_no_temp_left(tmp_path: Path) -> None:
    target = tmp_path / "a" / "r.json"
    atomic_write_json(target, {"x": np.float32(0.5), "y": [np.int64(3)], "z": math.nan, "t": (1, 2)})
    assert read_json(target) == {"x": 0.5, "y": [3], "z": None, "t": [1, 2]}
    assert [p.name for p in target.parent.iterdir()] == ["r.json"]


def test_read_json_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    with pytest.raises(ConfigError, match="bad.json"):
        read_json(bad)
    with pytest.raises(ConfigError, match="missing.json"):
        read_json(tmp_path / "missing.json")


def test_jsonable_unwraps_arrays() -> None:
    assert jsonable({"a": np.array([1.0, np.inf])}) == {"a": [1.0, None]}


def test_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    with RunLock(tmp_path):
        with pytest.raises(GazebenchError, match="another gazebench process"):
            with RunLock(tmp_path):
                pass
    assert not (tmp_path / ".lock").exists()
    with RunLock(tmp_path):
        assert (tmp_path / ".lock").read_text() == str(os.getpid())


def test_lock_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (tmp_path / ".lock").write_text(proc.stdout.strip())
    with RunLock(tmp_path):
        assert (tmp_path / ".lock").read_text() == str(os.getpid())


def test_run_dir_name_is_filesystem_safe() -> None:
    name = run_dir_name("pkg/model x", ("rsna", "siim-acr"), False, 3, "0123456789abcdef")
    assert name == "pkg_model_x__rsna+siim-acr__seed3__0123456789"
    assert run_dir_name("cnn", ("a",), True, 0, "f" * 64).startswith("cnn__all__seed0__")


def test_incomplete_run_is_reported(tmp_path: Path) -> None:
    run = RunDir(tmp_path)
    with pytest.raises(ConfigError, match="not a gazebench run"):
        run.load_config()
    with pytest.raises(ConfigError, match="incomplete"):
        run.load_results()


def test_provenance_has_versions_and_no_hostname() -> None:
    import socket

    prov = provenance()
    assert prov["packages"]["torch"] and prov["python"]
    assert socket.gethostname() not in json.dumps(prov)
    rev = git_revision(Path(__file__).resolve().parents[3])
    assert rev["commit"] is None or len(rev["commit"]) == 40
