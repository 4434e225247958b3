"""The predict contract: `predict()` sees inputs, never answers. A label-peeking model tries every casual route
to the labels or test-time gaze (the batch, its items, the globals of every gazebench module) inside a real
`evaluate()` run and finds nothing; the probe itself is shown to find leaks planted on each route; a
gaze-at-inference model gets exactly its own images' fixations; `oracle` reads labels only by declaring
itself privileged, and its track is recorded and marked.

Not tested, by design (README, gazebench/adapter.py): a model walking `gc.get_objects()` or the caller's
stack frames; only process isolation would stop that."""
from __future__ import annotations

import dataclasses
import functools
import sys
import types
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from rich.console import Console

from gazebench.adapter import (
    TRACKS,
    ImageBatch,
    InputSpec,
    TrainBatch,
    predict_inputs,
    register_model,
    to_gaze_input,
)
from gazebench.engine.config import RunConfig
from gazebench.engine.evaluate import evaluate
from gazebench.engine.run_table import results_table
from gazebench.engine.workload import TaskData
from gazebench.metrics.vocabulary import AUROC
from gazebench.models.random import RandomAdapter
from gazebench.outputs import Probabilities
from gazebench.records import Dataset, Fixations, GazeRecord, Sample
from gazebench.task import get_task

ANSWERS = (Sample, Dataset, TaskData, GazeRecord, Fixations)
"""Objects that carry labels or radiologist gaze; none may be reachable from predict()."""
LEAVES = (str, bytes, int, float, complex, bool, type(None), types.ModuleType, torch.dtype, torch.device)
DEPTH = 6
FAST = {"n_boot": 50, "limit": 6}


def _ours(obj: object) -> bool:
    """True for objects whose class (or, for a class, itself) is defined in a gazebench module."""
    module = obj.__module__ if isinstance(obj, type) else type(obj).__module__
    return isinstance(module, str) and (module == "gazebench" or module.startswith("gazebench."))


def _cell(cell: types.CellType) -> object:
    """A closure cell's value (None for a cell not yet filled)."""
    try:
        return cell.cell_contents
    except ValueError:
        return None


def _children(obj: object, path: str) -> list[tuple[str, object]]:
    """What a curious model can reach from `obj` in one step without walking the interpreter."""
    if isinstance(obj, dict):
        return [(f"{path}[{k!r}]", v) for k, v in obj.items()] + [(f"{path}.keys()", k) for k in obj]
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [(f"{path}[{i}]", v) for i, v in enumerate(obj)]
    if isinstance(obj, np.ndarray):
        return [(f"{path}.flat[{i}]", v) for i, v in enumerate(obj.ravel())] if obj.dtype == object else []
    if isinstance(obj, torch.Tensor):
        return [(f"{path}.{k}", v) for k, v in vars(obj).items()] + [(f"{path}._base", obj._base)]
    if isinstance(obj, types.MethodType):
        return [(f"{path}.__func__", obj.__func__)]
    if isinstance(obj, functools.partial):
        return [(f"{path}.func", obj.func), (f"{path}.args", obj.args), (f"{path}.keywords", obj.keywords)]
    if isinstance(obj, types.FunctionType):
        cells = [(f"{path}.<closure {i}>", _cell(c)) for i, c in enumerate(obj.__closure__ or ())]
        return cells + [(f"{path}.__defaults__", obj.__defaults__), (f"{path}.__kwdefaults__", obj.__kwdefaults__)]
    if hasattr(obj, "__wrapped__") and hasattr(obj, "cache_info"):
        return [(f"{path}.__wrapped__", obj.__wrapped__)]
    if not _ours(obj):
        return []
    found = [(f"{path}.{k}", v) for k, v in getattr(obj, "__dict__", {}).items()]
    slots = [s for cls in type(obj).__mro__ for s in getattr(cls, "__slots__", ())]
    return found + [(f"{path}.{s}", getattr(obj, s)) for s in slots if hasattr(obj, s)]


def leaks(obj: object, path: str, seen: set[int] | None = None, depth: int = 0) -> list[str]:
    """Paths from `obj` to a Sample/Dataset/TaskData/GazeRecord/Fixations or to a filled lru_cache."""
    seen = set() if seen is None else seen
    if id(obj) in seen or depth > DEPTH or isinstance(obj, LEAVES):
        return []
    seen.add(id(obj))
    if isinstance(obj, ANSWERS):
        return [f"{path} is a {type(obj).__name__}"]
    out = []
    if hasattr(obj, "cache_info") and callable(obj.cache_info) and hasattr(obj, "__wrapped__"):
        held = obj.cache_info().currsize
        out += [f"{path} is an lru_cache holding {held} result(s)"] if held else []
    for child_path, child in _children(obj, path):
        out += leaks(child, child_path, seen, depth + 1)
    return out


