"""Run directory layout, atomic writes, the single-writer lock, and provenance.

    <output-dir>/<model>__<tasks>__seed<seed>__<hash[:10]>/
        config.json  provenance.json  data_manifest.json  thresholds.json
        validation/<train-task>/chunk-00000.csv      in-domain validate predictions (threshold tuning)
        predictions/<task>/chunk-00000.csv           per-image scores: ids and numbers only
        predictions/<task>/chunk-rank1of2-00000.csv  ... written by rank 1 of a 2-process launch
        results.json                                 written last; its presence marks the run complete
        README.md                                    what a model's text outputs are (runs that generate text)
        scores/<policy>__nboot<N>__ci<level>.json    later re-scorings under other scoring options
        launches.json                                launcher, world size and host digests of each launch
        run.log                                      full tracebacks of a model that raised while predicting

One writer: the lock and every file but the prediction chunks belong to rank 0 of a launched run; each rank
writes only chunk files of its own name (gazebench.engine.predict).

The hash names what decides the predictions (model, its config and weights, data manifests, seed, limit,
device kind and precision), never how they are scored. Once results.json exists the predictions, the
validation predictions and results.json are immutable: `gazebench run` with other scoring options (threshold
policy, bootstrap replicates, CI level) and `gazebench score` derive the new numbers from the saved files
with no model forward and store them, atomically, under scores/ (validate predictions are made whenever the
in-domain data is there, so a tuned policy never needs the model later).
"""
from __future__ import annotations

import json
import math
import os
import platform
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import numpy as np

from gazebench.errors import ConfigError, GazebenchError

if TYPE_CHECKING:
    from gazebench.results import RunResults

LOCK_NAME = ".lock"
RUN_CONFIG_KEYS = ("model", "tasks", "train_task", "seed", "data_sha256", "config_hash")
"""What `score` and `compare` need from a run's config.json."""
SCORES_DIR = "scores"
README_NAME = "README.md"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write via a temp file in the same folder and os.replace, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Atomic UTF-8 text write (see atomic_write_bytes)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: Path, obj: Any) -> None:
    """Atomic JSON write; numpy values become plain numbers and NaN/inf become null."""
    atomic_write_text(path, json.dumps(jsonable(obj), indent=2, allow_nan=False) + "\n")


def jsonable(obj: Any) -> Any:
    """A copy of `obj` that strict JSON accepts: numpy scalars/arrays unwrapped, tuples as lists, NaN → None."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, Path):
        return str(obj)
    return obj


def read_bytes(path: Path) -> bytes:
    """The bytes of a file, a missing, unreadable or non-file path turned into a one-line error naming it."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def read_json(path: Path) -> Any:
    """Parse a UTF-8 JSON file, turning a missing, unreadable or corrupt file into a one-line error naming it."""
    raw = read_bytes(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}), so not JSON gazebench wrote") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    except (ValueError, RecursionError) as exc:  # a number past Python's digit limit, or nesting past its stack
        raise ConfigError(f"{path}: not valid JSON ({type(exc).__name__}: {str(exc).splitlines()[0]})") from None


RUN_NAME = re.compile(r"__[0-9a-f]{10}$")
"""How a run directory's name ends (`run_dir_name`): its config hash's first 10 hex digits."""


def run_dir_name(model: str, tasks: tuple[str, ...], all_tasks: bool, seed: int, config_hash: str) -> str:
    """`<model>__<tasks>__seed<seed>__<hash[:10]>`, safe as a folder name on every OS."""
    task_part = "all" if all_tasks else "+".join(tasks)
    name = f"{model}__{task_part}__seed{seed}__{config_hash[:10]}"
    return re.sub(r"[^A-Za-z0-9._+@-]", "_", name)


