"""The GazeX task kinds through the engine: items and queries, storage, scoring with CIs, re-scoring,
verification, skipping an unsupported kind, and what a run directory may hold. The data half of the track
(readers filling reports, findings, phrases and questions) is simulated here by a reader that wraps the
simulated study's mimic-eye reader and adds hand-made records."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from gazebench.adapter import Adapter, ImageBatch, InputSpec, register_model
from gazebench.data.readers import READERS
from gazebench.data.readers.reflacx import REFLACX_TO_CHEXPERT
from gazebench.engine.compare import compare_runs
from gazebench.engine.config import RunConfig
from gazebench.engine.evaluate import evaluate
from gazebench.engine.scoring import rescore
from gazebench.engine.verify import verify_run
from gazebench.labels import CHEXPERT_LABELS
from gazebench.metrics.vocabulary import metric_names
from gazebench.models.random import RandomAdapter
from gazebench.outputs import Probabilities
from gazebench.records import Dataset, Finding, Phrase, Question, Sample
from gazebench.results import TaskResult
from gazebench.task import Task, register_task

MARKER = "zyxmarker"
"""Planted in every reference text: it must never reach a run directory written by a non-privileged model."""
FAST = {"n_boot": 50}
REPORTS = (f"Mild cardiomegaly. Small left pleural effusion. No pneumothorax {MARKER}.",
           f"The lungs are clear. No pleural effusion or pneumothorax {MARKER}.",
           f"Right lower lobe consolidation. Heart size is normal {MARKER}.")


def with_gazex_records(sample: Sample, k: int) -> Sample:
    """`sample` with a report, REFLACX-style findings (one per reading), a phrase and two questions."""
    w, h = sample.gaze[0].image_size if sample.gaze else (512, 512)
    box = (0.1 * w + k, 0.2 * h, 0.5 * w, 0.6 * h)
    readers = [r.reading_id for r in sample.gaze if r.source == "reflacx"] or ["r0"]
    findings = tuple(Finding("Pleural effusion", box, 4 if j == 0 else 2, rid) for j, rid in enumerate(readers))
    questions = (Question(f"q{k}a", "presence", f"Is there an effusion {MARKER}?", "yes" if k % 2 else "no"),
                 Question(f"q{k}b", "view", f"Which view {MARKER}?", "pa"))
    return dataclasses.replace(sample, report=REPORTS[k % len(REPORTS)], findings=findings, questions=questions,
                               phrases=(Phrase(f"left effusion {MARKER}", "Pleural Effusion", box),))


@READERS.register("test-gazex")
def read_gazex(root: Path) -> Dataset:
    base = READERS.create("mimic-eye", root=root)
    return dataclasses.replace(base, samples=tuple(with_gazex_records(s, k) for k, s in enumerate(base.samples)))


def _task(name: str, **kind: object) -> Task:
    return Task(name=name, version="1", description=name, reader="test-gazex", subdir="mimic-eye",
                labels=CHEXPERT_LABELS, in_domain=False, eval_split="test", **kind)  # type: ignore[arg-type]


KIND_TASKS = {
    "t-report": dict(kind="report"),
    "t-reflacx": dict(kind="grounding", queries="findings", min_certainty=3),
    "t-phrase": dict(kind="grounding", queries="phrases"),
    "t-vqa": dict(kind="vqa", queries="questions", answer_sets=(("presence", ("yes", "no")), ("view", ("pa", "ap")))),
    "t-scanpath": dict(kind="scanpath", min_certainty=3, finding_names=tuple(REFLACX_TO_CHEXPERT.items()),
                       grid=(14, 14)),
}
for _name, _kind in KIND_TASKS.items():
    register_task(_name)(lambda n=_name, k=_kind: _task(n, **k))


@register_model("test-classifier-only")
class ClassifierOnly(Adapter):
    """`random`'s classification alone: the only kind method it implements is `classify`."""

    spec = InputSpec(image_size=16)

    def classify(self, batch: ImageBatch) -> Probabilities:
        return RandomAdapter().classify(batch)


