"""`GazebenchLM`: a gazebench model as an lm-eval LM. It is built and fitted exactly as `gazebench run` builds
and fits it (same factory arguments, same checkpoint fingerprint and cache), and answers each
(prompt, label, image) request with log P(label | image) from the engine's own prediction path.

Importing this module imports lm-eval and registers the model as "gazebench".
"""
from __future__ import annotations

import math
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import lm_eval.models  # noqa: F401  (lm-eval fills its model registry lazily only while it is empty)
import torch
from lm_eval.api.instance import Instance
from lm_eval.api.model import LM
from lm_eval.api.registry import register_model

from gazebench.engine.config import RunConfig
from gazebench.engine.evaluate import check_tasks
from gazebench.engine.kinds import ItemSet, task_items
from gazebench.engine.kinds.base import item
from gazebench.engine.kinds.report import ReportKind
from gazebench.engine.predict import batch_plan, pending
from gazebench.engine.predictions import read_predictions, score_matrix
from gazebench.engine.session import Session, describe_adapter
from gazebench.engine.workload import TaskData, load_task_data
from gazebench.errors import ConfigError
from gazebench.outputs import Reports
from gazebench.records import Sample


@register_model("gazebench")
class GazebenchLM(LM):
    """model_args: `model=NAME`, optional `seed`, `data_root`, `train_task`; any other key is a model option.

    lm-eval's own `device` and `batch_size` map onto the engine's; `max_batch_size` is accepted and unused.
    """

    MULTIMODAL = True

    def __init__(self, model: str, seed: int = 0, data_root: Path | str | None = None, train_task: str = "mimic-eye",
                 device: str | None = None, batch_size: int | str | None = None, max_batch_size: int | None = None,
                 **model_options: Any) -> None:
        from gazebench.data_root import data_root as resolve_root

        super().__init__()
        # Tasks arrive with the requests; RunConfig wants one, and the train task stands in.
        self.run_config = RunConfig(model=str(model), tasks=(train_task,), seed=int(seed),
                                    model_args=tuple(sorted(model_options.items())), train_task=train_task,
                                    device=_engine_device(device), batch_size=_batch_size(batch_size))
        self.root = resolve_root(data_root)
        self.session = Session.open(self.run_config)  # cuda:LOCAL_RANK when launched
        self.adapter, self.ranks, self._device = self.session.adapter, self.session.ranks, self.session.device
        self.batch_size = self.session.batch_size
        self.data: dict[str, TaskData] = {}
        self.samples: dict[str, dict[str, Sample]] = {}
        self.probs: dict[tuple[str, str], dict[str, float]] = {}
        if self.adapter.trainable:  # restore the fit from the engine's cache, or fit and cache it, as `run` does
            self.data.update(load_task_data([train_task], self.root, None))
        self.session.prepare(self.data.get(train_task))

    @property
    def fit_fingerprint(self) -> str | None:
        return self.session.fit_fingerprint

    @property
    def reused_checkpoint(self) -> bool | None:
        return self.session.reused_checkpoint

    # lm-eval shards requests by `rank` / `world_size` and synchronises through the four methods below; under
    # `accelerate launch` / `torchrun` they are this process's place in the launched group (rank 0 of 1 otherwise).
    @property
    def rank(self) -> int:
        return self.ranks.rank

    @property
    def world_size(self) -> int:
        return self.ranks.world

    def all_gather(self, tensor: torch.Tensor) -> torch.Tensor:
        return self.ranks.all_gather(tensor)

    def gather_object(self, obj: Any, dst: int = 0) -> list[Any] | None:
        return self.ranks.gather(obj, dst)

    def barrier(self) -> None:
        self.ranks.barrier()

    def get_model_info(self) -> dict[str, Any]:
        """Merged by lm-eval into results["config"]: which gazebench model, options, seed and fitted checkpoint."""
        config = self.run_config
        return {"gazebench": {"model": config.model, "model_args": config.model_kwargs, "seed": config.seed,
                              "train_task": config.train_task, "fit_fingerprint": self.fit_fingerprint,
                              "adapter": describe_adapter(self.adapter)}}

    def loglikelihood(self, requests: list[Instance]) -> list[tuple[float, bool]]:
        """log P(label | image) per (prompt, " label", {"visual": ...}) request; "greedy" when P >= 0.5."""
        pairs = [self._sample(req) for req in requests]
        self._predict(pairs)
        labels = self.adapter.spec.labels
        out: list[tuple[float, bool]] = []
        for req, (task, sample) in zip(requests, pairs, strict=True):
            label = str(req.args[1]).strip()
            if label not in labels:
                raise ConfigError(f"lm-eval request continuation {label!r} is not a label model "
                                  f"{self.run_config.model!r} predicts ({', '.join(labels)})")
            p = self.probs[(task, sample.sample_id)][label]
            out.append((math.log(p) if p > 0 else -math.inf, p >= 0.5))
            self.cache_hook.add_partial("loglikelihood", req.args, out[-1])
        return out

    def loglikelihood_rolling(self, requests: list[Instance]) -> list[float]:
        raise NotImplementedError("gazebench models score images against labels; they give free text no likelihood")

    def generate_until(self, requests: list[Instance]) -> list[str]:
        """The model's fixed-format report for each request's image, cut at the first `until` string."""
        texts = self._reports([self._sample(req) for req in requests])
        out = []
        for req, text in zip(requests, texts, strict=True):
            gen_kwargs = req.args[1] if len(req.args) > 1 and isinstance(req.args[1], dict) else {}
            until = gen_kwargs.get("until") or []
            for stop in [until] if isinstance(until, str) else until:
                if stop:
                    text = text.split(stop)[0]
            out.append(text)
            self.cache_hook.add_partial("generate_until", req.args, text)
        return out

    def _sample(self, req: Instance) -> tuple[str, Sample]:
        """The gazebench task and sample a request's doc names (docs built by `task_config`)."""
        doc = req.doc if isinstance(req.doc, dict) else {}
        if "task" not in doc or "sample_id" not in doc:
            raise ConfigError(f"lm-eval task {req.task_name!r} is not a gazebench task (its docs have no task and "
                              "sample_id); build it with gazebench.bridges.lm_eval.task_config")
        task, sample_id = str(doc["task"]), str(doc["sample_id"])
        if task not in self.samples:
            check_tasks(replace(self.run_config, tasks=(task,)), self.adapter)
            if task not in self.data:
                self.data.update(load_task_data([task], self.root, None))
            self.samples[task] = {s.sample_id: s for s in self.data[task].eval_samples}
        sample = self.samples[task].get(sample_id)
        if sample is None:
            raise ConfigError(f"sample {sample_id!r} is not in the eval split of task {task!r} under {self.root}: "
                              "the lm-eval task and the model read different data roots")
        return task, sample

    def _predict(self, pairs: Sequence[tuple[str, Sample]]) -> None:
        """Fill `self.probs` for every sample not yet scored, through the engine's checked, chunked predictor."""
        todo: dict[str, dict[str, Sample]] = {}
        for task, sample in pairs:
            if (task, sample.sample_id) not in self.probs:
                todo.setdefault(task, {})[sample.sample_id] = sample
        labels = self.adapter.spec.labels
        for task, samples in todo.items():
            definition = self.data[task].task
            with tempfile.TemporaryDirectory(prefix="gazebench-lm-eval-") as tmp:
                folder = Path(tmp)
                items = task_items(definition, tuple(samples.values()), self.adapter.spec.image_size)
                plan = batch_plan(pending(items.samples, folder), self.batch_size, self.run_config.chunk_size)
                self.session.predict(self.session.check(definition), plan, folder, queries=items.queries)
                df = read_predictions(folder)
                scores = score_matrix(df, labels, folder)
            for sample_id, row in zip(df["sample_id"], scores, strict=True):
                self.probs[(task, sample_id)] = dict(zip(labels, row.tolist(), strict=True))

    def _reports(self, pairs: Sequence[tuple[str, Sample]]) -> list[str]:
        """Generated reports for the (task, sample) pairs, in order (the report kind's method, each image's query
        as the report kind builds it); NotImplementedError if the model writes none."""
        kind = ReportKind()
        if not kind.answers(self.adapter):
            raise NotImplementedError(f"model {self.run_config.model!r} generates no reports; gazebench tasks "
                                      "score it through loglikelihood (the gazebench_<task> multiple_choice tasks)")
        side, texts = self.adapter.spec.image_size, {}
        for task in dict.fromkeys(t for t, _ in pairs):
            samples = [s for t, s in pairs if t == task]
            # every requested image, with its query as the report kind builds it where it has a reference report
            # (the reference reaches a privileged model only)
            built = {i.item_id: i for i in kind.items(self.data[task].task, samples, side).items}
            items = ItemSet(tuple(built.get(s.sample_id) or item(s, None) for s in samples))
            for group, out in self.session.answers(kind, items):  # each out is a Reports (checked by the kind)
                column = kind.columns(cast(Reports, out), [s.sample_id for s in group], side, self.adapter)["report"]
                texts.update({(task, s.sample_id): text for s, text in zip(group, column, strict=True)})
        return [texts[(t, s.sample_id)] for t, s in pairs]


def _engine_device(device: str | None) -> str:
    """lm-eval's `device` (None, "cpu", "cuda", "cuda:0") as the engine's device policy."""
    if device is None:
        return "auto"
    return "cuda" if device == "cuda:0" else device


def _batch_size(value: int | str | None) -> int | None:
    """lm-eval's `batch_size` ("auto", "auto:N", "8", 8 or None); "auto" leaves it to the engine's device default."""
    if value is None or str(value).startswith("auto"):
        return None
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"batch_size must be an integer or 'auto', not {value!r}") from None
