"""End-to-end engine behaviour on the "small" simulated study (Python API)."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from gazebench.adapter import ImageBatch, InputSpec, register_model
from gazebench.engine.compare import compare_runs
from gazebench.engine.config import RunConfig
from gazebench.engine.evaluate import evaluate
from gazebench.engine.failures import ModelFailure
from gazebench.engine.rundir import RunLock
from gazebench.engine.scoring import rescore
from gazebench.errors import ConfigError, GazebenchError
from gazebench.metrics.vocabulary import AUROC, BRIER, ECE
from gazebench.models.cnn import SmallCNN
from gazebench.models.random import RandomAdapter
from gazebench.outputs import Probabilities
from gazebench.results import MetricValue, RunResults, TaskResult

ALL = ("mimic-eye", "chexpert", "rsna", "siim-acr")
FAST = {"n_boot": 200}
CNN_ARGS = (("epochs", 4), ("image_size", 32), ("width", 4))


class Flaky(RandomAdapter):
    """`random`, except that the first process-wide call after `arm()` fails at batch 3."""

    armed = False
    calls = 0

    def classify(self, batch: ImageBatch) -> Probabilities:
        Flaky.calls += 1
        if Flaky.armed and Flaky.calls == 3:
            Flaky.armed = False
            raise RuntimeError("injected failure")
        return super().classify(batch)


register_model("test-flaky")(Flaky)


def run(tmp: Path, root: Path, model: str, reuse_predictions: bool = True, **kw: object) -> RunResults:
    cfg = RunConfig(model=model, tasks=kw.pop("tasks", ALL), **{**FAST, **kw})  # type: ignore[arg-type]
    return evaluate(cfg, output_dir=tmp, data_root=root, reuse_predictions=reuse_predictions).results


@pytest.fixture(scope="module")
def runs(small_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("runs")
    for model in ("oracle", "random"):
        evaluate(RunConfig(model=model, tasks=ALL, **FAST), output_dir=out, data_root=small_root)
    return out


def run_dir(runs: Path, model: str) -> Path:
    (found,) = runs.glob(f"{model}__*")
    return found


def test_oracle_is_perfect_on_every_task(runs: Path, small_root: Path) -> None:
    results = rescore(run_dir(runs, "oracle"), data_root=small_root).tasks
    assert set(results) == set(ALL)
    for name, r in results.items():
        assert r.value(AUROC) == MetricValue(1.0, (1.0, 1.0)), name
        assert r.n > 0 and r.n_patients > 0


def test_random_ci_contains_chance(runs: Path) -> None:
    from gazebench.engine.rundir import RunDir

    results = RunDir(run_dir(runs, "random")).load_results()
    for name, r in results.tasks.items():
        low, high = r.value(AUROC).ci
        assert low is not None and high is not None and low < 0.5 < high, name
    assert results.dataset_note and "simulated" in results.dataset_note
    assert set(results.curves) == set(ALL)


def test_complete_run_is_not_redone(runs: Path, small_root: Path) -> None:
    before = (run_dir(runs, "random") / "results.json").stat().st_mtime_ns
    outcome = evaluate(RunConfig(model="random", tasks=ALL, **FAST), output_dir=runs, data_root=small_root)
    assert outcome.already_complete and outcome.predicted == 0
    assert (run_dir(runs, "random") / "results.json").stat().st_mtime_ns == before


def test_scores_do_not_depend_on_batch_size_or_threads(small_root: Path, tmp_path: Path) -> None:
    import torch

    before = torch.get_num_threads()
    a = run(tmp_path / "a", small_root, "cnn", batch_size=1, model_args=CNN_ARGS, tasks=("mimic-eye", "rsna"),
            threads=1)
    b = run(tmp_path / "b", small_root, "cnn", batch_size=13, model_args=CNN_ARGS, tasks=("mimic-eye", "rsna"),
            threads=2, reuse_predictions=False)  # the same identity: predicted again, not copied from the cache
    # Ranks and thresholded counts are exact; calibration is continuous in the scores, so it may move in the
    # last float digits that batched kernels change.
    def exact(r: TaskResult) -> TaskResult:
        return dataclasses.replace(r, blocks={k: v for k, v in r.blocks.items() if k != ECE.family})

    assert {t: exact(r) for t, r in a.tasks.items()} == {t: exact(r) for t, r in b.tasks.items()}
    for task, r in a.tasks.items():
        for m in (ECE, BRIER):
            assert r.blocks[ECE.family].value(m).value == pytest.approx(
                b.tasks[task].blocks[ECE.family].value(m).value, abs=1e-6)
    assert a.config_hash == b.config_hash
    (prov,) = (tmp_path / "b").glob("*/provenance.json")
    assert json.loads(prov.read_text())["torch_threads"] == 2 and b.config["execution"]["threads"] == 2
    assert torch.get_num_threads() == before


def test_fitted_model_is_reused(small_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = RunConfig(model="cnn", tasks=("rsna",), model_args=CNN_ARGS, seed=5, **FAST)
    first = evaluate(cfg, output_dir=tmp_path / "a", data_root=small_root)
    assert first.reused_checkpoint is False

    def must_not_fit(self: SmallCNN, ctx: object) -> None:
        raise AssertionError("fit was called although a checkpoint exists")

    monkeypatch.setattr(SmallCNN, "fit", must_not_fit)
    second = evaluate(cfg, output_dir=tmp_path / "b", data_root=small_root, reuse_predictions=False)
    assert second.reused_checkpoint is True
    assert second.results.tasks == first.results.tasks


def test_resume_after_failure_gives_identical_results(small_root: Path, tmp_path: Path) -> None:
    kw = {"tasks": ("chexpert", "rsna"), "batch_size": 4, "chunk_size": 4}
    clean = run(tmp_path / "clean", small_root, "test-flaky", **kw)
    Flaky.armed, Flaky.calls = True, 0
    with pytest.raises(ModelFailure, match="raised RuntimeError: injected failure on batch"):  # the cause kept
        run(tmp_path / "resumed", small_root, "test-flaky", reuse_predictions=False, **kw)
    (partial,) = (tmp_path / "resumed").iterdir()
    assert not (partial / "results.json").exists() and any(partial.rglob("chunk-*.csv"))
    with RunLock(partial), pytest.raises(GazebenchError, match="another gazebench process"):
        run(tmp_path / "resumed", small_root, "test-flaky", **kw)
    outcome = evaluate(RunConfig(model="test-flaky", **{**FAST, **kw}), output_dir=tmp_path / "resumed",
                       data_root=small_root)
    assert 0 < outcome.predicted
    assert outcome.results.tasks == clean.tasks


def test_score_under_another_policy_leaves_run_untouched(runs: Path, small_root: Path) -> None:
    path = run_dir(runs, "random")
    before = sorted((p.name, p.stat().st_mtime_ns) for p in path.rglob("*"))
    fixed = rescore(path, data_root=small_root)
    tuned = rescore(path, data_root=small_root, threshold_policy="youden")
    assert sorted((p.name, p.stat().st_mtime_ns) for p in path.rglob("*")) == before
    for name in ALL:
        assert tuned.tasks[name].value(AUROC) == fixed.tasks[name].value(AUROC)
        assert tuned.tasks[name].details["threshold_policy"]["name"] == "youden"
        assert "mimic-eye validate" in tuned.tasks[name].details["threshold_policy"]["source"]
    assert tuned.thresholds["values"] != fixed.thresholds["values"]
    assert tuned.scoring["threshold_policy"] == "youden" and fixed.scoring["threshold_policy"] == "fixed"


def test_compare_oracle_against_random(runs: Path, small_root: Path) -> None:
    out = compare_runs(run_dir(runs, "random"), run_dir(runs, "oracle"), data_root=small_root, n_boot=200)
    for name in ALL:
        m = out.tasks[name].metrics[AUROC.name]
        assert m.b == 1.0 and m.diff is not None and m.diff > 0 and m.ci[0] <= m.diff <= m.ci[1]
        assert "per_label" in out.tasks[name].tests[AUROC.name].to_json()
    p_value = out.tasks["mimic-eye"].metrics[AUROC.name].p_value
    assert p_value is not None and p_value < 0.05
    same = compare_runs(run_dir(runs, "random"), run_dir(runs, "random"), data_root=small_root, n_boot=50)
    assert all(t.metrics[AUROC.name].diff == 0 for t in same.tasks.values())


def test_compare_refuses_different_sample_sets(runs: Path, small_root: Path, tmp_path: Path) -> None:
    run(tmp_path, small_root, "random", limit=3)
    with pytest.raises(ConfigError, match="different sample sets"):
        compare_runs(run_dir(runs, "random"), next(tmp_path.iterdir()), data_root=small_root)


def test_limit_is_recorded(small_root: Path, tmp_path: Path) -> None:
    results = run(tmp_path, small_root, "oracle", limit=4, tasks=("rsna",))
    assert results.config["limit"] == 4 and results.tasks["rsna"].n == 4
    sizes = results.provenance["n-samples"]["rsna"]
    assert sizes["effective"] == 4 < sizes["original"]


def test_unknown_model_and_missing_labels(small_root: Path, tmp_path: Path) -> None:
    with pytest.raises(GazebenchError, match="did you mean"):
        run(tmp_path, small_root, "orcale")

    class OnlyEdema(RandomAdapter):
        spec = InputSpec(image_size=8, labels=("Edema",))

    register_model("test-only-edema")(OnlyEdema)
    with pytest.raises(ConfigError, match="does not predict"):
        run(tmp_path, small_root, "test-only-edema", tasks=("rsna",))


def test_same_seed_same_numbers(runs: Path, small_root: Path, tmp_path: Path) -> None:
    from gazebench.engine.rundir import RunDir

    again = run(tmp_path, small_root, "random")
    assert again.tasks == RunDir(run_dir(runs, "random")).load_results().tasks
    other = run(tmp_path, small_root, "random", seed=1)
    assert not np.isclose(other.tasks["rsna"].value(AUROC).value, again.tasks["rsna"].value(AUROC).value,
                          atol=1e-12)


class GazeModel(RandomAdapter):
    """Predicts a fixed 4-cell scanpath and a centre-weighted saliency map on a 4×4 grid (all zero for the
    first two samples of each split it sees, which scoring must skip and count; constant for `flat_ids`, whose
    MIT NSS, CC, MIT SIM and AUC-Borji are undefined and counted)."""

    spec = InputSpec(image_size=16, patch_size=4)
    zero_ids: frozenset[str] = frozenset()
    flat_ids: frozenset[str] = frozenset()

    def classify(self, batch: ImageBatch) -> Probabilities:
        n = len(batch.ids)
        sal = np.tile(np.outer([1, 2, 2, 1], [1, 2, 2, 1]).astype(float), (n, 1, 1))
        sal[[i for i, sid in enumerate(batch.ids) if sid in self.zero_ids]] = 0.0
        sal[[i for i, sid in enumerate(batch.ids) if sid in self.flat_ids]] = 0.25
        return Probabilities(probs=super().classify(batch).probs, gaze=np.tile([5, 6, 9, 10], (n, 1)), saliency=sal)


register_model("test-gaze")(GazeModel)


def test_gaze_metrics_for_models_that_predict_gaze(small_root: Path, tmp_path: Path) -> None:
    from gazebench.task import get_task

    task = get_task("mimic-eye")
    eval_ids = [s.sample_id for s in task.load(small_root).split(task.eval_split)[:6]]
    GazeModel.zero_ids, GazeModel.flat_ids = frozenset(eval_ids[:2]), frozenset(eval_ids[2:3])
    results = run(tmp_path, small_root, "test-gaze", tasks=("mimic-eye", "rsna"), limit=6).tasks
    gaze = results["mimic-eye"].details["gaze"]
    assert gaze["grid"] == [4, 4] and gaze["k"] == 4 and gaze["n_readings"] >= 6
    assert gaze["n_saliency_maps_zero"] == 2
    assert 0.0 <= gaze["scanpath"]["topk_overlap"] <= 1.0 and gaze["scanpath"]["n_items"] == gaze["n_readings"]
    assert {"nss", "cc", "kld", "sim", "auc_judd", "auc_borji"} <= set(gaze["saliency"])
    undefined = gaze["n_saliency_undefined"]  # each metric's undefined readings counted: the constant map's
    assert set(undefined) == set(gaze["saliency"]) and undefined["nss"] == undefined["kld"] == 0
    assert undefined["nss_mit"] == undefined["cc"] == undefined["sim_mit"] == undefined["auc_borji"] >= 1
    assert results["rsna"].details["gaze"]["n_readings"] == 0  # no radiologist gaze on the external sets
    (chunk,) = tmp_path.glob("*/predictions/mimic-eye/chunk-*.csv")
    assert chunk.read_text().splitlines()[0].split(",")[16:20] == ["g0", "g1", "g2", "g3"]
