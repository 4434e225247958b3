"""One small typed registry for tasks and models: decorator registration, lazy entry points, and
"did you mean" errors. Entry points are loaded only when a lookup misses or a listing is asked for; a plugin
that fails to import is skipped with a warning and never hides the others."""
from __future__ import annotations

import difflib
import threading
import warnings
from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
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
        """The factory registered as `name`, loading entry points on a miss."""
        if name not in self._items:
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

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self._items or name in self.names())

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def load_entry_points(self) -> None:
        """Import every entry point of this registry's group; each one registers itself or is added.
        A plugin that fails is recorded and warned about, and the others still load."""
        with self._load_lock:
            if self._entry_points_loaded:
                return
            self._entry_points_loaded = True
            for ep in entry_points(group=self.group):
                if ep.name in self._items:
                    continue
                try:
                    factory = ep.load()
                except Exception as exc:  # a broken plugin must not hide the others
                    self._fail(ep.name, f"{ep.name!r} ({ep.value}) failed to import", exc)
                    continue
                if ep.name in self._items:
                    continue
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
