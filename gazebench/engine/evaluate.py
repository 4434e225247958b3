"""`evaluate(config)`: the Python API behind `gazebench run` — fit (cached), predict (resumable), score.

Nothing here knows a specific model: the model session (gazebench.engine.session) builds, fits and calls it,
the adapter's InputSpec decides the inputs, its `trainable` flag decides whether it is fitted (always on the
in-domain task), its kind methods which tasks it answers, and the device policy is uniform.
A finished run asked for under other scoring options is re-scored from its saved predictions: the
adapter is constructed (its description is part of the run identity) but never moved, fitted or called; a
finished run under its own scoring options imports no torch of the engine's and reads no dataset (the data's
manifest, skips and item counts come from gazebench.engine.manifest_cache when its files are unchanged).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from gazebench.adapter import Adapter, Query
from gazebench.engine import prediction_cache
from gazebench.engine.config import ResolvedConfig, RunConfig
from gazebench.engine.distributed import record_launch
from gazebench.engine.failures import logged_failure
from gazebench.engine.fit import run_fingerprint, weight_locations, weights_digests
from gazebench.engine.kinds import OUTPUT_NOTE, Kind, kind_of, task_items, unsupported_tasks
from gazebench.engine.loader import Group, PixelTransform
from gazebench.engine.predict import batch_plan, pending
from gazebench.engine.prediction_cache import Restored
from gazebench.engine.rundir import (
    RunDir,
    RunLock,
    atomic_write_json,
    atomic_write_text,
    provenance,
    read_provenance,
    run_dir_name,
)
from gazebench.engine.scoring import primary_scoring, score_run, store_scores
from gazebench.engine.session import Session, describe_adapter
from gazebench.engine.transforms import InputTransform, input_transform
from gazebench.engine.verify import verify_config, verify_run
from gazebench.engine.workload import (
    TaskData,
    itemless_tasks,
    load_task_data,
    tasks_to_load,
    with_current_skips,
    with_facts,
)
from gazebench.engine.writable import check_out_dir
from gazebench.errors import ConfigError
from gazebench.records import Sample
from gazebench.results import RunResults
from gazebench.runtime import device_type, resolve_precision, torch_threads
from gazebench.task import Task, default_task_names, get_task

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True, eq=False)
class RunOutcome:
    """Where a run lives and what it found: its results JSON and whether work was reused."""

    run_dir: Path
    results: RunResults
    already_complete: bool = False
    reused_checkpoint: bool | None = None
    """None for models that are not fitted, and when nothing was left to predict (no model was needed)."""
    predicted: int = 0
    """Images predicted by this call (0 when everything was on disk already)."""
    reused_predictions: Restored | None = None
    """Set when the predictions were copied from the prediction cache (the same identity run elsewhere)."""
    scores_file: Path | None = None
    """Set when a finished run was re-scored under other scoring options: where those results were stored."""
    writer: bool = True
    """False on the ranks other than 0 of a launched run: they read rank 0's results and print nothing."""


def resolve(config: RunConfig, adapter: Adapter, data: dict[str, TaskData], device: torch.device | str,
            unsupported: dict[str, str] | None = None) -> ResolvedConfig:
    """Attach everything that decides the numbers, so it is hashed and recorded: adapter, task versions, data
    manifests, the content digests of local weights, device kind (of `device`: a torch device or its name),
    resolved precision, and the asked-for tasks skipped because the model does not answer their kind (with the
    reason)."""
    import gazebench

    facts: dict[str, Any] = {
        "adapter": describe_adapter(adapter),
        "task_versions": {n: td.task.version for n, td in data.items()},
        "data_sha256": {n: td.sha for n, td in data.items()},
        "weights_sha256": weights_digests(adapter),
        "device_kind": device_type(device),
        "precision": resolve_precision(config.precision, device),
        "gazebench_version": gazebench.__version__,
    }
    if unsupported:
        facts["unsupported_tasks"] = dict(unsupported)
    if adapter.trainable:
        facts["fit_fingerprint"] = run_fingerprint(config, adapter, data[config.train_task].sha, device)
    return ResolvedConfig(run=config, facts=facts, weights=weight_locations(adapter))


