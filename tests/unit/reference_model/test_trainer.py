"""Two-stage fit on hand-built samples: checkpoints, exact resume after an interruption, determinism."""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import pytest
import torch

from fixtures.vlm import SMALL_GAZE, batches
from gazebench.adapter import FitContext, TrainBatch
from gazebench.reference_model import GazeTokenAdapter
from gazebench.train import label_targets


def _fit(ctx: FitContext) -> tuple[GazeTokenAdapter, list[str]]:
    logs: list[str] = []
    adapter = GazeTokenAdapter("original", **SMALL_GAZE)
    adapter.fit(dataclasses.replace(ctx, log=logs.append))
    return adapter, logs


def _same(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_fit_checkpoints_resumes_exactly_and_is_deterministic(fit_context: FitContext, tmp_path) -> None:  # noqa: ANN001
    done, logs = _fit(fit_context)
    work = fit_context.workdir
    saved = json.loads((work / "config.json").read_text())
    assert saved["config"] == done.cfg.to_dict()
    progress = json.loads((work / "stage2-labels" / "progress.json").read_text())
    assert progress["finished"] and progress["epochs_done"] == 2 and "val_score" in progress["history"][0]
    assert {p.name for p in (work / "stage2-labels").iterdir()} >= {"best.safetensors", "last.safetensors",
                                                                     "optimizer.safetensors", "progress.json"}
    assert any("8 train images" in line or "7/8" in line for line in logs)

    calls = {"n": 0}

    def failing(samples: tuple, bs: int, shuffle: bool) -> Iterator[TrainBatch]:
        for b in batches(samples, bs, shuffle):
            calls["n"] += 1
            if calls["n"] == 6:  # stage 1: 2 batches; stage 2 epoch 1: 2 + 1 validate; dies in epoch 2
                raise RuntimeError("injected failure")
            yield b

    other = dataclasses.replace(fit_context, workdir=tmp_path / "other", batches=failing)
    with pytest.raises(RuntimeError, match="injected"):
        GazeTokenAdapter("original", **SMALL_GAZE).fit(other)
    resumed, logs = _fit(dataclasses.replace(other, batches=batches))
    assert any("stage2-labels: resuming after epoch 1" in line for line in logs)
    assert _same(resumed.state_dict(), done.state_dict())

    again, logs = _fit(fit_context)  # finished stages are not retrained
    assert any("stage2-labels: resuming after epoch 2" in line for line in logs)
    assert _same(again.state_dict(), done.state_dict())


def test_variants_differ_only_in_targets(fit_context: FitContext) -> None:
    terms = {kind: GazeTokenAdapter(kind).target_terms(fit_context.train, fit_context.seed)
             for kind in ("original", "shuffled", "random")}
    assert all(len(t) == 1 and t[0].name == "gaze" for t in terms.values())  # one term; only its targets differ
    gaze = {kind: t[0].targets for kind, t in terms.items()}
    assert gaze["original"].keys() == gaze["shuffled"].keys() == gaze["random"].keys()
    assert "s3" not in gaze["original"] and len(gaze["original"]) == 7  # s3 has no gaze: masked
    for sid, orig in gaze["original"].items():
        shuf = gaze["shuffled"][sid]
        assert sorted(orig) == sorted(shuf) and list(orig) != list(shuf)
        assert list(gaze["random"][sid]) != list(orig)
    # the radiologist looked at the four corners of an 8×8 grid, in some order
    assert set(gaze["original"]["s0"]) == {0, 7, 63, 56}
    labels = label_targets(fit_context, fit_context.train)[1]
    assert labels[0] == 1.0 and torch.isnan(torch.tensor(labels[3]))  # uncertain label masked