def batch_routes(batch: object) -> list[str]:
    """Every route through the batch: each dir() name, __dict__, __slots__, dataclass fields, and their items."""
    found: list[str] = []
    seen: set[int] = set()
    if hasattr(batch, "__dict__"):
        found.append("the batch has a __dict__")
    names = set(dir(batch)) | {f.name for f in dataclasses.fields(batch)}  # type: ignore[arg-type]
    names |= set(getattr(type(batch), "__slots__", ()))
    for name in sorted(names):
        try:
            value = getattr(batch, name)
        except AttributeError:
            continue
        found += leaks(value, f"batch.{name}", seen)
    pixels = getattr(batch, "pixels", None)
    if isinstance(pixels, torch.Tensor):
        found += [f"batch.pixels.{k} attached" for k in vars(pixels)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name in dir(pixels):
                try:
                    value = getattr(pixels, name)
                except Exception:  # noqa: BLE001  (some tensor properties refuse to be read: that is fine)
                    continue
                found += leaks(value, f"batch.pixels.{name}", seen)
    return found


def global_routes() -> list[str]:
    """Every route through the module globals of every loaded gazebench module (and their lru_caches)."""
    found: list[str] = []
    seen: set[int] = set()
    for name, module in sorted(sys.modules.items()):
        if module is not None and (name == "gazebench" or name.startswith("gazebench.")):
            for key, value in list(vars(module).items()):
                found += leaks(value, f"{name}.{key}", seen)
    return found


class Peek(RandomAdapter):
    """`random`, plus a search of every route to the answers at each predict call (findings kept per run)."""

    spec = InputSpec(image_size=16)
    found: list[str] = []
    seen: dict[str, tuple[Any, Any]] = {}

    def classify(self, batch: ImageBatch) -> Probabilities:
        Peek.found += batch_routes(batch) + global_routes()
        Peek.found += [f"id {i!r} is a {type(i).__name__}" for i in batch.ids if type(i) is not str]
        Peek.seen.update({i: (batch.gaze, batch.labels) for i in batch.ids})
        return super().classify(batch)


class GazeReader(RandomAdapter):
    """A gaze-at-inference model: records the fixations it is given, per image id."""

    spec = InputSpec(image_size=16, gaze_input=True)
    given: dict[str, Any] = {}

    def classify(self, batch: ImageBatch) -> Probabilities:
        assert batch.gaze is not None and batch.labels is None
        GazeReader.given.update(zip(batch.ids, batch.gaze, strict=True))
        return super().classify(batch)


register_model("test-peek")(Peek)
register_model("test-gaze-reader")(GazeReader)


def evaluated_ids(root: Path) -> set[str]:
    """Ids a FAST run over mimic-eye and rsna predicts: mimic-eye validate and test, rsna test, each limited."""
    mimic, rsna = get_task("mimic-eye").load(root), get_task("rsna").load(root)
    return {s.sample_id for s in (*mimic.split("validate")[:FAST["limit"]], *mimic.split("test")[:FAST["limit"]],
                                  *rsna.split("test")[:FAST["limit"]])}


def test_a_peeking_model_finds_no_route_to_labels_or_gaze(small_root: Path, tmp_path: Path) -> None:
    Peek.found, Peek.seen = [], {}
    results = evaluate(RunConfig(model="test-peek", tasks=("mimic-eye", "rsna"), **FAST), output_dir=tmp_path,
                       data_root=small_root, console=Console(quiet=True)).results
    assert set(Peek.seen) == evaluated_ids(small_root)  # every image was predicted after a search
    assert Peek.found == []
    assert all(gaze is None and labels is None for gaze, labels in Peek.seen.values())
    assert results.config["adapter"]["track"] == "standard"


def test_the_probe_finds_leaks_planted_on_each_route(small_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The search above can fail: a leak planted on each route it covers is found."""
    sample = next(s for s in get_task("mimic-eye").load(small_root).samples if s.gaze)
    x = torch.zeros(1, 1, 16, 16)
    assert any("Sample" in f for f in batch_routes(TrainBatch((sample,), x)))  # the old fit-time batch
    tagged = torch.zeros(1, 1, 16, 16)
    tagged.source = sample  # type: ignore[attr-defined]
    assert "batch.pixels.source attached" in batch_routes(ImageBatch(("a",), tagged))
    gaze_batch = predict_inputs((sample,), x, InputSpec(image_size=16, gaze_input=True))
    assert batch_routes(gaze_batch) == []  # copies of the fixations, never the records

    import gazebench.data.readers as readers
    import gazebench.engine.workload as workload

    assert global_routes() == []
    monkeypatch.setattr(workload, "_LOADED", {"mimic-eye": [(sample.sample_id, sample)]}, raising=False)
    assert any("_LOADED" in f and "Sample" in f for f in global_routes())
    monkeypatch.delattr(workload, "_LOADED")
    cached = functools.lru_cache(maxsize=None)(lambda root: root)
    cached(small_root)
    monkeypatch.setattr(readers, "_read", cached, raising=False)
    assert any("_read is an lru_cache" in f for f in global_routes())
    monkeypatch.delattr(readers, "_read")
    monkeypatch.setattr(workload, "_remember", lambda: sample, raising=False)
    assert global_routes() == ["gazebench.engine.workload._remember.<closure 0> is a Sample"]


def test_batches_carry_only_what_the_spec_declares(small_root: Path) -> None:
    samples = tuple(s for s in get_task("mimic-eye").load(small_root).samples if s.gaze)[:3]
    x = torch.zeros(3, 1, 16, 16)
    standard = predict_inputs(samples, x, InputSpec(image_size=16))
    assert standard.gaze is None and standard.labels is None and standard.ids == tuple(s.sample_id for s in samples)
    privileged = predict_inputs(samples, x, InputSpec(image_size=16, labels=("Edema", "No Finding"), privileged=True))
    assert privileged.labels is not None and not privileged.labels.flags.writeable
    expected = np.array([[s.labels[5], s.labels[0]] for s in samples])
    np.testing.assert_array_equal(privileged.labels, expected)
    with pytest.raises(dataclasses.FrozenInstanceError):
        standard.labels = expected  # type: ignore[misc]
    with pytest.raises(ValueError, match="as many"):
        ImageBatch(("a", "b"), x)


def test_gaze_input_joins_readings_in_the_first_frame() -> None:
    def record(size: tuple[int, int], xs: list[float]) -> GazeRecord:
        arr = np.asarray(xs, dtype=np.float64)
        return GazeRecord("reflacx", "r", size, Fixations(np.arange(len(xs)) * 1.0, np.arange(len(xs)) + 0.5, arr, arr))

    g = to_gaze_input((record((100, 200), [10.0, 20.0]), record((50, 100), [5.0])))
    assert g.image_size == (100, 200)
    np.testing.assert_array_equal(g.x, [10.0, 20.0, 10.0])  # the 50×100 reading scaled ×2 into 100×200
    np.testing.assert_array_equal(g.y, [10.0, 20.0, 10.0])
    np.testing.assert_array_equal(g.reading, [0, 0, 1])
    np.testing.assert_array_equal(g.t_start, [0.0, 1.0, 0.0])
    assert not any(a.flags.writeable for a in (g.t_start, g.t_end, g.x, g.y, g.reading))
    empty = to_gaze_input(())
    assert empty.image_size is None and len(empty.x) == 0


def test_a_gaze_input_model_gets_exactly_its_own_images_fixations(small_root: Path, tmp_path: Path) -> None:
    GazeReader.given = {}
    results = evaluate(RunConfig(model="test-gaze-reader", tasks=("mimic-eye", "rsna"), **FAST),
                       output_dir=tmp_path, data_root=small_root, console=Console(quiet=True)).results
    by_id = {s.sample_id: s for name in ("mimic-eye", "rsna") for s in get_task(name).load(small_root).samples}
    assert set(GazeReader.given) == evaluated_ids(small_root)
    with_gaze = 0
    for sample_id, given in GazeReader.given.items():
        records = by_id[sample_id].gaze
        assert len(given.x) == sum(len(r.fixations) for r in records), sample_id
        if records:
            with_gaze += 1
            assert given.image_size == records[0].image_size
            np.testing.assert_array_equal(given.t_start, np.concatenate([r.fixations.t_start for r in records]))
            np.testing.assert_array_equal(given.x[: len(records[0].fixations)], records[0].fixations.x)
    assert with_gaze >= 6  # every mimic-eye image has a reading; rsna images have none
    assert results.config["adapter"]["track"] == "gaze-at-inference"


def test_oracle_is_perfect_through_declared_labels_and_marked(small_root: Path, tmp_path: Path) -> None:
    results = evaluate(RunConfig(model="oracle", tasks=("mimic-eye", "rsna"), **FAST), output_dir=tmp_path,
                       data_root=small_root, console=Console(quiet=True)).results
    assert all(r.value(AUROC).value == 1.0 for r in results.tasks.values())
    assert results.config["adapter"]["track"] == "privileged"
    assert results.config["adapter"]["spec"]["privileged"] is True
    console = Console(width=200, record=True)
    console.print(results_table(results, title="oracle"))
    text = console.export_text()
    assert "oracle † privileged: reads the labels" in text and "mimic-eye †" in text and "rsna †" in text


def test_tracks_follow_the_spec() -> None:
    assert InputSpec().track == "standard"
    assert InputSpec(gaze_input=True).track == "gaze-at-inference"
    assert InputSpec(privileged=True, gaze_input=True).track == "privileged"
    assert set(TRACKS) == {"standard", "gaze-at-inference", "privileged"}