def skip_tasks(config: RunConfig, unsupported: dict[str, str], console: Console) -> tuple[RunConfig, dict[str, str]]:
    """`config` without the `unsupported` tasks, each skip printed on one line with its reason (recorded in
    config.json and results.json); none left is a one-line error."""
    for name, reason in unsupported.items():
        console.print(f"[yellow]skipped[/] task {name} for model {config.model}: {reason}")
    kept = tuple(n for n in config.tasks if n not in unsupported)
    if not kept:
        raise ConfigError(f"model {config.model!r} can run none of the tasks asked for: "
                          + "; ".join(f"{k}: {v}" for k, v in unsupported.items()))
    return replace(config, tasks=kept), unsupported


def check_tasks(config: RunConfig, adapter: Adapter) -> None:
    """Every task and the in-domain train task exist, and the model can answer every task it is scored on (its
    kind's check: e.g. every label a classification task scores or tunes thresholds on)."""
    train = get_task(config.train_task)
    if not train.in_domain or train.train_split is None or train.val_split is None:
        raise ConfigError(f"--train-task {config.train_task!r} is not an in-domain task with train and validate splits")
    scored = list(config.tasks) + ([config.train_task] if config.threshold_policy != "fixed" else [])
    for task in (get_task(n) for n in scored):
        kind = kind_of(task)
        if kind.answers(adapter):
            kind.check_model(task, adapter, config.model)


