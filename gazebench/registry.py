"""One small typed registry for tasks and models: decorator registration, lazy entry points, and
"did you mean" errors. A lookup imports only the entry point of the name it asks for (so `gazebench run --model
cnn` never imports MedCLIP's transformers code); a listing, or a name no entry point declares, imports them all.
A plugin that fails to import is skipped with a warning and never hides the others."""
from __future__ import annotations

import difflib
import threading
import warnings
from collections.abc import Callable, Iterator
from importlib.metadata import EntryPoint, entry_points
from typing import Generic, TypeVar

from gazebench.errors import RegistryError

T = TypeVar("T")


class PluginWarning(UserWarning):
    """A plugin entry point failed to import or register; the other plugins are still loaded."""


class Registry(Generic[T]):
    """Maps names to factories (callables returning a T); third-party names may be `pkg/name`."""

    def __init__(self, kind: str, group: str) -> None:
        self.kind = kind
        self.group = group
        self._items: dict[str, Callable[..., T]] = {}
        self._lock = threading.Lock()
        self._load_lock = threading.RLock()  # re-entrant: a plugin may look a name up while it is imported
        self._entry_points_loaded = False
        self._declared: dict[str, list[EntryPoint]] | None = None  # entry-point name -> its entry points, read once
        self._failed: dict[str, str] = {}  # entry-point name -> one-line reason it could not be loaded

    def register(self, name: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
        """Decorator: `@registry.register("name")` on a factory function or class."""

        def decorate(factory: Callable[..., T]) -> Callable[..., T]:
            self.add(name, factory)
            return factory

        return decorate

    def add(self, name: str, factory: Callable[..., T]) -> None:
        """Register `factory` under `name`; the same object twice is fine, a different one is an error."""
        if not name or name != name.strip() or name.lower() != name:
            raise ValueError(f"{self.kind} names are lowercase with no surrounding spaces: {name!r}")
        with self._lock:
            existing = self._items.get(name)
            if existing is not None and _qualname(existing) != _qualname(factory):
                raise ValueError(f"{self.kind} {name!r} is already registered by {_qualname(existing)}; "
                                 f"{_qualname(factory)} cannot register it too")
            self._items[name] = factory

    def get(self, name: str) -> Callable[..., T]:
        """The factory registered as `name`: on a miss, the entry point of that name alone is imported; when
        none declares it, every entry point is (a plugin module may register further names by decorator)."""
        if name not in self._items and not self._load_entry_point(name) and name not in self._failed:
            self.load_entry_points()
        if name not in self._items and name in self._failed:
            raise RegistryError(self._failed[name])
        if name not in self._items:
            close = difflib.get_close_matches(name, list(self._items), n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            known = ", ".join(sorted(self._items)) or "none"
            raise RegistryError(f"unknown {self.kind} {name!r}{hint} (known: {known})")
        return self._items[name]

    def create(self, name: str, **kwargs: object) -> T:
        """Build the object registered as `name`."""
        return self.get(name)(**kwargs)

    def names(self) -> list[str]:
        """Every registered name, entry points included, sorted."""
        self.load_entry_points()
        return sorted(self._items)

    def declares(self, name: str) -> bool:
        """True when `name` is registered or an entry point declares it, importing nothing (a declared plugin
        that fails to import is still declared: `get` reports why it cannot be used)."""
        return name in self._items or name in self._entry_point_table()

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        return name in self._items or self._load_entry_point(name) or name in self.names()

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def load_entry_points(self) -> None:
        """Import every entry point of this registry's group; each one registers itself or is added.
        A plugin that fails is recorded and warned about, and the others still load."""
        with self._load_lock:
            if self._entry_points_loaded:
                return
            self._entry_points_loaded = True
            for eps in self._entry_point_table().values():
                for ep in eps:
                    self._load(ep)

    def _entry_point_table(self) -> dict[str, list[EntryPoint]]:
        """The group's entry points by name, in discovery order (metadata is scanned once; nothing imported)."""
        with self._load_lock:
            if self._declared is None:
                self._declared = {}
                for ep in entry_points(group=self.group):
                    self._declared.setdefault(ep.name, []).append(ep)
            return self._declared

    def _load_entry_point(self, name: str) -> bool:
        """Import the entry point(s) declaring `name` only; True when `name` is then registered."""
        with self._load_lock:
            for ep in self._entry_point_table().get(name, []):
                if name in self._items or name in self._failed:
                    break
                self._load(ep)
            return name in self._items

    def _load(self, ep: EntryPoint) -> None:
        """Import one entry point and add its factory under its name, unless that name is taken or failed."""
        if ep.name in self._items or ep.name in self._failed:
            return
        try:
            factory = ep.load()
        except Exception as exc:  # a broken plugin must not hide the others
            self._fail(ep.name, f"{ep.name!r} ({ep.value}) failed to import", exc)
            return
        if ep.name in self._items:
            return
        try:
            self.add(ep.name, factory)
        except ValueError as exc:
            self._fail(ep.name, f"{ep.name!r} ({ep.value}) could not be registered", exc)

    def _fail(self, name: str, what: str, exc: Exception) -> None:
        """Record why plugin `name` is unavailable (one line) and warn once, naming it and the error."""
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())
        self._failed[name] = f"{self.kind} plugin {what}: {detail}"
        warnings.warn(self._failed[name], PluginWarning, stacklevel=4)

def _qualname(obj: object) -> str:
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', repr(obj))}"
