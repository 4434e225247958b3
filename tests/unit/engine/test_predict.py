from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from gazebench.adapter import Adapter, ImageBatch, InputSpec
from gazebench.engine.failures import ModelFailure
from gazebench.engine.kinds.classification import ClassificationKind
from gazebench.engine.loader import batches, pixels
from gazebench.engine.predict import predict_split
from gazebench.engine.predictions import gaze_columns, read_predictions
from gazebench.errors import ConfigError, GazebenchError
from gazebench.models.random import RandomAdapter
from gazebench.outputs import Probabilities
from gazebench.records import Sample

CLASSIFY = ClassificationKind()

CPU = torch.device("cpu")


class Flaky(RandomAdapter):
    """The random model, failing once after `fail_after` batches (an injected crash)."""

    def __init__(self, fail_after: int) -> None:
        super().__init__(seed=1)
        self.calls, self.fail_after = 0, fail_after

    def classify(self, batch: ImageBatch) -> Probabilities:
        self.calls += 1
        if self.calls == self.fail_after + 1:
            raise RuntimeError("injected failure")
        return super().classify(batch)


def test_loader_normalises_to_spec(samples: tuple[Sample, ...]) -> None:
    spec = InputSpec(image_size=16, channels=3, mean=(0.5, 0.5, 0.5), std=(0.25, 0.25, 0.25))
    x = pixels(samples[:3], spec)
    assert x.shape == (3, 3, 16, 16) and x.dtype == torch.float32
    assert torch.equal(x[:, 0], x[:, 2])
    assert float(x.min()) >= -2.0 - 1e-6 and float(x.max()) <= 2.0 + 1e-6
    got = [b.ids for b in batches(samples, spec, 10, CPU)]
    assert [len(g) for g in got] == [10, 10, 3] and sum(got, ()) == tuple(s.sample_id for s in samples)


