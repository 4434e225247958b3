"""Contract tests over every installed model × every task kind whose method it implements: the kind's record,
one value per item (its prediction columns), independent of the rest of the batch (references only for
privileged models). Classification has its own contract test (test_model_contract.py)."""
from __future__ import annotations

import dataclasses
from importlib.metadata import entry_points
from pathlib import Path

import numpy as np
import pytest
import torch

from gazebench.adapter import MODELS, Query, get_model, predict_inputs
from gazebench.engine.kinds import KINDS
from gazebench.engine.loader import pixels
from gazebench.task import get_task

INSTALLED = sorted({ep.name for ep in entry_points(group=MODELS.group)})
CASES = [(m, k) for m in INSTALLED for k in ("report", "grounding", "vqa", "scanpath")]


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
def test_model_answers_each_kind_it_implements(name: str, kind: str, samples: tuple,
                                               model_args: dict[str, dict[str, object]]) -> None:
    model, answering = get_model(name, **model_args.get(name, {})), KINDS.create(kind)
    if not answering.answers(model):
        pytest.skip(f"{name} has no `{answering.method}` method; a run skips {kind} tasks with a recorded reason")
    side = model.spec.image_size
    items = tuple(dataclasses.replace(s, sample_id=f"{s.sample_id}#0") for s in samples)

    def columns(group: tuple) -> dict:
        with torch.no_grad():
            batch = predict_inputs(group, pixels(group, model.spec), model.spec, _queries(kind, len(group), side))
            out = answering.predict(model, batch)
        return answering.columns(out, [s.sample_id for s in group], side, model)  # one value per item, checked

    out, alone = columns(items), columns(items[1:2])
    assert out, f"{kind} stores no column"
    for name_, values in out.items():
        assert len(values) == len(items)
        if name_ in alone:
            first = np.asarray(alone[name_])[0]
            if isinstance(first, str):
                assert first == np.asarray(values)[1]
            else:
                np.testing.assert_allclose(np.asarray(first, dtype=float), np.asarray(values, dtype=float)[1],
                                           atol=1e-4)