def evaluate(config: RunConfig, *, output_dir: Path | str = "runs", data_root: Path | str | None = None,
             console: Console | None = None, reuse_predictions: bool = True) -> RunOutcome:
    """Run `config` into `<output_dir>/<run name>/`, resuming a partial run and reusing a fitted model and (unless
    `reuse_predictions` is False) the cached predictions of a run of the same identity elsewhere. Under
    `accelerate launch` / `torchrun` every rank calls this: rank 0 owns the run directory (lock, header,
    merging, scoring), every rank fits (DDP) and predicts its own shard, and the others return rank 0's results."""
    from gazebench.data_root import data_root as resolve_root

    check_out_dir(output_dir, "--output-dir")
    session = Session.open(config, console=console)
    config, adapter, ranks = session.config, session.adapter, session.ranks
    console = console or Console(stderr=True, quiet=not ranks.main)
    all_tasks = set(config.tasks) == set(default_task_names())
    config, unsupported = skip_tasks(config, unsupported_tasks(config.tasks, adapter), console)
    check_tasks(config, adapter)
    probe = input_transform(config.input_transform, config.seed, adapter.spec)
    root = resolve_root(data_root)
    names = tasks_to_load(config.tasks, config.train_task, root, trainable=adapter.trainable,
                          tuned=config.scoring.tuned)
    data = with_facts(load_task_data(names, root, config.limit), root)
    config, itemless = skip_tasks(config, itemless_tasks(config.tasks, data, adapter.spec.image_size), console)
    session.config = config
    unsupported |= itemless
    resolved = resolve(config, adapter, data, session.device_name, unsupported)
    run = RunDir(Path(output_dir) / run_dir_name(config.model, config.tasks, all_tasks, config.seed,
                                                 resolved.config_hash))
    with ExitStack() as held:
        # rank 0 alone takes the lock and writes the header (or finds the run finished); the others follow its word
        code = prediction_cache.predictor_digest(type(adapter))  # the code and libraries that make the predictions
        log = console.print if reuse_predictions and code is not None else None
        claim = ranks.from_main(lambda: _claim(run, held, resolved, data, session.batch_size, data_root,
                                               config.threads, code or "", log))
        if code is None and not claim.finished:
            console.print(f"[dim]predictions of {config.model} are neither reused nor kept in the prediction cache: "
                          f"its class {type(adapter).__qualname__} has no source file to digest[/]")
        if claim.finished:
            if ranks.main:
                outcome = finished(run, data, config, console)
            ranks.barrier()
            return outcome if ranks.main else RunOutcome(run.path, run.load_results(), already_complete=True,
                                                         writer=False)
        if not ranks.main:  # rank 0 set it in `_claim`, before writing the provenance that records it
            held.enter_context(torch_threads(config.threads))
        record_launch(run.path, ranks)  # launcher, world size and hosts: recorded, not hashed
        train = data.get(config.train_task)
        jobs: list[tuple[str, Task, tuple[Sample, ...], Path, InputTransform | None]] = []
        if train is not None and kind_of(train.task).answers(adapter):  # its predictions tune the thresholds
            jobs.append((f"{train.task.name} {train.task.val_split}", train.task, train.val_samples,
                         run.validation(train.task.name), None))
        jobs += [(name, data[name].task, probe.samples(data[name].eval_samples) if probe
                  else data[name].eval_samples, run.predictions(name), probe) for name in config.tasks]
        shards: list[tuple[str, list[Group], Path, Kind, dict[str, Query], PixelTransform | None]] = []
        left = 0  # batches still to predict, over every rank: the same count on each
        for label, task, samples, folder, transform in jobs:
            items = task_items(task, samples, adapter.spec.image_size)
            plan = batch_plan(pending(items.samples, folder), session.batch_size, config.chunk_size)
            left += len(plan)
            shards.append((label, ranks.shard(plan), folder, kind_of(task), items.queries,
                           transform.pixels if transform else None))
        ranks.barrier()  # every rank has read what is on disk before any rank writes a new chunk
        # nothing left to predict (a run resumed after its last chunk, or restored from the prediction cache)
        # needs no model on the device; `left` is the same on every rank, so all ranks fit or none (DDP)
        reused = session.prepare(train, fingerprint=resolved.facts.get("fit_fingerprint")) if left else None
        predicted = 0
        with _progress(console) as bar:
            for label, todo, folder, kind, queries, pixel_transform in shards:
                if not todo:  # all on disk already (or another rank's share): no model call, no torch
                    continue
                task_id = bar.add_task(label if ranks.world == 1 else f"{label} (rank 0 of {ranks.world})",
                                       total=sum(len(g) for g in todo))
                with logged_failure(run.path, config.model, label):
                    predicted += session.predict(kind, todo, folder, queries=queries,
                                                 progress=partial(bar.advance, task_id), transform=pixel_transform)
        ranks.barrier()  # every shard is on disk
        if ranks.main:
            if any(kind_of(data[name].task).model_text for name in config.tasks):
                atomic_write_text(run.readme, OUTPUT_NOTE + "\n")
            results = score_run(run, data, config.scoring)
            atomic_write_json(run.thresholds, dict(results.thresholds))
            atomic_write_json(run.results, results.to_json())
            if code is not None:
                _keep_predictions(run, results, code, console)
    ranks.barrier()  # results.json is written and the lock released
    if not ranks.main:
        return RunOutcome(run.path, run.load_results(), reused_checkpoint=reused, predicted=predicted,
                          reused_predictions=claim.restored, writer=False)
    console.print(f"[green]wrote[/] {run.results}")
    return RunOutcome(run.path, results, reused_checkpoint=reused, predicted=predicted,
                      reused_predictions=claim.restored)


@dataclass(frozen=True)
class Claim:
    """What rank 0 found when it claimed the run directory (handed to every rank)."""

    finished: bool
    restored: Restored | None = None
    """Set when a new run's predictions were copied from the prediction cache (gazebench.engine.prediction_cache)."""


