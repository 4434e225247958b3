"""One model session: build the model from a RunConfig (its `--model-arg` options checked), place it on the run's
device, check it can answer the tasks asked, fit it on the in-domain train task or restore the cached fit, then
predict any task's items through the task kind's model method. `evaluate` (gazebench run), the lm-eval bridge,
`probe` (through evaluate) and the paper runner all prepare and predict through it, so a model is built,
fitted and called one way. Opening a session imports no torch of its own (the device is held by name until
something runs on it), so a finished run that only reads its run directory never loads torch for the engine."""
from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from gazebench.adapter import MODELS, Adapter, FitContext
from gazebench.engine.config import RunConfig
from gazebench.engine.distributed import ONE_PROCESS, Ranks, start
from gazebench.engine.fit import load_or_fit, run_fingerprint
from gazebench.engine.kinds import ItemSet, Kind, kind_of
from gazebench.engine.loader import Group, PixelTransform, predict_batches, shuffled_batches
from gazebench.engine.memory import check_fits
from gazebench.engine.predict import Progress, predict_samples
from gazebench.engine.workload import TaskData
from gazebench.errors import ConfigError
from gazebench.options import options_of
from gazebench.outputs import Output
from gazebench.runtime import default_batch_size, device_kind, device_type, inference, resolve_precision
from gazebench.task import Task

if TYPE_CHECKING:
    import torch


@dataclass(eq=False)
class Session:
    """A built model on its device, with what preparing it found; `open` makes one from a RunConfig."""

    config: RunConfig
    adapter: Adapter
    device_name: str
    """"cpu", "cuda" or this rank's "cuda:N": the device, by name (`device` is the torch one)."""
    ranks: Ranks = ONE_PROCESS
    batch_size: int = 8
    log: Callable[[str], None] = print
    fit_fingerprint: str | None = None
    """Set by `prepare` for a trainable model: the key its fitted state is cached under."""
    reused_checkpoint: bool | None = None
    """After `prepare`: True if the fit was restored from the cache, False if fitted now, None if not trainable."""
    _prepared: bool = field(default=False, repr=False)

    @classmethod
    def open(cls, config: RunConfig, *, console: Console | None = None) -> Session:
        """Build the model (options parsed, before any data is read) and join the launcher's process group."""
        config = canonical_options(config)
        adapter = build_adapter(config)
        ranks, device = start(device_kind(config.device))
        batch_size = config.batch_size or default_batch_size(device)
        check_fits(adapter, config.model, batch_size, device)  # an impossible size is one line, before any data
        log = (console or Console(stderr=True, quiet=not ranks.main)).print
        return cls(config, adapter, device, ranks, batch_size, log)

    @property
    def device(self) -> torch.device:
        """The torch device the model runs on (imports torch: only what fits or predicts asks for it)."""
        import torch

        return torch.device(self.device_name)

    @property
    def device_kind(self) -> str:
        """"cpu" or "cuda": what the run identity records, known without torch."""
        return device_type(self.device_name)

    @property
    def precision(self) -> str:
        """The run's resolved precision on this device (fp32 or bf16)."""
        return resolve_precision(self.config.precision, self.device_name)

    def check(self, task: Task) -> Kind:
        """`task`'s kind, checked to be answered by the model (its method, and e.g. the labels it scores)."""
        kind = kind_of(task)
        if not kind.answers(self.adapter):
            raise ConfigError(f"model {self.config.model!r} does not answer {task.kind} tasks such as {task.name!r} "
                              f"(it has no `{kind.method}` method)")
        kind.check_model(task, self.adapter, self.config.model)
        return kind

    def prepare(self, train: TaskData | None, *, fingerprint: str | None = None) -> bool | None:
        """Seed, move the model to the device and, for a trainable model, fit it on `train` (the in-domain task's
        data) or restore the fit cached under `fingerprint` (default: computed from the config and `train`);
        returns `reused_checkpoint`. A second call does nothing."""
        if self._prepared:
            return self.reused_checkpoint
        import torch

        torch.manual_seed(self.config.seed)
        self.adapter.to(self.device)
        if self.adapter.trainable and train is not None:
            self.fit_fingerprint = fingerprint or run_fingerprint(self.config, self.adapter, train.sha,
                                                                     self.device_kind)
            self.reused_checkpoint = fit_on_every_rank(self.adapter, self.fit_fingerprint,
                                                       lambda workdir: self.fit_context(train, workdir), self.log,
                                                       self.ranks)
        self._prepared = True
        return self.reused_checkpoint

    def fit_context(self, train: TaskData, workdir: Path) -> FitContext:
        """What `adapter.fit` is given: the in-domain train/validate samples and a seeded batch factory."""
        return FitContext(task=train.task, train=train.train_samples,
                          val=train.dataset.split(train.task.val_split or ""),
                          batches=shuffled_batches(self.config.seed, self.adapter.spec, self.device),
                          device=self.device, seed=self.config.seed, workdir=workdir, batch_size=self.batch_size,
                          log=self.log, precision=self.precision)

    def predict(self, kind: Kind, groups: Sequence[Group], folder: Path, *, queries: Mapping[str, object] | None = None,
                progress: Progress | None = None, transform: PixelTransform | None = None) -> int:
        """Predict the batches `groups` of a task's items into chunk files in `folder` (this rank's names) with
        `kind`'s method; returns how many items were predicted."""
        return predict_samples(self.adapter, groups, folder, kind=kind, chunk_size=self.config.chunk_size,
                               device=self.device, precision=self.precision, progress=progress, ranks=self.ranks,
                               queries=queries, transform=transform)  # type: ignore[arg-type]

    def answers(self, kind: Kind, items: ItemSet) -> Iterator[tuple[Group, Output]]:
        """In memory, each batch of `items` with the model's checked answer by `kind`'s method (its record): for
        callers that need outputs, not a run directory (the lm-eval bridge, the paper runner's parse probe)."""
        ordered = items.samples
        groups = [tuple(ordered[k:k + self.batch_size]) for k in range(0, len(ordered), self.batch_size)]
        for group, batch in predict_batches(groups, self.adapter.spec, self.device, items.queries):
            with inference(self.device, self.precision):
                yield group, kind.predict(self.adapter, batch)


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
    `epochs="3"` are one run identity (undeclared plugin options are kept as given). With no `--model-arg`
    there is nothing to parse, so a declared model is not imported (a finished run then imports no model)."""
    if not config.model_args and MODELS.declares(config.model):
        return config
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
