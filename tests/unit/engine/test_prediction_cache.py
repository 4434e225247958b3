"""The prediction cache (gazebench.engine.prediction_cache): a run of the same identity into another output folder
copies the finished predictions, checked by digest, and calls no model; anything else predicts as before."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from gazebench.adapter import ImageBatch, register_model
from gazebench.engine import prediction_cache
from gazebench.engine.config import RunConfig
from gazebench.engine.evaluate import evaluate
from gazebench.engine.rundir import RunDir
from gazebench.engine.source_digest import code_digest
from gazebench.engine.verify import verify_run
from gazebench.models.cnn import SmallCNN
from gazebench.outputs import Probabilities

TASKS = ("mimic-eye", "rsna")
CNN_ARGS = (("epochs", 2), ("image_size", 32), ("width", 4))


class Counted(SmallCNN):
    """`cnn` that counts its fits and its calls, so a test sees whether the model ran."""

    fits = 0
    calls = 0

    def fit(self, ctx):  # type: ignore[no-untyped-def]
        Counted.fits += 1
        return super().fit(ctx)

    def classify(self, batch: ImageBatch) -> Probabilities:
        Counted.calls += 1
        return super().classify(batch)


register_model("test-counted-cnn")(Counted)


def config(seed: int = 11) -> RunConfig:
    return RunConfig(model="test-counted-cnn", tasks=TASKS, model_args=CNN_ARGS, seed=seed, n_boot=50)


CODE = prediction_cache.predictor_digest(Counted)


def said(capsys: pytest.CaptureFixture[str]) -> str:
    """What the run printed on stderr, its lines as the console wrapped them joined again."""
    return " ".join(capsys.readouterr().err.split())


def only_run(folder: Path) -> RunDir:
    (path,) = folder.iterdir()
    return RunDir(path)


def test_a_new_output_folder_reuses_the_predictions_and_calls_no_model(small_root: Path, tmp_path: Path) -> None:
    first = evaluate(config(), output_dir=tmp_path / "a", data_root=small_root)
    assert first.predicted > 0 and first.reused_predictions is None
    entry = prediction_cache.entry_dir(first.results.config_hash, CODE)
    listed = json.loads((entry / prediction_cache.FILES_NAME).read_text())["files"]
    assert listed == dict(first.results.evidence["prediction_files"])  # exactly the files the results came from
    fits, calls = Counted.fits, Counted.calls
    second = evaluate(config(), output_dir=tmp_path / "b", data_root=small_root)
    assert (Counted.fits, Counted.calls) == (fits, calls)  # neither fitted, restored nor called
    assert second.predicted == 0 and second.reused_checkpoint is None
    assert second.reused_predictions == prediction_cache.Restored(first.results.config_hash, CODE, len(listed))
    assert second.results.tasks == first.results.tasks and second.results.config_hash == first.results.config_hash
    run = only_run(tmp_path / "b")
    verify_run(run.path)
    provenance = json.loads(run.provenance.read_text())
    assert provenance["predictions_from_cache"] == {"config_hash": first.results.config_hash, "code": CODE,
                                                    "files": len(listed)}
    for rel, sha in listed.items():  # byte-identical copies
        assert (run.path / rel).read_bytes() == (only_run(tmp_path / "a").path / rel).read_bytes(), (rel, sha)


def test_another_identity_or_the_opt_out_predicts(small_root: Path, tmp_path: Path) -> None:
    evaluate(config(seed=12), output_dir=tmp_path / "a", data_root=small_root)
    calls = Counted.calls
    other = evaluate(config(seed=13), output_dir=tmp_path / "b", data_root=small_root)  # another seed: not reused
    assert other.reused_predictions is None and other.predicted > 0 and Counted.calls > calls
    calls = Counted.calls
    fresh = evaluate(config(seed=12), output_dir=tmp_path / "c", data_root=small_root, reuse_predictions=False)
    assert fresh.reused_predictions is None and fresh.predicted > 0 and Counted.calls > calls
    assert fresh.reused_checkpoint is True  # the fit is still reused: only the predictions were made anew
    assert "predictions_from_cache" not in json.loads(only_run(tmp_path / "c").provenance.read_text())


def test_a_damaged_entry_is_said_and_the_model_predicts(small_root: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    first = evaluate(config(seed=14), output_dir=tmp_path / "a", data_root=small_root)
    entry = prediction_cache.entry_dir(first.results.config_hash, CODE)
    (chunk,) = entry.glob("predictions/rsna/chunk-*.csv")
    chunk.write_text(chunk.read_text().replace("0.", "0.9", 1))  # one score changed in the cache
    capsys.readouterr()
    second = evaluate(config(seed=14), output_dir=tmp_path / "b", data_root=small_root)
    assert "does not match its digest; predicting anew" in said(capsys)
    assert second.reused_predictions is None and second.predicted == first.predicted
    assert second.results.tasks == first.results.tasks  # predicted again with the cached fit: the same numbers
    assert isinstance(json.loads(only_run(tmp_path / "b").provenance.read_text())["torch_threads"], int)


def test_a_partial_run_resumes_from_its_own_chunks(small_root: Path, tmp_path: Path) -> None:
    first = evaluate(config(seed=15), output_dir=tmp_path / "a", data_root=small_root)
    partial = tmp_path / "b" / first.run_dir.name
    (partial / "predictions" / "rsna").mkdir(parents=True)
    (chunk,) = first.run_dir.glob("predictions/rsna/chunk-*.csv")
    (partial / "predictions" / "rsna" / chunk.name).write_bytes(chunk.read_bytes())
    assert not prediction_cache.ready(RunDir(partial), first.results.config_hash, CODE, print)
    second = evaluate(config(seed=15), output_dir=tmp_path / "b", data_root=small_root)
    assert second.reused_predictions is None and 0 < second.predicted < first.predicted
    assert second.results.tasks == first.results.tasks


def test_store_keeps_only_the_files_the_results_came_from(tmp_path: Path) -> None:
    run = RunDir(tmp_path / "run")
    chunk = run.predictions("rsna") / "chunk-00000.csv"
    chunk.parent.mkdir(parents=True)
    chunk.write_text("sample_id,patient_id,Pneumonia\na,p,0.5\n")
    assert not prediction_cache.store(run, "f" * 64, CODE, {"predictions/rsna/chunk-00000.csv": "0" * 64})
    assert not prediction_cache.entry_dir("f" * 64, CODE).exists()  # changed since scoring: nothing kept
    listings: list[object] = [{"config_hash": "e" * 64, "code": CODE, "files": {bad: "0"}}
                              for bad in ("predictions/../../escape.csv", "/abs/chunk.csv", "config.json")]
    listings += [["predictions/rsna/chunk-00000.csv"], {"config_hash": "e" * 64, "code": "other", "files": {}}]
    for listing in listings:
        entry = prediction_cache.entry_dir("e" * 64, CODE)
        entry.mkdir(parents=True, exist_ok=True)
        (entry / prediction_cache.FILES_NAME).write_text(json.dumps(listing))
        logged: list[str] = []
        assert prediction_cache.ready(RunDir(tmp_path / "new"), "e" * 64, CODE, logged.append)
        assert prediction_cache.restore(RunDir(tmp_path / "new"), "e" * 64, CODE, logged.append) is None
        assert logged and "not a gazebench entry" in logged[0]


@pytest.mark.parametrize("changed", ["adapter source", "library version"])
def test_predictions_made_by_other_code_are_not_reused(small_root: Path, tmp_path: Path, changed: str,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    seed = 16 if changed == "adapter source" else 17
    first = evaluate(config(seed=seed), output_dir=tmp_path / "a", data_root=small_root)
    if changed == "adapter source":  # as if the adapter's file had been edited
        monkeypatch.setattr(prediction_cache, "code_digest", lambda cls: "0" * 64)
    else:  # as if torch had been upgraded
        versions = prediction_cache.package_versions()
        monkeypatch.setattr(prediction_cache, "package_versions", lambda: {**versions, "torch": "99.0"})
    capsys.readouterr()
    second = evaluate(config(seed=seed), output_dir=tmp_path / "b", data_root=small_root)
    assert "made by other code" in said(capsys)
    assert second.reused_predictions is None and second.predicted == first.predicted
    entries = prediction_cache.entry_dir(first.results.config_hash, CODE).parent
    assert len(list(entries.iterdir())) == 2  # the new code's entry kept beside the first


def test_the_code_digest_reads_the_adapter_s_package_or_its_lone_file(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    (tmp_path / "plug").mkdir()
    (tmp_path / "plug" / "__init__.py").write_text("")
    (tmp_path / "plug" / "model.py").write_text("class Model:\n    pass\n")
    (tmp_path / "plug" / "helpers.py").write_text("SCALE = 1\n")
    (tmp_path / "lone.py").write_text("class Lone:\n    pass\n")
    (tmp_path / "beside.py").write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    model, lone = importlib.import_module("plug.model").Model, importlib.import_module("lone").Lone
    before = code_digest(model), code_digest(lone)
    (tmp_path / "plug" / "helpers.py").write_text("SCALE = 2\n")  # a module of the adapter's package
    (tmp_path / "beside.py").write_text("X = 2\n")  # a file beside a lone module: not its code
    assert code_digest(model) != before[0] and code_digest(lone) == before[1]
    (tmp_path / "lone.py").write_text("class Lone:\n    scale = 2\n")
    assert code_digest(lone) != before[1]