def test_resume_after_crash_equals_uninterrupted(samples: tuple[Sample, ...], tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    predict_split(RandomAdapter(seed=1), samples, clean, kind=CLASSIFY, batch_size=4, chunk_size=8, device=CPU)
    resumed = tmp_path / "resumed"
    flaky = Flaky(fail_after=5)
    with pytest.raises(ModelFailure, match="raised RuntimeError: injected failure on batch"):  # the cause kept
        predict_split(flaky, samples, resumed, kind=CLASSIFY, batch_size=4, chunk_size=8, device=CPU)
    assert len(read_predictions(resumed)) == 16  # two chunks of 8 flushed before batch 6 failed
    redone = predict_split(flaky, samples, resumed, kind=CLASSIFY, batch_size=4, chunk_size=8, device=CPU)
    assert redone == len(samples) - 16
    a = read_predictions(clean).set_index("sample_id").sort_index()
    b = read_predictions(resumed).set_index("sample_id").sort_index()
    pd.testing.assert_frame_equal(a, b)
    assert predict_split(flaky, samples, resumed, kind=CLASSIFY, batch_size=4, chunk_size=8, device=CPU) == 0


def test_scores_do_not_depend_on_batch_size(samples: tuple[Sample, ...], tmp_path: Path) -> None:
    frames = []
    for bs in (1, 5, 64):
        predict_split(RandomAdapter(seed=2), samples, tmp_path / str(bs), kind=CLASSIFY,
                      batch_size=bs, chunk_size=7, device=CPU)
        frames.append(read_predictions(tmp_path / str(bs)))
    for f in frames[1:]:
        pd.testing.assert_frame_equal(frames[0], f)


def test_predictions_hold_ids_and_scores_only(samples: tuple[Sample, ...], tmp_path: Path) -> None:
    predict_split(RandomAdapter(), samples, tmp_path, kind=CLASSIFY, batch_size=8, chunk_size=100, device=CPU)
    df = read_predictions(tmp_path)
    assert list(df.columns[:2]) == ["sample_id", "patient_id"]
    assert list(df.columns[2:]) == list(RandomAdapter.spec.labels)
    assert df["patient_id"].tolist() == [s.patient_id for s in samples]


class Broken(Adapter):
    spec = InputSpec(image_size=8)

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def classify(self, batch: ImageBatch) -> Probabilities:
        n = len(batch.ids)
        if self.kind == "shape":
            return Probabilities(probs=np.zeros((n, 3)))
        if self.kind == "range":
            return Probabilities(probs=np.full((n, 14), 1.5))
        return Probabilities(probs=np.zeros((n, 14)), gaze=np.array([[1, 2, 3]] * n), saliency=None)


@pytest.mark.parametrize("kind,match", [("shape", "shape"), ("range", "outside")])
def test_contract_violations_are_reported(kind: str, match: str, samples: tuple[Sample, ...], tmp_path: Path) -> None:
    with pytest.raises(GazebenchError, match=match):
        predict_split(Broken(kind), samples, tmp_path, kind=CLASSIFY, batch_size=8, chunk_size=8, device=CPU)


class BadSaliency(RandomAdapter):
    """`random` with a 2×2 saliency grid whose map for the third sample is `value` (others uniform)."""

    spec = InputSpec(image_size=8, patch_size=4)

    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value

    def classify(self, batch: ImageBatch) -> Probabilities:
        sal = np.ones((len(batch.ids), 2, 2))
        sal[[i for i, sid in enumerate(batch.ids) if sid == "s002"], 0, 1] = self.value
        return Probabilities(probs=super().classify(batch).probs, saliency=sal)


@pytest.mark.parametrize("value", [-0.5, float("nan"), float("inf")])
def test_negative_or_non_finite_saliency_names_model_and_sample(value: float, samples: tuple[Sample, ...],
                                                                 tmp_path: Path) -> None:
    with pytest.raises(GazebenchError, match=r"BadSaliency .*saliency map for sample 's002'"):
        predict_split(BadSaliency(value), samples[:5], tmp_path, kind=CLASSIFY, batch_size=2, chunk_size=8, device=CPU)


def test_zero_saliency_is_accepted_and_saved(samples: tuple[Sample, ...], tmp_path: Path) -> None:
    predict_split(BadSaliency(0.0), samples[:3], tmp_path, kind=CLASSIFY, batch_size=2, chunk_size=8, device=CPU)
    df = read_predictions(tmp_path)
    assert gaze_columns(df, "s") == ["s0", "s1", "s2", "s3"] and df["s1"].tolist() == [1.0, 1.0, 0.0]


def test_gaze_columns_written_in_order(samples: tuple[Sample, ...], tmp_path: Path) -> None:
    predict_split(Broken("gaze"), samples[:3], tmp_path, kind=CLASSIFY, batch_size=2, chunk_size=8, device=CPU)
    df = read_predictions(tmp_path)
    assert gaze_columns(df, "g") == ["g0", "g1", "g2"] and df["g2"].tolist() == [3, 3, 3]


def test_duplicate_predictions_are_refused(samples: tuple[Sample, ...], tmp_path: Path) -> None:
    predict_split(RandomAdapter(), samples[:4], tmp_path, kind=CLASSIFY, batch_size=2, chunk_size=4, device=CPU)
    (tmp_path / "chunk-00001.csv").write_text((tmp_path / "chunk-00000.csv").read_text())
    with pytest.raises(ConfigError, match="predicted twice"):
        read_predictions(tmp_path)


@pytest.mark.parametrize("damage,why,readers", [
    ("ragged row", "Error tokenizing data. C error: Expected", ("read_predictions",)),  # the id column alone reads
    ("not UTF-8", "codec can't decode byte 0xff", ("read_predictions", "predicted_ids")),
    ("a folder", "Is a directory", ("read_predictions", "predicted_ids")),
])
def test_a_chunk_that_cannot_be_read_is_one_line(samples: tuple[Sample, ...], tmp_path: Path, damage: str,
                                                 why: str, readers: tuple[str, ...]) -> None:
    """What a resumed run reads of its own chunks before verification has a results.json to check them against."""
    from gazebench.engine import predictions

    predict_split(RandomAdapter(), samples[:4], tmp_path, kind=CLASSIFY, batch_size=2, chunk_size=4, device=CPU)
    chunk = tmp_path / "chunk-00000.csv"
    if damage == "ragged row":
        chunk.write_text(chunk.read_text() + "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s\n")
    elif damage == "not UTF-8":
        chunk.write_bytes(b"sample_id,patient_id\n\xff,1\n")
    else:
        chunk.unlink()
        chunk.mkdir()
    for reader in readers:
        with pytest.raises(ConfigError) as err:
            getattr(predictions, reader)(tmp_path)
        assert str(err.value).startswith(f"{chunk}: unreadable predictions chunk (") and why in str(err.value)
        assert "\n" not in str(err.value)
