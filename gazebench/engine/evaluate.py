"""`evaluate(config)`: the Python API behind `gazebench run` — fit (cached), predict (resumable), score.

Nothing here knows a specific model: the adapter's InputSpec decides the inputs, its `trainable`
flag decides whether it is fitted (always on the in-domain task), and the device policy is uniform.
A finished run asked for under other scoring options is re-scored from its saved predictions: the
adapter is constructed (its description is part of the run identity) but never moved, fitted or called.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import torch
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from gazebench.adapter import MODELS, Adapter, FitContext
from gazebench.engine.config import ResolvedConfig, RunConfig
from gazebench.engine.distributed import Ranks, start
from gazebench.engine.fit import load_or_fit, run_fingerprint, weights_digests
from gazebench.engine.kinds import OUTPUT_NOTE, itemless_tasks, prediction_inputs, unsupported_tasks
from gazebench.engine.loader import shuffled_batches
from gazebench.engine.predict import batch_plan, pending, predict_samples
from gazebench.engine.rundir import (
    RunDir,
    RunLock,
    atomic_write_json,
    atomic_write_text,
    check_output_dir,
    provenance,
    run_dir_name,
)
from gazebench.engine.scoring import primary_scoring, score_run, store_scores
from gazebench.engine.transforms import InputTransform, input_transform
from gazebench.engine.workload import TaskData, load_task_data, tasks_to_load
from gazebench.errors import ConfigError
from gazebench.options import options_of
from gazebench.records import Sample
from gazebench.runtime import default_batch_size, resolve_device, resolve_precision, torch_threads
from gazebench.task import Task, default_task_names, get_task


@dataclass(frozen=True, eq=False)
class RunOutcome:
    """Where a run lives and what it found: its results JSON and whether work was reused."""

    run_dir: Path
    results: dict[str, Any]
    already_complete: bool = False
    reused_checkpoint: bool | None = None
    """None for models that are not fitted."""
    predicted: int = 0
    """Images predicted by this call (0 when everything was on disk already)."""
    scores_file: Path | None = None
    """Set when a finished run was re-scored under other scoring options: where those results were stored."""
    writer: bool = True
    """False on the ranks other than 0 of a launched run: they read rank 0's results and print nothing."""


def build_adapter(config: RunConfig) -> Adapter:
    """Instantiate the model after checking its `--model-arg` options against its declaration (before any data
    is read or model time spent); a factory that takes `seed` receives the run's seed unless given one."""
    factory = MODELS.get(config.model)
    declared = options_of(factory)
    kwargs = declared.parse(config.model_kwargs, config.model) if declared is not None else config.model_kwargs
    try:
        params = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        params = {}  # type: ignore[assignment]
    if "seed" in params and "seed" not in kwargs:
        kwargs["seed"] = config.seed
    try:
        adapter = factory(**kwargs)
    except TypeError as exc:
        raise ConfigError(f"model {config.model!r} does not accept these arguments: {exc}") from None
    if not isinstance(adapter, Adapter):
        raise ConfigError(f"model {config.model!r} is registered by a factory that returned {type(adapter).__name__}, "
                          "not a gazebench Adapter")
    return adapter


def canonical_options(config: RunConfig) -> RunConfig:
    """`config` with its `--model-arg` values as the model's declared options parse them, so `epochs=3` and
    `epochs="3"` are one run identity (undeclared plugin options are kept as given)."""
    declared = options_of(MODELS.get(config.model))
    if declared is None:
        return config
    return replace(config, model_args=tuple(sorted(declared.parse(config.model_kwargs, config.model).items())))


def describe_adapter(adapter: Adapter) -> dict[str, Any]:
    """JSON-ready identity of a model: class, config, input contract, track (what predict sees), provenance."""
    spec = asdict(adapter.spec)
    return {"class": f"{type(adapter).__module__}.{type(adapter).__qualname__}", "config": adapter.config(),
            "trainable": adapter.trainable, "track": adapter.spec.track,
            "spec": {k: list(v) if isinstance(v, tuple) else v for k, v in spec.items()},
            "provenance": asdict(adapter.provenance)}


