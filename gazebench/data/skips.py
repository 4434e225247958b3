"""Collects what a reader passed over, grouped by reason, so `Dataset.skips` stays readable even
when thousands of items share one cause (e.g. a missing image folder)."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from gazebench.records import SHOWN_DAMAGED, SHOWN_EXAMPLES, SKIP_KINDS, Skip


class SkipLog:
    """`add(reason, item)` while reading (`damaged` / `kept` for those kinds, gazebench.records.SKIP_KINDS);
    `summary()` gives one Skip per reason with its kind, a count and examples."""

    def __init__(self) -> None:
        self._items: dict[str, list[str]] = defaultdict(list)
        self._kinds: dict[str, str] = {}

    def add(self, reason: str, item: str, kind: str = "skipped") -> None:
        """Record that `item` (an id, or `file row N`) was passed over because of `reason` (names the file)."""
        if kind not in SKIP_KINDS:
            raise ValueError(f"skip kind must be one of {', '.join(SKIP_KINDS)}, not {kind!r}")
        if self._kinds.setdefault(reason, kind) != kind:
            raise ValueError(f"skip reason {reason!r} recorded as both {self._kinds[reason]} and {kind}")
        self._items[reason].append(item)

    def damaged(self, reason: str, item: str) -> None:
        """Record an item passed over because a value in it cannot be real (`data check` fails on any)."""
        self.add(reason, item, "damaged")

    def kept(self, reason: str, item: str) -> None:
        """Record an item that was read and kept but is worth telling (e.g. rows merged by a stated rule)."""
        self.add(reason, item, "kept")

    def absorb(self, other: SkipLog, folder: Path, pattern: str) -> None:
        """Add `other`'s items, with `folder` in each reason generalised to `pattern` (e.g. `patient_*`) and
        each item prefixed by the folder's name (unless it names a path inside `folder` already), so one reason
        line covers every such folder."""
        general = str(folder.parent / pattern)
        for reason, items in other._items.items():
            for item in items:
                named = item if item.startswith(str(folder) + "/") else f"{folder.name}: {item}"
                self.add(reason.replace(str(folder), general), named, other._kinds[reason])

    def count(self, reason: str) -> int:
        """How many items were passed over for `reason`."""
        return len(self._items.get(reason, ()))

    def summary(self) -> tuple[Skip, ...]:
        """One Skip per reason, in the order reasons first occurred."""
        return tuple(Skip(reason, len(items),
                          tuple(items[:SHOWN_DAMAGED if self._kinds[reason] == "damaged" else SHOWN_EXAMPLES]),
                          self._kinds[reason])
                     for reason, items in self._items.items())
