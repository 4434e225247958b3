"""Imports point down an ordered list of layers, and no module imports itself back through others.

Every module of the installed package (gazebench/ and the repo-root folders tasks/, baselines/ and
reference_model/ that setup.py installs under it) belongs to exactly one unit of `LAYERS`; a module may import
its own unit and the units of lower layers only, and units of one layer are independent of each other. The
order is the one the code needs, lowest first:

1. errors and labels import nothing of gazebench;
2. the leaves every layer shares: the registry, model options, the runtime policy (device, precision,
   threads), the cache location, the checkpoint-folder check and the weight-path placeholders;
3. records (frozen samples, gaze, findings) and the model-output records; 4. data (readers, images, digests, splits);
5. what reads records without a task: gaze processing, report labelers, the simulator (it writes files the
   data layer reads);
6. metrics (over gaze and label arrays) and the data-root resolver (it may generate the simulated study);
7. the task, the model interface (`adapter`), the typed results, the typed paired comparisons and the run
   configuration, independent of each other;
8. the training loop and the package's facade (`gazebench/__init__.py`, which re-exports both);
9. what every kind reads of a run: the predictions table, slices and extra metric families (e.g.
   calibration); 10. the task kinds; 11. the engine (fit, predict, score, run directories);
12. readers of runs: leaderboard tables and the lm-eval bridge; 13. the viewer and the paper tables
    (both draw leaderboard tables); 14. the CLI, and 15. `python -m gazebench` over it;
16. plugins, on top: the VLM library, then the built-in tasks, models, baselines and the reference model.
    Nothing in gazebench imports a plugin — tasks and models come in through entry points — so putting them
    last makes "the core never imports a specific model" part of the order, and `baselines` and
    `reference_model` being one layer keeps them independent of each other.

Imports are read from the AST of every module, so an import inside a function counts too; those under
`if TYPE_CHECKING:` are left out (never executed, they only name types for annotations). Importing a
submodule (`from gazebench.data.readers import chexpert`) is an edge to the submodule, not to its package.
"""
from __future__ import annotations

import ast
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

LAYERS: tuple[tuple[str, ...], ...] = (
    ("gazebench.errors", "gazebench.labels"),
    ("gazebench.registry", "gazebench.options", "gazebench.runtime", "gazebench.paths", "gazebench.checkpoint_dir",
     "gazebench.weight_paths"),
    ("gazebench.records", "gazebench.outputs"),
    ("gazebench.data",),
    ("gazebench.gaze", "gazebench.reports", "gazebench.synthetic"),
    ("gazebench.metrics", "gazebench.data_root"),
    ("gazebench.task", "gazebench.adapter", "gazebench.results", "gazebench.comparison", "gazebench.engine.config"),
    ("gazebench.train", "gazebench"),
    ("gazebench.engine.predictions", "gazebench.engine.slices", "gazebench.engine.families"),
    ("gazebench.engine.kinds",),
    ("gazebench.engine",),
    ("gazebench.leaderboard", "gazebench.bridges"),
    ("gazebench.viewer", "gazebench.paper"),
    ("gazebench.cli",),
    ("gazebench.__main__",),
    ("gazebench.vlm",),
    ("gazebench.tasks", "gazebench.models", "gazebench.baselines", "gazebench.reference_model"),
)
"""Units, lowest layer first; a unit is a module and everything below it (the longest matching unit wins, and
the bare `gazebench` is the package's own __init__ only)."""

def package_dirs() -> dict[str, Path]:
    """Installed package name → source folder, read from setup.py's ROOTS (the one place that declares it)."""
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "ROOTS" for t in node.targets):
            return {name: ROOT / folder for name, folder in ast.literal_eval(node.value).items()}
    raise AssertionError("setup.py declares no ROOTS")


@cache
def modules() -> dict[str, Path]:
    """Every module of the installed package by dotted name (a package by its __init__.py)."""
    out: dict[str, Path] = {}
    for package, folder in package_dirs().items():
        for path in sorted(folder.rglob("*.py")):
            parts = [p for p in path.relative_to(folder).with_suffix("").parts if p != "__init__"]
            out[".".join([package, *parts])] = path
    return out


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of the nodes under an `if TYPE_CHECKING:` (or `typing.TYPE_CHECKING`) block."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else test.attr if isinstance(test, ast.Attribute) else ""
            if name == "TYPE_CHECKING":
                skipped |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return skipped