@pytest.fixture(scope="module")
def runs(small_root: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("kind-runs")
    tasks = ("mimic-eye", *KIND_TASKS)
    return {m: evaluate(RunConfig(model=m, tasks=tasks, **FAST), output_dir=out, data_root=small_root).run_dir
            for m in ("oracle", "random")}


def _results(run: Path) -> dict[str, TaskResult]:
    return dict(verify_run(run).results.tasks)


def v(result: TaskResult, name: str) -> float | None:
    """The value of metric `name` (one declared by the result's family)."""
    return result.metrics[name].value


def test_every_kind_reports_its_family_with_cis(runs: dict[str, Path]) -> None:
    results = _results(runs["random"])
    for name, kind in KIND_TASKS.items():
        block = results[name]
        assert block.kind == block.family == kind["kind"] and block.n > 0 and block.n_patients > 0
        assert set(block.metrics) == set(metric_names(str(kind["kind"]))), name
        assert all(m.value is None or m.ci[0] is not None for m in block.metrics.values()), name
    assert set(results["mimic-eye"].metrics) == set(metric_names("classification"))


def test_oracle_reaches_the_ceiling_and_random_does_not(runs: dict[str, Path]) -> None:
    oracle, rnd = _results(runs["oracle"]), _results(runs["random"])
    assert v(oracle["t-report"], "bleu4") == pytest.approx(1.0) and v(oracle["t-report"], "ce_micro_f1") == 1.0
    assert v(oracle["t-report"], "ciderD") > v(rnd["t-report"], "ciderD")  # type: ignore[operator]
    for name in ("t-reflacx", "t-phrase"):
        assert v(oracle[name], "miou") == pytest.approx(1.0) and v(oracle[name], "pointing") == 1.0
        assert v(rnd[name], "miou") < 0.6  # type: ignore[operator]
    assert v(oracle["t-vqa"], "accuracy") == 1.0 and v(oracle["t-vqa"], "acc_view") == 1.0
    assert v(oracle["t-vqa"], "acc_level") is None  # no question of that type: no number, not 0
    assert v(rnd["t-vqa"], "accuracy") < 1.0  # type: ignore[operator]
    assert v(oracle["t-scanpath"], "dist_px") < v(rnd["t-scanpath"], "dist_px")  # type: ignore[operator]
    # matching picks each reference region's nearest prediction, so chance ICC after matching is well above 0:
    # the random row is the floor to read scanpath numbers against
    assert v(oracle["t-scanpath"], "icc_x") > v(rnd["t-scanpath"], "icc_x")  # type: ignore[operator]
    assert v(oracle["t-scanpath"], "finding_f1") > v(rnd["t-scanpath"], "finding_f1")  # type: ignore[operator]


def test_grounding_items_follow_the_certainty_threshold(runs: dict[str, Path]) -> None:
    block = _results(runs["random"])["t-reflacx"]
    assert block.skipped.get("finding below certainty 3", 0) > 0  # the second reader's certainty-2 findings
    phrases = _results(runs["random"])["t-phrase"]
    assert block.n == phrases.n  # one finding at certainty 4 per image, one phrase per image


def test_rescoring_reproduces_the_results_without_the_model(runs: dict[str, Path]) -> None:
    for run in runs.values():
        again = rescore(run)
        assert dict(again.tasks) == _results(run)


def test_kind_outputs_are_stored_marked_and_free_of_reference_text(runs: dict[str, Path]) -> None:
    run = runs["random"]
    assert "derived from the dataset" in (run / "README.md").read_text()
    for path in run.rglob("*"):
        if path.is_file():
            assert MARKER not in path.read_text(errors="ignore"), path
    chunk = next((run / "predictions" / "t-vqa").glob("chunk-*.csv")).read_text()
    assert chunk.splitlines()[0] == "sample_id,patient_id,answer"


def test_a_model_skips_kinds_it_does_not_answer_with_a_recorded_reason(small_root: Path, tmp_path: Path) -> None:
    outcome = evaluate(RunConfig(model="test-classifier-only", tasks=("mimic-eye", "t-report"), **FAST),
                       output_dir=tmp_path, data_root=small_root)
    assert list(outcome.results.tasks) == ["mimic-eye"]
    assert "report" in outcome.results.unsupported["t-report"]


def test_compare_pairs_every_metric_of_a_kind(runs: dict[str, Path]) -> None:
    out = compare_runs(runs["random"], runs["oracle"], n_boot=50)
    vqa = out.tasks["t-vqa"].metrics["accuracy"]
    assert vqa.b == 1.0 and vqa.diff is not None and vqa.diff > 0 and vqa.verdict == "B > A"
    assert set(out.tasks["t-report"].metrics) == set(metric_names("report"))
    assert all(m.randomized for m in out.tasks["t-report"].metrics.values())
    assert out.tasks["t-report"].randomization is not None and not out.tasks["t-vqa"].metrics["accuracy"].randomized


def test_model_never_sees_references_unless_privileged(small_root: Path) -> None:
    from gazebench.adapter import predict_inputs
    from gazebench.engine.kinds import task_items
    from gazebench.engine.loader import pixels
    from gazebench.task import get_task

    samples = READERS.create("test-gazex", root=small_root / "mimic-eye").split("test")[:2]
    items = task_items(get_task("t-vqa"), samples, 16)
    spec = RandomAdapter().spec
    batch = predict_inputs(items.samples, pixels(items.samples, spec), spec, list(items.queries.values()))
    assert batch.references is None and batch.labels is None
    assert batch.prompts is not None and all(MARKER in p for p in batch.prompts)
    assert batch.choices is not None and batch.choices[0] == ("yes", "no")
    assert not any(q.answer in batch.prompts for s in samples for q in s.questions)


def test_leaderboard_shows_each_task_with_its_family_columns(runs: dict[str, Path]) -> None:
    from gazebench.leaderboard import leaderboard, wide_table

    board = leaderboard(runs["oracle"].parent)
    wide = wide_table(board.long, ["mimic-eye", "t-report", "t-scanpath"])
    assert {m for t, m in wide.columns if t == "t-report"} >= {"BLEU-4", "CIDEr-D", "CE-micro F1"}
    assert ("mimic-eye", "AUROC") in wide.columns and ("t-report", "AUROC") not in wide.columns
    oracle_row = next(r for r in wide.index if r.startswith("oracle"))
    assert wide.loc[oracle_row, ("t-report", "BLEU-4")].startswith("100.0")
    assert not wide.loc[oracle_row, ("t-scanpath", "Find TP")].endswith("%")  # a count, shown as stored


def test_lm_eval_bridge_refuses_kinds_it_cannot_score() -> None:
    from gazebench.bridges.lm_eval.tasks import task_config
    from gazebench.errors import ConfigError

    with pytest.raises(ConfigError, match="report task"):
        task_config("t-report")


@READERS.register("test-gazex-bare")
def read_bare(root: Path) -> Dataset:
    base = READERS.create("mimic-eye", root=root)
    return dataclasses.replace(base, samples=tuple(dataclasses.replace(s, report=None) for s in base.samples))


register_task("t-bare-report")(lambda: dataclasses.replace(_task("t-bare-report", kind="report"),
                                                           reader="test-gazex-bare"))
register_task("t-no-reader")(lambda: dataclasses.replace(_task("t-no-reader", kind="report"), reader="not-installed"))


def test_tasks_without_items_or_reader_are_skipped_with_the_reason(small_root: Path, tmp_path: Path) -> None:
    from gazebench.errors import ConfigError

    outcome = evaluate(RunConfig(model="random", tasks=("t-vqa", "t-bare-report", "t-no-reader"), **FAST),
                       output_dir=tmp_path, data_root=small_root)
    unsupported = outcome.results.unsupported
    assert list(outcome.results.tasks) == ["t-vqa"]
    assert "image without a reference report" in unsupported["t-bare-report"]
    assert "'not-installed' is not installed" in unsupported["t-no-reader"]
    with pytest.raises(ConfigError, match="can run none of the tasks"):
        evaluate(RunConfig(model="random", tasks=("t-no-reader",), **FAST), output_dir=tmp_path, data_root=small_root)


def test_a_finished_run_keeps_its_itemless_tasks_and_skips_without_reading_data(
        small_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gazebench.engine import manifest_cache

    monkeypatch.setattr(manifest_cache, "RACY_SECONDS", 0.0)  # the study's files were written just now
    config = RunConfig(model="random", tasks=("t-vqa", "t-bare-report"), **FAST)
    first = evaluate(config, output_dir=tmp_path, data_root=small_root)
    assert "image without a reference report" in first.results.unsupported["t-bare-report"]

    def unread(self: Task, root: Path) -> Dataset:
        raise AssertionError(f"the {self.name} dataset was read")

    monkeypatch.setattr(Task, "load", unread)
    again = evaluate(config, output_dir=tmp_path, data_root=small_root)
    assert again.already_complete and again.run_dir == first.run_dir  # the same itemless verdict, the same run
    assert again.results.to_json() == first.results.to_json() and any(again.results.data_skips.values())