def resolve(config: RunConfig, adapter: Adapter, data: dict[str, TaskData], device: torch.device,
            unsupported: dict[str, str] | None = None) -> ResolvedConfig:
    """Attach everything that decides the numbers, so it is hashed and recorded: adapter, task versions, data
    manifests, the content digests of local weights, device kind, resolved precision, and the asked-for tasks
    skipped because the model does not answer their kind (with the reason)."""
    import gazebench

    facts: dict[str, Any] = {
        "adapter": describe_adapter(adapter),
        "task_versions": {n: td.task.version for n, td in data.items()},
        "data_sha256": {n: td.sha for n, td in data.items()},
        "weights_sha256": weights_digests(adapter),
        "device_kind": device.type,
        "precision": resolve_precision(config.precision, device),
        "gazebench_version": gazebench.__version__,
    }
    if unsupported:
        facts["unsupported_tasks"] = dict(unsupported)
    if adapter.trainable:
        facts["fit_fingerprint"] = run_fingerprint(config, adapter, data[config.train_task].sha, device)
    return ResolvedConfig(run=config, facts=facts)


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
    """Every task and the in-domain train task exist, and the model predicts every label they score."""
    train = get_task(config.train_task)
    if not train.in_domain or train.train_split is None or train.val_split is None:
        raise ConfigError(f"--train-task {config.train_task!r} is not an in-domain task with train and validate splits")
    scored = list(config.tasks) + ([config.train_task] if config.threshold_policy != "fixed" else [])
    for name in (n for n in scored if get_task(n).kind == "classification"):
        missing = [label for label in get_task(name).labels if label not in adapter.spec.labels]
        if missing:
            raise ConfigError(f"model {config.model!r} does not predict {', '.join(missing)}, "
                              f"which task {name!r} scores (or tunes thresholds on)")


def evaluate(config: RunConfig, *, output_dir: Path | str = "runs", data_root: Path | str | None = None,
             console: Console | None = None) -> RunOutcome:
    """Run `config` into `<output_dir>/<run name>/`, resuming a partial run and reusing a fitted model. Under
    `accelerate launch` / `torchrun` every rank calls this: rank 0 owns the run directory (lock, header,
    merging, scoring), every rank fits (DDP) and predicts its own shard, and the others return rank 0's results."""
    from gazebench.data_root import data_root as resolve_root

    check_output_dir(output_dir)
    config = canonical_options(config)
    adapter = build_adapter(config)
    ranks, device = start(resolve_device(config.device))
    console = console or Console(stderr=True, quiet=not ranks.main)
    all_tasks = set(config.tasks) == set(default_task_names())
    config, unsupported = skip_tasks(config, unsupported_tasks(config.tasks, adapter.spec.kinds), console)
    check_tasks(config, adapter)
    probe = input_transform(config.input_transform, config.seed, adapter.spec)
    root = resolve_root(data_root)
    names = tasks_to_load(config.tasks, config.train_task, root, trainable=adapter.trainable,
                          tuned=config.scoring.tuned)
    data = load_task_data(names, root, config.limit)
    config, itemless = skip_tasks(config, itemless_tasks(config.tasks, data, adapter.spec.image_size), console)
    unsupported |= itemless
    resolved = resolve(config, adapter, data, device, unsupported)
    run = RunDir(Path(output_dir) / run_dir_name(config.model, config.tasks, all_tasks, config.seed,
                                                 resolved.config_hash))
    batch_size = config.batch_size or default_batch_size(device)
    with ExitStack() as held, torch_threads(config.threads):
        # rank 0 alone takes the lock and writes the header (or finds the run finished); the others follow its word
        if ranks.from_main(lambda: _claim(run, held, resolved, data, batch_size, data_root)):
            if ranks.main:
                outcome = finished(run, data, config, console)
            ranks.barrier()
            return outcome if ranks.main else RunOutcome(run.path, run.load_results(), already_complete=True,
                                                         writer=False)
        torch.manual_seed(config.seed)
        adapter.to(device)
        reused = None
        train = data.get(config.train_task)
        if adapter.trainable and train is not None:
            def make_context(workdir: Path) -> FitContext:
                return fit_context(adapter, train, device, config, batch_size, workdir, console)

            reused = fit_on_every_rank(adapter, resolved.facts["fit_fingerprint"], make_context, console.print, ranks)
        jobs: list[tuple[str, Task, tuple[Sample, ...], Path, InputTransform | None]] = []
        if train is not None and "classification" in adapter.spec.kinds:
            jobs.append((f"{train.task.name} {train.task.val_split}", train.task, train.val_samples,
                         run.validation(train.task.name), None))
        jobs += [(name, data[name].task, probe.samples(data[name].eval_samples) if probe
                  else data[name].eval_samples, run.predictions(name), probe) for name in config.tasks]
        shards = []
        for label, task, samples, folder, transform in jobs:
            items, kind, queries = prediction_inputs(task, samples, adapter.spec.image_size)
            todo = ranks.shard(batch_plan(pending(items, folder), batch_size, config.chunk_size))
            shards.append((label, todo, folder, kind, queries, transform.pixels if transform else None))
        ranks.barrier()  # every rank has read what is on disk before any rank writes a new chunk
        predicted = 0
        with _progress(console) as bar:
            for label, todo, folder, kind, queries, pixel_transform in shards:
                task_id = bar.add_task(label if ranks.world == 1 else f"{label} (rank 0 of {ranks.world})",
                                       total=sum(len(g) for g in todo))
                predicted += predict_samples(adapter, todo, folder, chunk_size=config.chunk_size, device=device,
                                             precision=resolved.facts["precision"],
                                             progress=partial(bar.advance, task_id), ranks=ranks, kind=kind,
                                             queries=queries, transform=pixel_transform)
        ranks.barrier()  # every shard is on disk
        if ranks.main:
            if any(data[name].task.kind != "classification" for name in config.tasks):
                atomic_write_text(run.path / "README.md", OUTPUT_NOTE + "\n")
            results = score_run(run, data, config.scoring)
            atomic_write_json(run.thresholds, results["thresholds"])
            atomic_write_json(run.results, results)
    ranks.barrier()  # results.json is written and the lock released
    if not ranks.main:
        return RunOutcome(run.path, run.load_results(), reused_checkpoint=reused, predicted=predicted, writer=False)
    console.print(f"[green]wrote[/] {run.results}")
    return RunOutcome(run.path, results, reused_checkpoint=reused, predicted=predicted)


