"""Evidence that a run's numbers come from its files: digests of the prediction chunks and a seal over
results.json, recorded at scoring time and rechecked (with the config hash) before any leaderboard,
comparison or table uses the run. What is checked and why: docs/verification.md."""
from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gazebench.engine.config import config_hash
from gazebench.engine.distributed import LAUNCHES_NAME
from gazebench.engine.failures import LOG_NAME
from gazebench.engine.rundir import (
    README_NAME,
    SCORES_DIR,
    RunDir,
    jsonable,
    read_bytes,
    read_json,
    read_provenance,
)
from gazebench.errors import ConfigError
from gazebench.results import MetricValue, RunResults, TaskResult

UNHASHED_CONFIG_KEYS = ("execution", "config_hash")
"""config.json keys outside the hashed payload (see ResolvedConfig.to_json)."""
TRACKS = ("standard", "gaze-at-inference", "privileged")
"""A model's declared track (results["config"]["adapter"]["track"]; absent means "standard")."""
OLDER = ("made by an older gazebench (no evidence/seal); remove this results.json and rerun the run with this "
         "version (its saved predictions are rescored)")
CI_TOLERANCE = 1e-9
REDO = "remove the run directory and rerun it (a fitted model is reused from the cache)"
"""The advice for a finished run whose evidence no longer holds: rerunning into it would only find it finished."""
RUN_FILES = ("config.json", "provenance.json", "data_manifest.json", "thresholds.json", "results.json",
             LAUNCHES_NAME, LOG_NAME, README_NAME)
"""The plain files gazebench writes at the top of a run directory (gazebench.engine.rundir)."""
RUN_FOLDERS = ("predictions", "validation", SCORES_DIR)
"""Its folders: predictions/<task>/, validation/<train task>/ and scores/ hold plain files only."""


def folder_digest(folder: Path) -> str:
    """sha256 over the names and bytes of every file in a predictions folder, in name order."""
    digest = hashlib.sha256()
    for f in sorted(p for p in Path(folder).iterdir() if p.is_file() and not p.name.startswith(".")):
        digest.update(f.name.encode() + b"\0")
        digest.update(hashlib.sha256(read_bytes(f)).digest())
    return digest.hexdigest()


def prediction_digests(run: RunDir, tasks: list[str], train_task: str) -> dict[str, str]:
    """{"predictions/<task>": sha256, "validation/<train task>": sha256} for the folders scoring reads."""
    out = {f"predictions/{t}": folder_digest(run.predictions(t)) for t in tasks if run.predictions(t).is_dir()}
    if run.validation(train_task).is_dir():
        out[f"validation/{train_task}"] = folder_digest(run.validation(train_task))
    return out


def prediction_files(run: RunDir, tasks: list[str], train_task: str) -> dict[str, str]:
    """{"predictions/<task>/<file>": sha256} for every file the folders of `prediction_digests` hold, so a
    refusal names the very chunk that was edited, removed or added."""
    folders = [run.predictions(t) for t in tasks] + [run.validation(train_task)]
    return {str(f.relative_to(run.path)): hashlib.sha256(read_bytes(f)).hexdigest()
            for folder in folders if folder.is_dir()
            for f in sorted(folder.iterdir()) if f.is_file() and not f.name.startswith(".")}


