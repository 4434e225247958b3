"""What a run reads: each task's dataset, its evaluated samples (after --limit) and data fingerprint."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gazebench.errors import ConfigError, DataError
from gazebench.records import Dataset, Sample
from gazebench.task import Task, get_task

if TYPE_CHECKING:
    from gazebench.engine.manifest_cache import DataFacts
    from gazebench.results import RunResults


@dataclass(frozen=True, eq=False)
class TaskData:
    """One task's dataset, the samples it evaluates, and the manifest every result records. `source` is the
    dataset, or a function reading it when the manifest came from gazebench.engine.manifest_cache: then the
    dataset is read on first use only, and its manifest must equal the cached one. With `facts` (see
    `with_facts`), the reader's skips and the item counts are read from the cache when they were kept there, so
    a run that needs no sample (a finished one) never reads the dataset."""

    task: Task
    source: Dataset | Callable[[], Dataset]
    manifest: dict[str, Any]
    limit: int | None = None
    facts: DataFacts | None = None

    @cached_property
    def dataset(self) -> Dataset:
        if isinstance(self.source, Dataset):
            return self.source
        from gazebench.data.manifest import manifest

        dataset = self.source()
        if manifest(dataset)["sha256"] != self.sha:
            raise DataError(dataset.root, f"task {self.task.name!r}: the data read now does not match the cached "
                            "manifest of the same files; delete the cache's manifests/ folder and rerun")
        return dataset

    @property
    def sha(self) -> str:
        return str(self.manifest["sha256"])

    @property
    def skips(self) -> dict[str, dict[str, object]]:
        """What the reader passed over: {reason: {"count": n, "examples": [ids or file names]}}."""
        kept = self._kept.get("skips")
        if isinstance(kept, dict) and all(isinstance(v, dict) for v in kept.values()):
            return kept
        skips = {s.reason: s.to_dict() for s in self.dataset.skips}
        self._keep("skips", skips)
        return skips

    def item_counts(self, side: int) -> tuple[int, dict[str, int]]:
        """How many items the task has on its evaluated samples in a `side`-pixel model frame, and how many were
        left out per reason (gazebench.engine.kinds.task_items)."""
        items = self._kept.get("items")
        known = items.get(str(side)) if isinstance(items, dict) else None
        if (isinstance(known, dict) and isinstance(known.get("count"), int) and isinstance(known.get("skipped"), list)
                and all(isinstance(r, str) and isinstance(n, int) for r, n in known["skipped"])):
            return known["count"], dict(known["skipped"])
        from gazebench.engine.kinds import task_items

        found = task_items(self.task, self.eval_samples, side)
        counted = {"count": len(found.items), "skipped": list(found.skipped.items())}  # a list keeps the order
        self._keep("items", {**(items if isinstance(items, dict) else {}), str(side): counted})
        return len(found.items), dict(found.skipped)

    @cached_property
    def _kept(self) -> dict[str, Any]:
        """The facts the cache kept for this data ({} without `facts`)."""
        return self.facts.read(self.sha) if self.facts is not None else {}

    def _keep(self, name: str, value: object) -> None:
        if self.facts is not None:
            self.facts.add(self.sha, **{name: value})
            self._kept[name] = value

    @property
    def eval_samples(self) -> tuple[Sample, ...]:
        return self._split(self.task.eval_split)

    @property
    def val_samples(self) -> tuple[Sample, ...]:
        if self.task.val_split is None:
            raise ConfigError(f"task {self.task.name!r} has no validation split to tune thresholds on")
        return self._split(self.task.val_split)

    @property
    def train_samples(self) -> tuple[Sample, ...]:
        """The whole train split: --limit shortens evaluation, never training."""
        if self.task.train_split is None:
            raise ConfigError(f"task {self.task.name!r} has no train split to fit models on")
        samples = self.dataset.split(self.task.train_split)
        if not samples:
            raise ConfigError(f"task {self.task.name!r}: split {self.task.train_split!r} of {self.dataset.root} "
                              "is empty; nothing to fit on")
        return samples

    def _split(self, name: str) -> tuple[Sample, ...]:
        samples = self.dataset.split(name)
        if not samples:
            raise ConfigError(f"task {self.task.name!r}: split {name!r} of {self.dataset.root} is empty")
        return samples if self.limit is None else samples[: self.limit]

    @property
    def simulated(self) -> bool:
        if "simulated" in str(self.manifest.get("version", "")).lower():  # the dataset's own version, hashed
            return True
        return "simulated" in self.dataset.version.lower()


def load_task_data(names: Iterable[str], data_root: Path, limit: int | None) -> dict[str, TaskData]:
    """Load each named task's dataset once from `data_root` (readers raise DataError on bad files) and decode
    every image the run may read, so a bad file is reported (all of them at once) before any model time."""
    from gazebench.data.check import needed_samples, validate_images
    from gazebench.data.manifest import manifest
    from gazebench.engine.manifest_cache import cached_manifest, data_key, store_manifest

    out: dict[str, TaskData] = {}
    for name in dict.fromkeys(names):
        task = get_task(name)
        key = data_key(task, data_root, limit)
        known = cached_manifest(key)
        if known is not None:  # the same files, already read and checked by the same code: read on first use
            out[name] = TaskData(task, partial(task.load, data_root), known, limit)
            continue
        dataset = task.load(data_root)
        validate_images(needed_samples(dataset, task.eval_split, limit, (task.train_split, task.val_split)),
                        task.data_dir(data_root), progress=True)
        out[name] = TaskData(task, dataset, manifest(dataset), limit)
        store_manifest(key, out[name].manifest)
    return out


def with_facts(data: dict[str, TaskData], data_root: Path) -> dict[str, TaskData]:
    """`data` (as `load_task_data` read it from `data_root`) with the place where each task's facts are kept
    (gazebench.engine.manifest_cache.DataFacts): nothing is kept for data whose files changed since."""
    from gazebench.engine.manifest_cache import data_facts

    return {name: replace(td, facts=data_facts(td.task, data_root, td.limit)) for name, td in data.items()}


def itemless_tasks(tasks: Sequence[str], data: Mapping[str, TaskData], side: int) -> dict[str, str]:
    """{task: reason} for the tasks with no item on their evaluated images (e.g. a copy of MIMIC-EYE without its
    MIMIC-CXR reports): a run skips them, with the reason, rather than score nothing."""
    out = {}
    for name in tasks:
        task = data[name].task
        count, skipped = data[name].item_counts(side)
        if not count:
            reasons = "; ".join(f"{k}: {v}" for k, v in skipped.items())
            out[name] = f"no {task.kind} item on its {task.eval_split} images ({reasons})"
    return out


def with_current_skips(results: RunResults, data: dict[str, TaskData]) -> RunResults:
    """A finished run's `results` with its data skips recomputed from the data this call read (and sealed again):
    two trees identical once their bad rows are passed over share one run, but the skips a run reports (files,
    rows, reasons) are those of the tree it was asked to read."""
    from gazebench.engine.verify import seal_results
    from gazebench.results import RunResults  # noqa: F811 (the runtime import of the annotation)

    recorded = dict(results.data_skips)
    current = {name: data[name].skips if name in data else recorded[name] for name in recorded}
    if current == recorded:
        return results
    return RunResults.from_json(seal_results({**results.to_json(), "skipped": current}), "re-sealed results")


def tasks_to_load(tasks: tuple[str, ...], train_task: str, data_root: Path, *, trainable: bool,
                  tuned: bool) -> list[str]:
    """The evaluated tasks plus the in-domain train task, whose validate split is always predicted when its
    data is there (so any later threshold policy is a re-scoring). Without it, a model that needs no fitting
    scored at fixed thresholds runs zero-shot; a trainable model or a tuned policy is a one-line error."""
    if train_task in tasks or get_task(train_task).data_dir(data_root).is_dir():
        return [*tasks, train_task]
    needs = ("the model is trained on its train split" if trainable else
             "the threshold policy is tuned on its validate split" if tuned else None)
    if needs is not None:
        raise ConfigError(f"{get_task(train_task).data_dir(data_root)}: in-domain task {train_task!r} has no data "
                          f"under {data_root}, and {needs}; add it, or run a model that needs no fitting "
                          "with --threshold-policy fixed")
    return list(tasks)


def run_data(config: dict[str, Any], data_root: Path | str | None) -> dict[str, TaskData]:
    """The data a saved run was made on: `data_root`, else the run's recorded root, else the default (the
    in-domain train task only if the run was made with it)."""
    from gazebench.data_root import data_root as resolve_root

    recorded = (config.get("execution") or {}).get("data_root")
    root = resolve_root(data_root or recorded)
    train = [config["train_task"]] if config["train_task"] in config["data_sha256"] else []
    return load_task_data([*config["tasks"], *train], root, config.get("limit"))