def fit_on_every_rank(adapter: Adapter, fp: str, make_context: Callable[[Path], FitContext],
                      log: Callable[[str], None], ranks: Ranks) -> bool:
    """`load_or_fit` on every rank (a launched fit is DDP); after a launched fit every rank reloads the cached
    checkpoint: each rank cached its replica and the first rename won, and replicas can differ (BatchNorm
    statistics of each rank's last batch), so every rank predicts with the weights a later run reuses."""
    reused = load_or_fit(adapter, fp, make_context, log)
    if ranks.world > 1 and not reused:
        ranks.barrier()
        load_or_fit(adapter, fp, make_context, lambda _: None)
    return reused


def _claim(run: RunDir, held: ExitStack, resolved: ResolvedConfig, data: dict[str, TaskData], batch_size: int,
           data_root: Path | str | None) -> bool:
    """True when the run is finished already; else take its lock (held until `held` closes) and write its header."""
    if run.complete:
        return True
    held.enter_context(RunLock(run.path))
    if run.complete:  # finished by another process between the check and the lock
        return True
    _write_header(run, resolved, data, batch_size, data_root)
    return False


def finished(run: RunDir, data: dict[str, TaskData], config: RunConfig, console: Console) -> RunOutcome:
    """A finished run: its own results under the same scoring options, else a re-scoring of its saved
    predictions (no model forward) stored under scores/, leaving results.json as it is."""
    if primary_scoring(run) == config.scoring:
        console.print(f"[green]complete already:[/] {run.path}")
        return RunOutcome(run.path, run.load_results(), already_complete=True)
    results = score_run(run, data, config.scoring)
    stored = store_scores(run, results)
    console.print(f"[green]complete already; re-scored from saved predictions (no model forward):[/] {stored}")
    return RunOutcome(run.path, results, already_complete=True, scores_file=stored)


def _write_header(run: RunDir, resolved: ResolvedConfig, data: dict[str, TaskData], batch_size: int,
                  data_root: Path | str | None) -> None:
    """config.json, provenance.json and data_manifest.json; an existing run must have the same hash."""
    if run.config.is_file():
        existing = run.load_config().get("config_hash")
        if existing != resolved.config_hash:
            raise ConfigError(f"{run.path}: holds a run with config hash {existing}, not {resolved.config_hash}")
        return
    execution = {"batch_size": batch_size,
                 "data_root": str(Path(data_root).expanduser().resolve()) if data_root else None}
    atomic_write_json(run.config, resolved.to_json(execution))
    atomic_write_json(run.provenance, provenance())
    atomic_write_json(run.data_manifest, {n: td.manifest for n, td in data.items()})


def fit_context(adapter: Adapter, train: TaskData, device: torch.device, config: RunConfig, batch_size: int,
                workdir: Path, console: Console) -> FitContext:
    """What `adapter.fit` is given: the in-domain train/validate samples and a seeded batch factory."""
    return FitContext(task=train.task, train=train.train_samples, val=train.dataset.split(train.task.val_split or ""),
                      batches=shuffled_batches(config.seed, adapter.spec, device), device=device, seed=config.seed,
                      workdir=workdir, batch_size=batch_size, log=console.print,
                      precision=resolve_precision(config.precision, device))


@contextmanager
def _progress(console: Console) -> Iterator[Progress]:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False, disable=not console.is_terminal) as bar:
        yield bar