def results_seal(results: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of a results record without its seal (as written to, and read from, disk)."""
    return config_hash(jsonable({k: v for k, v in results.items() if k != "seal"}))


def seal_results(results: Mapping[str, Any]) -> dict[str, Any]:
    """`results` with "seal" set: how scoring writes results.json, so a later hand edit is detectable."""
    return {**{k: v for k, v in results.items() if k != "seal"}, "seal": results_seal(results)}


@dataclass(frozen=True, eq=False)
class VerifiedRun:
    """A complete run directory whose config, results and prediction files were checked to agree."""

    path: Path
    config: dict[str, Any]
    results: RunResults

    @property
    def config_hash(self) -> str:
        return str(self.config["config_hash"])

    @property
    def track(self) -> str:
        """standard, gaze-at-inference or privileged (the model's declared track)."""
        return track_of(self.config)


def track_of(config: Mapping[str, Any]) -> str:
    """The declared track recorded in a run config ("standard" when the adapter declares none)."""
    adapter = config.get("adapter")
    return str(adapter.get("track", "standard")) if isinstance(adapter, Mapping) else "standard"


def verify_run(path: Path | str) -> VerifiedRun:
    """Check a run before its numbers are used; a one-line ConfigError naming the file when anything disagrees."""
    run = RunDir(Path(path))
    config = verify_config(run)
    if not run.complete:
        raise ConfigError(f"{run.path}: run is incomplete (no results.json); rerun it to resume")
    raw = read_json(run.results)
    if not isinstance(raw, dict) or not isinstance(raw.get("results"), dict):
        raise ConfigError(f"{run.results}: not a gazebench results file (no \"results\" mapping)")
    if "seal" not in raw or "evidence" not in raw:
        raise ConfigError(f"{run.results}: {OLDER}")
    if raw["seal"] != results_seal(raw):
        raise ConfigError(f"{run.results}: edited after scoring (its seal does not match its contents)")
    results = RunResults.from_json(raw, run.results)  # checks the schema version and every task's shape
    _check_results(run, config, results)
    _check_provenance(run, config, raw)
    _check_sidecars(run, raw)
    return VerifiedRun(run.path, config, results)


def verify_config(run: RunDir) -> dict[str, Any]:
    """config.json of a run directory, checked against its own hash and the folder name (for an unfinished run
    about to be resumed: an edited setting must not be resumed under the old identity), after its layout."""
    if run.started:
        _check_layout(run)  # before any file is read: a link or a device file must not be followed or read
    config = run.load_config()
    _check_config(run, config)
    _check_prediction_folders(run, config)
    return config


def _walk(folder: Path) -> Iterator[Path]:
    """Every entry under `folder`, in name order, depth first; links and hidden folders are not entered."""
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise ConfigError(f"{folder}: cannot be read ({exc.strerror or exc})") from None
    for entry in entries:
        yield entry
        if entry.is_dir() and not entry.is_symlink() and not entry.name.startswith("."):
            yield from _walk(entry)


def _check_layout(run: RunDir) -> None:
    """A run directory holds only what gazebench writes there, each entry a plain file or a folder where one is
    written, and no symbolic link (a run is immutable and self-contained: a link reads files that change
    elsewhere). Hidden entries (the lock, a temporary file of an atomic write) are never read, so not checked."""
    for entry in _walk(run.path):
        rel = entry.relative_to(run.path).parts
        if entry.is_symlink():
            raise ConfigError(f"{entry}: a symbolic link; a run directory holds its own files (runs are immutable "
                              f"and self-contained); {REDO}")
        if entry.name.startswith("."):
            continue
        folder = rel[0] in RUN_FOLDERS and (len(rel) == 1 or (len(rel) == 2 and rel[0] != SCORES_DIR))
        if len(rel) == 1 and rel[0] not in (*RUN_FILES, *RUN_FOLDERS):
            raise ConfigError(f"{entry}: not a file gazebench writes in a run directory; {REDO}")
        if folder and not entry.is_dir():
            raise ConfigError(f"{entry}: not a folder (gazebench writes a folder here); {REDO}")
        if not folder and not entry.is_file():
            kind = "a folder" if entry.is_dir() else "not a regular file"
            raise ConfigError(f"{entry}: {kind}, where gazebench writes a plain file; {REDO}")


def _check_prediction_folders(run: RunDir, config: dict[str, Any]) -> None:
    """predictions/ holds a folder per task of the run and validation/ one for its train task, nothing else."""
    own = {"predictions": [str(t) for t in config["tasks"]], "validation": [str(config["train_task"])]}
    for top, names in own.items():
        folder = run.path / top
        stray = sorted(p for p in folder.iterdir() if p.name not in names and not p.name.startswith(".")) \
            if folder.is_dir() else []
        if stray:
            raise ConfigError(f"{stray[0]}: not a task of this run (its {top} folders: {', '.join(names)}); "
                              f"the results were not computed from it; {REDO}")


def _check_config(run: RunDir, config: dict[str, Any]) -> None:
    """config.json's recorded hash, its recomputed hash and the directory name's hash suffix all agree."""
    recorded = str(config["config_hash"])
    actual = config_hash({k: v for k, v in config.items() if k not in UNHASHED_CONFIG_KEYS})
    if actual != recorded:
        raise ConfigError(f"{run.config}: edited after the run (its contents hash to {actual[:12]}, "
                          f"recorded config_hash {recorded[:12]}); {REDO}")
    suffix = run.path.name.rpartition("__")[2]
    if suffix != recorded[: len(suffix)] or len(suffix) < 10:
        raise ConfigError(f"{run.path}: directory name does not end in its config hash ({recorded[:10]}); "
                          "renamed, or holds another run's files")
    if track_of(config) not in TRACKS:
        raise ConfigError(f"{run.config}: unknown adapter track {track_of(config)!r} "
                          f"(expected one of {', '.join(TRACKS)})")


def _check_results(run: RunDir, config: dict[str, Any], results: RunResults) -> None:
    """Made from this config.json, from these prediction files, and internally consistent."""
    where = run.results
    if results.config_hash != config["config_hash"]:
        raise ConfigError(f"{where}: config_hash {results.config_hash[:12]} is not config.json's "
                          f"{str(config['config_hash'])[:12]}")
    if dict(results.config) != config:
        keys = sorted(k for k in {*config, *results.config} if config.get(k) != results.config.get(k))
        raise ConfigError(f"{where}: its config differs from {run.config.name} ({', '.join(keys)})")
    _check_evidence(run, config, results.evidence)
    for task, block in results.tasks.items():
        _check_task(where, task, block)


def _check_evidence(run: RunDir, config: dict[str, Any], evidence: object) -> None:
    """The prediction folders on disk are byte for byte those scored (no file edited, added, removed, renamed)."""
    if not isinstance(evidence, dict) or evidence.get("config_hash") != config.get("config_hash") \
            or not isinstance(evidence.get("prediction_digests"), dict):
        raise ConfigError(f"{run.results}: \"evidence\" does not hold this run's config hash and folder digests")
    if isinstance(evidence.get("prediction_files"), dict):
        _check_files(run, evidence["prediction_files"],
                     prediction_files(run, list(config["tasks"]), str(config["train_task"])))
    scored = evidence["prediction_digests"]
    now = prediction_digests(run, list(config["tasks"]), str(config["train_task"]))
    for key in sorted({*scored, *now}):
        if key not in now:
            raise ConfigError(f"{run.path / key}: scored, but now missing")
        if key not in scored:
            raise ConfigError(f"{run.path / key}: holds predictions the results were not computed from")
        if scored[key] != now[key]:
            raise ConfigError(f"{run.path / key}: prediction files changed since scoring (a chunk or saliency "
                              f"sidecar was edited, truncated, added, removed or renamed); {REDO}")


def _check_files(run: RunDir, scored: dict[str, str], now: dict[str, str]) -> None:
    """Each prediction file on disk is one scored, unchanged; the first that is not is named."""
    for key in sorted({*scored, *now}):
        if key not in now:
            raise ConfigError(f"{run.path / key}: scored, but now missing; {REDO}")
        if key not in scored:
            raise ConfigError(f"{run.path / key}: not among the prediction files the results were computed from; "
                              f"{REDO}")
        if scored[key] != now[key]:
            raise ConfigError(f"{run.path / key}: edited since scoring (its sha256 is not the one scored); {REDO}")


def _check_provenance(run: RunDir, config: dict[str, Any], results: dict[str, Any]) -> None:
    """provenance.json is there and records the code the results claim: the git commit results.json was scored
    under, and predictions restored from the prediction cache of this run's config hash only."""
    record = read_provenance(run)
    commit = record["git"]["commit"]
    if commit != results.get("git_hash"):
        raise ConfigError(f"{run.provenance}: records git commit {commit}, but results.json was scored under "
                          f"{results.get('git_hash')}; {REDO}")
    cached = record.get("predictions_from_cache")
    if cached is not None and (not isinstance(cached, dict) or cached.get("config_hash") != config["config_hash"]):
        raise ConfigError(f"{run.provenance}: its predictions_from_cache does not name this run's config hash "
                          f"{str(config['config_hash'])[:12]}; {REDO}")


def _check_sidecars(run: RunDir, results: dict[str, Any]) -> None:
    """thresholds.json is the one results.json (`results`, its JSON as read) records, and every re-scoring under
    scores/ is sealed, made from this config and from the same prediction files (a hand-edited scores file is
    refused like results.json)."""
    if os.path.lexists(run.thresholds) and read_json(run.thresholds) != results.get("thresholds"):
        raise ConfigError(f"{run.thresholds}: differs from the thresholds results.json was scored with")
    launches = run.path / LAUNCHES_NAME
    if "launches" in results and (os.path.lexists(launches) or results["launches"]) \
            and (read_json(launches) if os.path.lexists(launches) else None) != results["launches"]:
        raise ConfigError(f"{launches}: differs from the launches results.json records")
    if not run.scores_dir.is_dir():
        return
    for path in sorted(p for p in run.scores_dir.iterdir() if not p.name.startswith(".")):
        scores = read_json(path) if path.suffix == ".json" and path.is_file() else None
        if not isinstance(scores, dict) or not isinstance(scores.get("results"), dict):
            raise ConfigError(f"{path}: not a gazebench re-scoring (scores/ holds only files `gazebench score` wrote)")
        if scores.get("seal") != results_seal(scores):
            raise ConfigError(f"{path}: edited after scoring (its seal does not match its contents)")
        if any(scores.get(k) != results.get(k) for k in ("config", "evidence", "git_hash")):
            raise ConfigError(f"{path}: not made from this run's config.json, prediction files and code")
        for task, block in RunResults.from_json(scores, path).tasks.items():  # its schema and each task's shape
            _check_task(path, task, block)


def _check_task(where: Path, name: str, result: TaskResult) -> None:
    """Each point estimate lies within its CI (in every block and slice), and the kind's own consistency check
    (classification: each macro value is the mean of its per-label values) holds."""
    from gazebench.engine.kinds import KINDS
    from gazebench.errors import RegistryError

    groups: list[tuple[str, Mapping[str, MetricValue]]] = [(name, result.metrics)]
    groups += [(f"{name}/{key}", block.metrics) for key, block in result.blocks.items()]
    for metrics_of, metrics in groups:
        for stat, m in metrics.items():
            lo, hi = m.ci
            if m.value is not None and lo is not None and hi is not None \
                    and not lo - CI_TOLERANCE <= m.value <= hi + CI_TOLERANCE:
                raise ConfigError(f"{where}: {metrics_of} {stat} {m.value:.4f} lies outside its CI "
                                  f"[{lo:.4f}, {hi:.4f}]")
    try:
        kind = KINDS.create(result.kind)
    except RegistryError as exc:
        raise ConfigError(f"{where}: task {name!r}: {exc}") from None
    kind.check_result(result, f"{where}: {name}")


def _finite(value: object) -> float | None:
    """A finite float, or None for a missing, null or non-numeric value."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


@dataclass(frozen=True, eq=False)
class VerifiedRuns:
    """Runs that passed verification (one per config hash), refusals and duplicate notices, in path order."""

    runs: tuple[VerifiedRun, ...]
    refused: tuple[tuple[Path, str], ...]
    """(run directory, the one-line reason)."""
    duplicates: tuple[str, ...]
    """One line per directory left out because an earlier one has the same config hash."""


def verify_runs(paths: Iterable[Path]) -> VerifiedRuns:
    """Verify each run directory (sorted by path); the first of several with the same config hash is kept."""
    kept: dict[str, VerifiedRun] = {}
    refused, duplicates = [], []
    for path in sorted(Path(p) for p in paths):
        try:
            run = verify_run(path)
        except ConfigError as exc:
            refused.append((path, str(exc)))
            continue
        first = kept.setdefault(run.config_hash, run)
        if first is not run:
            duplicates.append(f"{first.path.name} and {run.path.name} hold the same run (config hash "
                              f"{run.config_hash[:12]}); only {first.path.name} is used")
    return VerifiedRuns(tuple(kept.values()), tuple(refused), tuple(duplicates))
