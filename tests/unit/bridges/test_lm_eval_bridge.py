"""The lm-eval bridge reproduces the engine's numbers through lm-eval's own pipeline, on the "small" simulated study."""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rich.console import Console

pytest.importorskip("lm_eval")

from lm_eval import simple_evaluate
from lm_eval.api.instance import Instance
from lm_eval.api.registry import get_model
from lm_eval.tasks import TaskManager

from gazebench.adapter import Adapter, ImageBatch, InputSpec, register_model
from gazebench.bridges.lm_eval import (
    DOC_FIELDS,
    GazebenchLM,
    evaluate_with_lm_eval,
    lm_class,
    lm_eval_task_name,
    task_config,
)
from gazebench.engine.config import RunConfig
from gazebench.engine.evaluate import evaluate
from gazebench.errors import ConfigError
from gazebench.metrics.vocabulary import metrics_for
from gazebench.models.random import RandomAdapter
from gazebench.outputs import Probabilities, Reports
from gazebench.results import RunResults
from gazebench.task import get_task

ALL = ("chexpert", "mimic-eye", "rsna", "siim-acr")
LIMIT = 15
SEEDS = {"oracle": 0, "random": 3}
CNN_ARGS = {"epochs": 2, "image_size": 32, "width": 4}


class Reporter(RandomAdapter):
    """`random` over Pneumonia only, writing a two-sentence report naming the sample."""

    spec = InputSpec(image_size=16, labels=("Pneumonia",))

    def report(self, batch: ImageBatch) -> Reports:
        return Reports(reports=tuple(f"FINDINGS: {i}. IMPRESSION: none." for i in batch.ids))


register_model("test-lm-eval-reporter")(Reporter)


class LabelsOnly(Adapter):
    """`random`'s probabilities alone: no `report` method."""

    spec = InputSpec(image_size=16)

    def classify(self, batch: ImageBatch) -> Probabilities:
        return RandomAdapter().classify(batch)


register_model("test-lm-eval-labels-only")(LabelsOnly)


def engine_results(root: Path, out: Path, model: str, seed: int, tasks: tuple[str, ...] = ALL,
                   **model_args: Any) -> RunResults:
    config = RunConfig(model=model, tasks=tasks, seed=seed, n_boot=10, limit=LIMIT,
                       model_args=tuple(sorted(model_args.items())))
    return evaluate(config, output_dir=out, data_root=root, console=Console(quiet=True)).results


@pytest.fixture(scope="module")
def both(small_root: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict, dict]]:
    """{model: (engine results, lm-eval results)} for oracle and random on every task."""
    out = tmp_path_factory.mktemp("runs")
    return {model: (engine_results(small_root, out, model, seed),
                    evaluate_with_lm_eval(model, ALL, data_root=small_root, seed=seed, limit=LIMIT))
            for model, seed in SEEDS.items()}


def assert_same_metrics(engine: RunResults, bridge: dict[str, Any], tasks: tuple[str, ...]) -> None:
    for name in tasks:
        want, got = engine.tasks[name], bridge["results"][lm_eval_task_name(name)]
        assert bridge["n-samples"][lm_eval_task_name(name)]["effective"] == want.n
        blocks = [("", want.metrics)] + [(f"_{subset}", want.blocks[subset].metrics)
                                         for subset, _ in get_task(name).subsets]
        for suffix, block in blocks:
            for m in metrics_for(want.family):
                value = block[m.name].value
                assert value is not None, (name, m.name)
                assert got[f"{m.name}{suffix},none"] == pytest.approx(value, abs=1e-9), (name, m.name + suffix)


@pytest.mark.parametrize("model", sorted(SEEDS))
def test_lm_eval_metrics_equal_the_engines(both: dict[str, tuple[dict, dict]], model: str) -> None:
    engine, bridge = both[model]
    assert_same_metrics(engine, bridge, ALL)
    assert bridge["config"]["gazebench"]["seed"] == SEEDS[model]
    assert bridge["versions"] == {lm_eval_task_name(t): get_task(t).version for t in ALL}
    if model == "oracle":
        assert all(bridge["results"][lm_eval_task_name(t)]["auroc,none"] == 1.0 for t in ALL)


def test_logged_docs_hold_ids_labels_and_image_paths_only(both: dict[str, tuple[dict, dict]],
                                                          small_root: Path) -> None:
    bridge = both["oracle"][1]
    for name in ALL:
        rows = bridge["samples"][lm_eval_task_name(name)]
        assert [r["doc"]["sample_id"] for r in rows] == _eval_ids(small_root, name)
        for row in rows:
            assert tuple(row["doc"]) == DOC_FIELDS
            assert Path(row["doc"]["image_path"]).is_file()
    text = " ".join(p.read_text() for p in small_root.rglob("*.txt"))
    sentences = {s.strip() for s in re.split(r"[.\n]", text) if len(s.strip()) >= 12}
    assert sentences, "the simulated study should hold report and dictation text"
    logged = json.dumps([bridge["samples"], bridge["configs"]], default=str)
    leaked = [s for s in sentences if s in logged]
    assert not leaked