@dataclass(frozen=True)
class RunDir:
    """Paths inside one run directory."""

    path: Path

    @property
    def config(self) -> Path:
        return self.path / "config.json"

    @property
    def provenance(self) -> Path:
        return self.path / "provenance.json"

    @property
    def data_manifest(self) -> Path:
        return self.path / "data_manifest.json"

    @property
    def thresholds(self) -> Path:
        return self.path / "thresholds.json"

    @property
    def results(self) -> Path:
        return self.path / "results.json"

    @property
    def readme(self) -> Path:
        return self.path / README_NAME

    @property
    def started(self) -> bool:
        """Anything at config.json (verification says what is wrong with one that is not a plain file)."""
        return os.path.lexists(self.config)

    @property
    def complete(self) -> bool:
        """Anything at results.json: a finished run (verification refuses one that is not a plain file)."""
        return os.path.lexists(self.results)

    @property
    def scores_dir(self) -> Path:
        return self.path / SCORES_DIR

    def scores(self, file_name: str) -> Path:
        """Where a re-scoring under other scoring options is stored (see ScoringOptions.file_name)."""
        return self.scores_dir / file_name

    def predictions(self, task: str) -> Path:
        return self.path / "predictions" / task

    def validation(self, task: str) -> Path:
        return self.path / "validation" / task

    def load_config(self) -> dict[str, Any]:
        if not self.started:
            raise ConfigError(f"{self.path}: not a gazebench run directory (no config.json)")
        config = read_json(self.config)
        missing = [k for k in RUN_CONFIG_KEYS if not isinstance(config, dict) or k not in config]
        if missing:
            raise ConfigError(f"{self.config}: not a gazebench run config (missing {', '.join(missing)})")
        return dict(config)

    def load_results(self) -> RunResults:
        """results.json, validated (gazebench.results)."""
        from gazebench.results import RunResults

        if not self.complete:
            raise ConfigError(f"{self.path}: run is incomplete (no results.json); rerun it to resume")
        return RunResults.from_json(read_json(self.results), self.results)


class RunLock:
    """An O_EXCL lock file holding the writer's pid; a lock left by a dead process is taken over."""

    def __init__(self, run_dir: Path) -> None:
        self.path = Path(run_dir) / LOCK_NAME

    def __enter__(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                if self._holder_alive():
                    raise GazebenchError(f"{self.path.parent}: another gazebench process (pid {self._holder()}) "
                                         "is writing this run directory; wait for it or kill it") from None
                self.path.unlink(missing_ok=True)
                continue
            with os.fdopen(fd, "w") as fh:
                fh.write(str(os.getpid()))
            return self
        raise GazebenchError(f"{self.path}: could not take the run lock")

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._holder() == os.getpid():
            self.path.unlink(missing_ok=True)

    def _holder(self) -> int | None:
        try:
            return int(self.path.read_text().strip())
        except (OSError, ValueError):
            return None

    def _holder_alive(self) -> bool:
        pid = self._holder()
        if pid is None:
            return True  # being written right now by its creator
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


PACKAGES = ("torch", "transformers", "numpy", "pandas", "scikit-learn", "peft", "safetensors")
"""The libraries whose versions a run records (and the prediction cache keys by): they compute its numbers."""


def enclosing_run(path: Path) -> Path | None:
    """The existing run directory `path` is or lies in (a folder named like one, holding config.json), else None:
    what no command may write into (run directories are immutable; docs/verification.md)."""
    resolved = Path(path).expanduser().resolve()
    for folder in (resolved, *resolved.parents):
        if RUN_NAME.search(folder.name) and RunDir(folder).started:
            return folder
    return None


def read_provenance(run: RunDir) -> dict[str, Any]:
    """provenance.json of a run, checked to be the record `provenance()` writes (a JSON object whose "git" holds
    the commit); a missing or malformed one is a one-line error naming it."""
    if not os.path.lexists(run.provenance):
        raise ConfigError(f"{run.provenance}: not found (every run records the code that made it)")
    record = read_json(run.provenance)
    if not isinstance(record, dict) or not isinstance(record.get("git"), dict) or "commit" not in record["git"]:
        raise ConfigError(f"{run.provenance}: not a gazebench provenance record (no \"git\" commit)")
    return record


def package_versions() -> dict[str, str | None]:
    """The installed version of each of `PACKAGES` (None when absent), read from the package metadata."""
    versions: dict[str, str | None] = {}
    for pkg in PACKAGES:
        try:
            versions[pkg] = version(pkg)
        except PackageNotFoundError:
            versions[pkg] = None
    return versions


def provenance() -> dict[str, Any]:
    """Versions, git commit and dirty flag of the code that produced a run, and the torch thread count in
    effect (it schedules work; it is not hashed): None when torch is not loaded, as in a run whose predictions
    come from the prediction cache (gazebench.engine.prediction_cache); no hostname or user names."""
    import gazebench

    return {
        "gazebench_version": gazebench.__version__,
        "python": platform.python_version(),
        "platform": f"{platform.system()}-{platform.machine()}",
        "packages": package_versions(),
        "git": git_revision(Path(gazebench.__file__).resolve().parent.parent),
        "torch_threads": sys.modules["torch"].get_num_threads() if "torch" in sys.modules else None,
    }


def git_revision(repo: Path) -> dict[str, Any]:
    """{"commit": sha or None, "dirty": bool or None} for the checkout gazebench is imported from."""
    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout if out.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return {"commit": None, "dirty": None}
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit.strip(), "dirty": None if status is None else bool(status.strip())}
