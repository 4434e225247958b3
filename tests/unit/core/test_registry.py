"""The registry: decorator registration, duplicate detection, did-you-mean errors, entry-point discovery,
and plugins that fail to import alone."""
from __future__ import annotations

from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from gazebench.errors import RegistryError
from gazebench.registry import PluginWarning, Registry


def test_register_and_create() -> None:
    reg: Registry[int] = Registry("widget", group="gazebench.tests.none")

    @reg.register("forty-two")
    def make() -> int:
        return 42

    assert reg.create("forty-two") == 42
    assert "forty-two" in reg
    assert reg.names() == ["forty-two"]


def test_duplicate_name_with_other_factory_is_rejected() -> None:
    reg: Registry[int] = Registry("widget", group="gazebench.tests.none")
    reg.add("a", lambda: 1)
    with pytest.raises(ValueError, match="already registered"):
        reg.add("a", int)


def test_names_must_be_lowercase() -> None:
    reg: Registry[int] = Registry("widget", group="gazebench.tests.none")
    with pytest.raises(ValueError, match="lowercase"):
        reg.add("Bad", int)


def test_unknown_name_suggests_close_matches() -> None:
    reg: Registry[int] = Registry("widget", group="gazebench.tests.none")
    reg.add("original-gaze", int)
    reg.add("shuffled-gaze", int)
    with pytest.raises(RegistryError) as info:
        reg.get("orignal-gaze")
    message = str(info.value)
    assert "did you mean original-gaze" in message
    assert "\n" not in message


def test_builtin_tasks_are_found_through_entry_points() -> None:
    from gazebench.task import TASKS

    assert {"mimic-eye", "chexpert", "rsna", "siim-acr"} <= set(TASKS.names())


def _fake_entry_points(monkeypatch: pytest.MonkeyPatch, *eps: EntryPoint) -> None:
    """Make the registry see exactly `eps` in every entry-point group."""
    monkeypatch.setattr("gazebench.registry.entry_points", lambda group: [ep for ep in eps if ep.group == group])


def test_a_broken_plugin_fails_alone(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "gb_broken_plugin.py").write_text('raise RuntimeError("boom\\nsecond line")\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    group = "gazebench.tests.fake"
    _fake_entry_points(
        monkeypatch,
        EntryPoint("broken", "gb_broken_plugin:make", group),
        EntryPoint("missing", "gb_no_such_module_anywhere:make", group),
        EntryPoint("good", "builtins:int", group),
    )
    reg: Registry[int] = Registry("widget", group=group)
    with pytest.warns(PluginWarning) as caught:
        assert reg.names() == ["good"]
    messages = [str(w.message) for w in caught]
    assert len(messages) == 2
    assert "'broken'" in messages[0] and "RuntimeError: boom second line" in messages[0]
    assert "'missing'" in messages[1] and "ModuleNotFoundError" in messages[1]
    assert all("\n" not in m for m in messages)
    assert reg.create("good") == 0


def test_looking_up_a_broken_plugin_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    group = "gazebench.tests.fake"
    _fake_entry_points(monkeypatch, EntryPoint("missing", "gb_no_such_module_anywhere:make", group))
    reg: Registry[int] = Registry("widget", group=group)
    with pytest.warns(PluginWarning, match="'missing'"), pytest.raises(RegistryError) as info:
        reg.get("missing")
    message = str(info.value)
    assert message.startswith("widget plugin 'missing' (gb_no_such_module_anywhere:make) failed to import: ")
    assert "ModuleNotFoundError" in message and "\n" not in message
    with pytest.raises(RegistryError, match="unknown widget 'other'"):
        reg.get("other")  # other names still get the ordinary did-you-mean error


def test_a_plugin_with_an_invalid_name_fails_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    group = "gazebench.tests.fake"
    _fake_entry_points(
        monkeypatch, EntryPoint("Bad", "builtins:float", group), EntryPoint("good", "builtins:int", group)
    )
    reg: Registry[int] = Registry("widget", group=group)
    with pytest.warns(PluginWarning, match="'Bad' .* could not be registered: ValueError"):
        assert reg.names() == ["good"]
    with pytest.raises(RegistryError, match="could not be registered"):
        reg.get("Bad")


def test_a_lookup_imports_only_the_entry_point_it_names(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import sys

    for name in ("wanted", "other", "broken"):
        body = 'raise RuntimeError("must not be imported")\n' if name == "broken" else "def make():\n    return 7\n"
        (tmp_path / f"gb_lazy_{name}.py").write_text(body)
    monkeypatch.syspath_prepend(str(tmp_path))
    group = "gazebench.tests.fake"
    _fake_entry_points(monkeypatch, *(EntryPoint(n, f"gb_lazy_{n}:make", group) for n in ("wanted", "other", "broken")))
    reg: Registry[int] = Registry("widget", group=group)
    assert reg.create("wanted") == 7
    assert "wanted" in reg
    assert "gb_lazy_wanted" in sys.modules
    assert "gb_lazy_other" not in sys.modules and "gb_lazy_broken" not in sys.modules
    with pytest.warns(PluginWarning, match="'broken'"):  # a listing imports them all; the broken one fails alone
        assert reg.names() == ["other", "wanted"]
    assert "gb_lazy_other" in sys.modules


def test_a_name_no_entry_point_declares_searches_them_all(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    group = "gazebench.tests.fake"
    reg: Registry[int] = Registry("widget", group=group)
    module = tmp_path / "gb_lazy_decorated.py"
    module.write_text("import builtins\nbuiltins._gb_reg.add('extra', int)\ndef make():\n    return 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr("builtins._gb_reg", reg, raising=False)
    _fake_entry_points(monkeypatch, EntryPoint("main", "gb_lazy_decorated:make", group))
    assert reg.create("extra") == 0  # registered by decorator inside another name's plugin module
    assert reg.names() == ["extra", "main"]


def test_include_without_files_loads_no_entry_point(monkeypatch: pytest.MonkeyPatch) -> None:
    """`run` without --include must not import every model (it once cost ~7 s of CPU on a finished run)."""
    from gazebench.adapter import MODELS
    from gazebench.engine.plugins import include

    def refuse() -> None:
        raise AssertionError("include() with no file loaded every model entry point")

    monkeypatch.setattr(MODELS, "load_entry_points", refuse)
    assert include([]) == []


def test_declares_imports_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """`declares` answers from the entry-point table (a broken plugin is declared; `get` says why it fails)."""
    group = "gazebench.tests.fake"
    _fake_entry_points(monkeypatch, EntryPoint("broken", "gb_no_such_module_anywhere:make", group))
    reg: Registry[int] = Registry("widget", group=group)
    reg.add("local", int)
    assert reg.declares("broken") and reg.declares("local") and not reg.declares("brokn")
    with pytest.warns(PluginWarning, match="'broken'"), pytest.raises(RegistryError, match="failed to import"):
        reg.get("broken")


def test_a_run_without_model_args_imports_no_model_and_an_unknown_one_still_fails() -> None:
    from gazebench.engine.config import RunConfig
    from gazebench.engine.session import canonical_options

    config = RunConfig(model="original-gaze", tasks=("mimic-eye",))
    assert canonical_options(config) is config
    with pytest.raises(RegistryError, match="unknown model 'original-gaz'"):
        canonical_options(RunConfig(model="original-gaz", tasks=("mimic-eye",)))
    parsed = canonical_options(RunConfig(model="original-gaze", tasks=("mimic-eye",), model_args=(("k", "3"),)))
    assert parsed.model_args == (("k", 3),)
