"""Contract tests over every installed model × every task kind it declares: the output field of the kind, of
the right length and shape, independent of the rest of the batch (references only for privileged models)."""
from __future__ import annotations

import dataclasses
from importlib.metadata import entry_points
from pathlib import Path

import numpy as np
import pytest
import torch

from gazebench.adapter import MODELS, Query, get_model, predict_inputs
from gazebench.engine.loader import pixels
from gazebench.task import KINDS, get_task

INSTALLED = sorted({ep.name for ep in entry_points(group=MODELS.group)})
CASES = [(m, k) for m in INSTALLED for k in KINDS if k != "classification"]


@pytest.fixture(scope="module")
def samples(small_root: Path) -> tuple:
    return get_task("mimic-eye").load(small_root).samples[:3]


def _queries(kind: str, n: int, side: int) -> list[Query]:
    if kind == "grounding":
        return [Query(prompt="Pleural effusion", reference=(1.0, 2.0, side / 2, side / 2)) for _ in range(n)]
    if kind == "vqa":
        return [Query(prompt="Is there an effusion?", choices=("yes", "no"), reference="yes") for _ in range(n)]
    if kind == "scanpath":
        return [Query(reference=np.array([[1.0, 2.0], [side / 2, side / 3]])) for _ in range(n)]
    return [Query(reference="No acute process.") for _ in range(n)]


@pytest.mark.parametrize(("name", "kind"), CASES)
def test_model_answers_each_kind_it_declares(name: str, kind: str, samples: tuple,
                                             model_args: dict[str, dict[str, object]]) -> None:
    model = get_model(name, **model_args.get(name, {}))
    if kind not in model.spec.kinds:
        pytest.skip(f"{name} does not declare {kind}; a run skips such tasks with a recorded reason")
    side = model.spec.image_size
    items = tuple(dataclasses.replace(s, sample_id=f"{s.sample_id}#0") for s in samples)

    def predict(group: tuple) -> object:
        with torch.no_grad():
            queries = _queries(kind, len(group), side)
            return model.predict(predict_inputs(group, pixels(group, model.spec), model.spec, kind, queries))

    out, alone = predict(items), predict(items[1:2])
    n = len(items)
    if kind == "report":
        assert len(out.reports) == n and all(isinstance(r, str) for r in out.reports)
        assert alone.reports[0] == out.reports[1]
    elif kind == "grounding":
        assert np.asarray(out.boxes).shape == (n, 4)
        np.testing.assert_allclose(alone.boxes[0], out.boxes[1], atol=1e-4)
    elif kind == "vqa":
        assert len(out.answers) == n and alone.answers[0] == out.answers[1]
    else:
        assert len(out.scanpath) == n and all(np.asarray(p).shape[-1] in (2, 4) for p in out.scanpath)