def _claim(run: RunDir, held: ExitStack, resolved: ResolvedConfig, data: dict[str, TaskData], batch_size: int,
           data_root: Path | str | None, threads: int | None, code: str, log: Callable[[str], None] | None) -> Claim:
    """Finished when the run is finished already; else take its lock and set the torch thread count (both held
    until `held` closes), write its header and, into a run with no prediction yet, copy the predictions cached
    under its config hash by the code of digest `code` (recorded in provenance.json and said through `log`; no
    `log`: never)."""
    if run.complete:
        return Claim(finished=True)
    held.enter_context(RunLock(run.path))
    if run.complete:  # finished by another process between the check and the lock
        return Claim(finished=True)
    cached = log is not None and prediction_cache.ready(run, resolved.config_hash, code, log)
    if threads is not None or not cached:  # predictions from the cache need no torch (and its import)
        held.enter_context(torch_threads(threads))
    _write_header(run, resolved, data, batch_size, data_root)
    if not cached or log is None:
        return Claim(finished=False)
    restored = prediction_cache.restore(run, resolved.config_hash, code, log)
    if restored is None:  # a damaged entry: the model predicts after all
        if threads is None:
            count = held.enter_context(torch_threads(threads))
            atomic_write_json(run.provenance, {**read_provenance(run), "torch_threads": count})
        return Claim(finished=False)
    atomic_write_json(run.provenance, {**read_provenance(run), "predictions_from_cache": asdict(restored)})
    log(f"[green]reused the predictions of this run's identity[/] ({restored.files} files, config hash "
        f"{restored.config_hash[:10]}, each checked against its digest) from "
        f"{prediction_cache.entry_dir(restored.config_hash, code)}: no model call")
    return Claim(finished=False, restored=restored)


def _keep_predictions(run: RunDir, results: RunResults, code: str, console: Console) -> None:
    """Store a finished run's prediction files in the prediction cache under its config hash and `code`; a cache that
    cannot be written is said in one line and the run stays as it is (its results are written already)."""
    files = results.evidence.get("prediction_files")
    config_hash = results.evidence.get("config_hash")
    if not isinstance(files, dict) or not isinstance(config_hash, str):
        return
    try:
        prediction_cache.store(run, config_hash, code, files)
    except OSError as exc:
        console.print(f"[yellow]predictions not kept in the cache[/] ({exc.strerror or exc}): a run of the same "
                      "identity into another folder will predict again")


def finished(run: RunDir, data: dict[str, TaskData], config: RunConfig, console: Console) -> RunOutcome:
    """A finished run: its own results under the same scoring options, else a re-scoring of its saved
    predictions (no model forward) stored under scores/, leaving results.json as it is; verified first, so an
    edited or incomplete run is refused, never shown complete."""
    verify_run(run.path)
    if primary_scoring(run) == config.scoring:
        console.print(f"[green]complete already:[/] {run.path}")
        return RunOutcome(run.path, with_current_skips(run.load_results(), data), already_complete=True)
    with torch_threads(config.threads):  # a model-based report metric may run on torch
        results = score_run(run, data, config.scoring)
    stored = store_scores(run, results)
    console.print(f"[green]complete already; re-scored from saved predictions (no model forward):[/] {stored}")
    return RunOutcome(run.path, results, already_complete=True, scores_file=stored)


def _write_header(run: RunDir, resolved: ResolvedConfig, data: dict[str, TaskData], batch_size: int,
                  data_root: Path | str | None) -> None:
    """config.json, provenance.json and data_manifest.json; an existing run must have the same hash."""
    if run.started:
        existing = verify_config(run).get("config_hash")
        if existing != resolved.config_hash:
            raise ConfigError(f"{run.path}: holds a run with config hash {existing}, not {resolved.config_hash}")
        return
    execution = {"batch_size": batch_size,
                 "data_root": str(Path(data_root).expanduser().resolve()) if data_root else None}
    atomic_write_json(run.config, resolved.to_json(execution))
    atomic_write_json(run.provenance, provenance())
    atomic_write_json(run.data_manifest, {n: td.manifest for n, td in data.items()})


@contextmanager
def _progress(console: Console) -> Iterator[Progress]:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False, disable=not console.is_terminal) as bar:
        yield bar

