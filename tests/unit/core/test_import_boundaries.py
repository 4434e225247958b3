"""The rooms import in one direction: no module under baselines/ or gazebench/ imports the reference model,
gazebench/paper/ imports no model module at all (models come through the registry), and the core imports no
specific model. Checked on the AST of every module, so an import inside a function counts too."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
MODEL_PACKAGES = ("gazebench.reference_model", "gazebench.baselines")
"""The packages that hold specific models (repo-root folders reference_model/ and baselines/)."""


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every `import X` and `from X import ...` in `path` (relative imports resolved
    against the module's own package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                raise AssertionError(f"{path}:{node.lineno}: relative import; gazebench uses absolute imports")
            out += [(node.lineno, node.module or "")] + [(node.lineno, f"{node.module}.{a.name}")
                                                          for a in node.names]
    return out


def offenders(folder: str, banned: tuple[str, ...]) -> list[str]:
    """`file:line: module` for every import under `folder` of a module in (or below) one of `banned`."""
    hits = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for line, module in imported_modules(path):
            if any(module == b or module.startswith(b + ".") for b in banned):
                hits.append(f"{path.relative_to(ROOT)}:{line}: {module}")
    return hits


@pytest.mark.parametrize(("folder", "banned"), [
    ("baselines", ("gazebench.reference_model",)),
    ("gazebench", MODEL_PACKAGES),
    ("gazebench/paper", MODEL_PACKAGES + ("gazebench.models", "gazebench.vlm")),
])
def test_no_forbidden_imports(folder: str, banned: tuple[str, ...]) -> None:
    assert offenders(folder, banned) == []


def test_the_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from gazebench.reference_model.targets import target_table\n")
    assert (2, "gazebench.reference_model.targets") in imported_modules(module)
