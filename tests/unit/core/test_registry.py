"""The registry: decorator registration, duplicate detection, did-you-mean errors, entry-point discovery."""
from __future__ import annotations

import pytest

from gazebench.errors import RegistryError
from gazebench.registry import Registry


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