def imported_modules(path: Path, known: Iterable[str] = ()) -> list[tuple[int, str]]:
    """(line, module) for every executed `import X` and `from X import ...` in `path`; `from P import n` names
    `P.n` when that is a module in `known`, else `P`. Relative imports are refused (gazebench imports absolutely)."""
    known = set(known)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skipped = _type_checking_nodes(tree)
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                raise AssertionError(f"{path}:{node.lineno}: relative import; gazebench uses absolute imports")
            module = node.module or ""
            out += [(node.lineno, f"{module}.{a.name}" if f"{module}.{a.name}" in known else module)
                    for a in node.names]
    return out


def unit_of(module: str) -> str | None:
    """The declared unit holding `module` (the longest match), None when no layer declares it."""
    best = None
    for unit in (u for layer in LAYERS for u in layer):
        inside = module == unit if unit == "gazebench" else module == unit or module.startswith(unit + ".")
        if inside and (best is None or len(unit) > len(best)):
            best = unit
    return best


def layer_of(unit: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if unit in layer)


def import_graph() -> dict[str, dict[str, int]]:
    """module → {imported gazebench module: first line}, the allowed-for-now edges left out (a fresh copy)."""
    return {m: dict(e) for m, e in _graph().items()}


@cache
def _graph() -> dict[str, dict[str, int]]:
    mods = modules()
    graph: dict[str, dict[str, int]] = {}
    for name, path in mods.items():
        edges: dict[str, int] = {}
        for line, target in imported_modules(path, mods):
            if target in mods and target != name:
                edges.setdefault(target, line)
        graph[name] = edges
    return graph


def upward_imports(graph: dict[str, dict[str, int]]) -> list[str]:
    """`file:line: importer -> imported (why)` for every import into a higher layer or a sibling unit."""
    mods = modules()
    bad = []
    for name, edges in graph.items():
        src = unit_of(name)
        assert src is not None
        for target, line in edges.items():
            dst = unit_of(target)
            assert dst is not None
            if src == dst or layer_of(dst) < layer_of(src):
                continue
            why = "same layer, independent units" if layer_of(dst) == layer_of(src) else "upward"
            bad.append(f"{mods[name].relative_to(ROOT)}:{line}: {name} -> {target} ({why})")
    return bad


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_every_module_belongs_to_a_layer() -> None:
    assert [m for m in modules() if unit_of(m) is None] == []
    units = [u for layer in LAYERS for u in layer]
    assert len(units) == len(set(units))


def test_imports_point_down_the_layers() -> None:
    assert upward_imports(import_graph()) == []


def test_no_import_cycle() -> None:
    assert cycles(import_graph()) == []


def test_the_check_sees_imports_inside_functions_but_not_type_only_ones(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from gazebench.engine import rundir\n"
                      "def f():\n    from gazebench.reference_model.targets import target_table\n")
    found = imported_modules(module)
    assert (5, "gazebench.reference_model.targets") in found
    assert all(m != "gazebench.engine" for _, m in found)


@pytest.mark.parametrize(("importer", "imported", "why"), [
    ("gazebench.engine.evaluate", "gazebench.models", "upward"),  # the core imports a model
    ("gazebench.baselines.gazex.adapter", "gazebench.reference_model.adapter", "same layer"),
    ("gazebench.runtime", "gazebench.engine.config", "upward"),
])
def test_the_check_fails_on_a_planted_violation(importer: str, imported: str, why: str) -> None:
    graph = import_graph()
    graph[importer][imported] = 1
    assert any(f"{importer} -> {imported} ({why}" in line for line in upward_imports(graph))


def test_the_check_fails_on_a_planted_cycle() -> None:
    graph = import_graph()
    graph["gazebench.engine.rundir"]["gazebench.engine.evaluate"] = 1  # evaluate imports rundir
    assert any({"gazebench.engine.rundir", "gazebench.engine.evaluate"} <= set(c) for c in cycles(graph))