def _eval_ids(root: Path, name: str) -> list[str]:
    task = get_task(name)
    return [s.sample_id for s in task.load(root).split(task.eval_split)[:LIMIT]]


def test_registered_model_name_reaches_the_same_numbers(both: dict[str, tuple[dict, dict]], small_root: Path) -> None:
    assert get_model("gazebench") is GazebenchLM is lm_class()
    assert get_model("dummy").__name__ == "DummyLM"  # lm-eval's own models still load lazily
    bridge = simple_evaluate(model="gazebench", model_args={"model": "random", "seed": 3, "data_root": str(small_root)},
                             tasks=[task_config("rsna", small_root)], task_manager=TaskManager(include_defaults=False),
                             limit=LIMIT, bootstrap_iters=0)
    assert_same_metrics(both["random"][0], bridge, ("rsna",))


def test_fitted_model_reuses_the_engines_checkpoint(small_root: Path, tmp_path: Path) -> None:
    engine = engine_results(small_root, tmp_path, "cnn", 0, ("rsna",), **CNN_ARGS)
    lm = GazebenchLM(model="cnn", seed=0, data_root=small_root, **CNN_ARGS)
    assert lm.reused_checkpoint is True
    assert lm.fit_fingerprint == engine.config["fit_fingerprint"]
    bridge = simple_evaluate(model=lm, tasks=[task_config("rsna", small_root)],
                             task_manager=TaskManager(include_defaults=False), limit=LIMIT, bootstrap_iters=0)
    assert_same_metrics(engine, bridge, ("rsna",))


def request(name: str, root: Path, i: int, args: tuple) -> Instance:
    doc = task_config(name, root)["custom_dataset"]()[get_task(name).eval_split][i]
    return Instance(request_type="generate_until", doc=doc, arguments=args, idx=0,
                    metadata=(lm_eval_task_name(name), i, 1))


def test_generate_until_returns_reports_cut_at_until(small_root: Path) -> None:
    lm = GazebenchLM(model="test-lm-eval-reporter", data_root=small_root)
    reqs = [request("rsna", small_root, i, ("Report:", {"until": ["IMPRESSION"]})) for i in range(3)]
    texts = lm.generate_until(reqs)
    assert texts == [f"FINDINGS: {r.doc['sample_id']}. " for r in reqs]


def test_generate_until_without_reports_says_so(small_root: Path) -> None:
    lm = GazebenchLM(model="test-lm-eval-labels-only", data_root=small_root)
    with pytest.raises(NotImplementedError, match="generates no reports"):
        lm.generate_until([request("rsna", small_root, 0, ("Report:", {}))])


def test_bad_requests_are_one_line_errors(small_root: Path) -> None:
    lm = GazebenchLM(model="test-lm-eval-reporter", data_root=small_root)
    with pytest.raises(ConfigError, match="does not predict"):
        lm.loglikelihood([request("chexpert", small_root, 0, ("x", " Atelectasis"))])
    with pytest.raises(ConfigError, match="not a label"):
        lm.loglikelihood([request("rsna", small_root, 0, ("x", " Atelectasis"))])
    foreign = Instance(request_type="loglikelihood", doc={"question": "q"}, arguments=("q", " a"), idx=0,
                       metadata=("arc_easy", 0, 1))
    with pytest.raises(ConfigError, match="not a gazebench task"):
        lm.loglikelihood([foreign])
    (ll, greedy), = lm.loglikelihood([request("rsna", small_root, 0, ("x", " Pneumonia"))])
    assert ll <= 0.0 and greedy == (np.exp(ll) >= 0.5)


def test_missing_lm_eval_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "lm_eval", None)
    with pytest.raises(ConfigError, match=r"pip install 'gazebench\[lm-eval\]'"):
        evaluate_with_lm_eval("random", ["rsna"])


def test_lm_eval_launched_on_two_processes_equals_one(small_root: Path, tmp_path: Path) -> None:
    """Under torchrun the bridge's rank / world size follow the launched group, lm-eval shards the requests over
    them, and rank 0's gathered metrics equal a one-process evaluation."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = str(sock.getsockname()[1])
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", port,
           str(Path(__file__).parent / "lm_eval_worker.py"), str(small_root), str(tmp_path), str(LIMIT)]
    done = subprocess.run(cmd, env=dict(os.environ, OMP_NUM_THREADS="1"), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    views = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1)]
    assert [(v["rank"], v["world_size"]) for v in views] == [(0, 2), (1, 2)]
    assert views[0]["gathered"] == [0, 1] and views[1]["gathered"] is None
    one = GazebenchLM(model="random", seed=3, data_root=small_root)
    assert (one.rank, one.world_size) == (0, 1)
    single = simple_evaluate(model=one, tasks=[task_config("rsna", small_root)],
                             task_manager=TaskManager(include_defaults=False), limit=LIMIT, bootstrap_iters=0)
    name = lm_eval_task_name("rsna")
    assert views[0]["results"][name] == json.loads(json.dumps(single["results"][name], default=str))
