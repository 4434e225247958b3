"""The paper-table runner's runs are `gazebench run --tasks all` runs: same directory, and a policy of its own
is a re-scoring of the saved predictions, never a second prediction."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from gazebench.adapter import ImageBatch, register_model
from gazebench.cli.main import cli
from gazebench.models.random import RandomAdapter
from gazebench.outputs import Probabilities
from gazebench.paper.methods import PaperMethod
from gazebench.paper.runner import PaperSettings, run_method
from gazebench.task import default_task_names


class PaperCounting(RandomAdapter):
    """`random` that counts its forwards."""

    forwards = 0

    def classify(self, batch: ImageBatch) -> Probabilities:
        PaperCounting.forwards += len(batch.ids)
        return super().classify(batch)


register_model("test-paper-counting")(PaperCounting)


def test_paper_runs_are_shared_with_gazebench_run(small_root: Path, tmp_path: Path) -> None:
    out = CliRunner().invoke(cli, ["run", "--model", "test-paper-counting", "--tasks", "all", "--data-root",
                                   str(small_root), "--output-dir", str(tmp_path), "--limit", "4", "--n-boot", "20"])
    assert out.exit_code == 0, out.output
    (made,) = tmp_path.iterdir()
    assert PaperCounting.forwards > 0
    PaperCounting.forwards = 0
    settings = PaperSettings(methods="test-paper-counting", data_root=str(small_root), output_dir=str(tmp_path),
                             limit=4, n_boot=20)
    runs = run_method(PaperMethod("test-paper-counting", "test-paper-counting"), settings,
                      tuple(default_task_names()), lambda line: None)
    assert runs.run_dirs == (made,) and PaperCounting.forwards == 0
    assert settings.threshold_policy == "max-f1" and runs.results[0].scoring["threshold_policy"] == "max-f1"
    assert (made / "scores" / "max-f1__nboot20__ci0.95.json").is_file()
