"""Scoring options are not the run identity: a finished run is re-scored from its saved predictions with zero
model forwards, into scores/, leaving its predictions and results.json byte-identical."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from gazebench.adapter import ImageBatch, register_model
from gazebench.cli.main import cli
from gazebench.engine.config import RunConfig
from gazebench.engine.evaluate import evaluate
from gazebench.engine.rundir import read_json
from gazebench.metrics.vocabulary import AUROC
from gazebench.models.random import RandomAdapter
from gazebench.outputs import Probabilities
from gazebench.results import SCHEMA_VERSION

TASKS = ("mimic-eye", "rsna")


class Counting(RandomAdapter):
    """`random` that counts, process-wide, every forward and every move to a device."""

    forwards = 0
    moves = 0

    def classify(self, batch: ImageBatch) -> Probabilities:
        Counting.forwards += len(batch.ids)
        return super().classify(batch)

    def to(self, device: object) -> Counting:
        Counting.moves += 1
        return self


register_model("test-counting")(Counting)


def counted_run(out: Path, root: Path, reuse_predictions: bool = True, **scoring: object) -> tuple[object, int, int]:
    """evaluate() of test-counting on TASKS; (outcome, forwards, device moves) made by this call."""
    Counting.forwards = Counting.moves = 0
    config = RunConfig(model="test-counting", tasks=TASKS, **{"n_boot": 50, **scoring})  # type: ignore[arg-type]
    outcome = evaluate(config, output_dir=out, data_root=root, reuse_predictions=reuse_predictions)
    return outcome, Counting.forwards, Counting.moves


def files_bytes(run: Path) -> dict[str, bytes]:
    """Every file of a run directory except scores/, by relative path."""
    return {str(p.relative_to(run)): p.read_bytes() for p in sorted(run.rglob("*"))
            if p.is_file() and "scores" not in p.relative_to(run).parts}


@pytest.fixture(scope="module")
def finished(small_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("finished")
    outcome, forwards, _ = counted_run(out, small_root)
    assert forwards > 0 and (outcome.run_dir / "validation" / "mimic-eye").is_dir()
    return outcome.run_dir


@pytest.mark.parametrize("scoring", [{"threshold_policy": "max-f1"}, {"n_boot": 80},
                                     {"threshold_policy": "youden", "n_boot": 30, "ci_level": 0.8}])
def test_new_scoring_options_rescore_with_zero_forwards(finished: Path, small_root: Path, tmp_path: Path,
                                                        scoring: dict) -> None:
    before = files_bytes(finished)
    outcome, forwards, moves = counted_run(finished.parent, small_root, **scoring)
    assert (forwards, moves, outcome.predicted) == (0, 0, 0)
    assert outcome.run_dir == finished and outcome.already_complete
    assert files_bytes(finished) == before  # predictions, validation predictions and results.json untouched
    stored = outcome.scores_file
    name = (f"{scoring.get('threshold_policy', 'fixed')}__nboot{scoring.get('n_boot', 50)}"
            f"__ci{scoring.get('ci_level', 0.95):g}.json")
    assert stored == finished / "scores" / name and read_json(stored)["scoring"] == outcome.results.scoring

    fresh, fresh_forwards, _ = counted_run(tmp_path, small_root, reuse_predictions=False, **scoring)
    assert fresh_forwards > 0 and fresh.run_dir.name == finished.name
    assert outcome.results.tasks == fresh.results.tasks
    assert outcome.results.thresholds == fresh.results.thresholds
    assert outcome.results.scoring == fresh.results.scoring
    assert outcome.results.evidence == fresh.results.evidence


def test_same_scoring_options_is_complete_already(finished: Path, small_root: Path) -> None:
    scores = sorted((finished / "scores").glob("*")) if (finished / "scores").is_dir() else []
    outcome, forwards, _ = counted_run(finished.parent, small_root)
    assert outcome.already_complete and outcome.scores_file is None and forwards == 0
    assert outcome.results.to_json() == read_json(finished / "results.json")
    assert (sorted((finished / "scores").glob("*")) if (finished / "scores").is_dir() else []) == scores


def test_results_record_scoring_and_evidence(finished: Path) -> None:
    from gazebench.engine.rundir import RunDir
    from gazebench.engine.verify import prediction_digests

    results = read_json(finished / "results.json")
    assert results["schema_version"] == SCHEMA_VERSION
    assert results["scoring"] == {"threshold_policy": "fixed", "n_boot": 50, "ci_level": 0.95,
                                  "metrics": ["auroc", "acc", "f1"]}
    assert results["evidence"]["config_hash"] == results["config_hash"] == results["config"]["config_hash"]
    assert results["evidence"]["prediction_digests"] == prediction_digests(RunDir(finished), list(TASKS), "mimic-eye")
    assert set(results["evidence"]["prediction_digests"]) == {"predictions/mimic-eye", "predictions/rsna",
                                                              "validation/mimic-eye"}
    assert not {"threshold_policy", "n_boot", "ci_level"} & set(results["config"])
    assert results["higher_is_better"]["rsna"] == {"auroc": True, "acc": True, "f1": True}


def test_ci_level_sets_the_interval(finished: Path, small_root: Path) -> None:
    from gazebench.engine.scoring import rescore

    wide = rescore(finished, data_root=small_root, ci_level=0.99).tasks["rsna"].value(AUROC).ci
    narrow = rescore(finished, data_root=small_root, ci_level=0.5).tasks["rsna"].value(AUROC).ci
    assert wide[0] < narrow[0] <= narrow[1] < wide[1]  # type: ignore[operator]


def test_score_command_stores_other_options_and_never_results_json(finished: Path, small_root: Path) -> None:
    before = files_bytes(finished)
    own = CliRunner().invoke(cli, ["score", str(finished), "--data-root", str(small_root)])
    assert own.exit_code == 0, own.output
    assert not (finished / "scores" / "fixed__nboot50__ci0.95.json").exists()
    Counting.forwards = 0
    other = CliRunner().invoke(cli, ["score", str(finished), "--data-root", str(small_root), "--threshold-policy",
                                     "youden", "--n-boot", "20", "--ci-level", "0.9", "--json"])
    assert other.exit_code == 0, other.output
    assert Counting.forwards == 0 and files_bytes(finished) == before
    stored = read_json(finished / "scores" / "youden__nboot20__ci0.9.json")
    assert stored["scoring"]["n_boot"] == 20 and stored["thresholds"]["policy"] == "youden"
    assert json.loads(other.stdout)["results"] == stored["results"]


def test_bad_ci_level_is_one_line(finished: Path) -> None:
    out = CliRunner().invoke(cli, ["score", str(finished), "--ci-level", "1.5"])
    assert out.exit_code == 2 and "--ci-level" in out.output and "Traceback" not in out.output
