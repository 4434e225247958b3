"""Collects what a reader passed over, grouped by reason, so `Dataset.skips` stays readable even
when thousands of items share one cause (e.g. a missing image folder)."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from gazebench.records import SHOWN_EXAMPLES, Skip


class SkipLog:
    """`add(reason, item)` while reading; `summary()` gives one Skip per reason with a count and examples."""

    def __init__(self) -> None:
        self._items: dict[str, list[str]] = defaultdict(list)

    def add(self, reason: str, item: str) -> None:
        """Record that `item` (an id, or `file, row N`) was passed over because of `reason` (names the file)."""
        self._items[reason].append(item)

    def absorb(self, other: SkipLog, folder: Path, pattern: str) -> None:
        """Add `other`'s items, with `folder` in each reason generalised to `pattern` (e.g. `patient_*`) and
        each item prefixed by the folder's name, so one reason line covers every such folder."""
        general = str(folder.parent / pattern)
        for reason, items in other._items.items():
            for item in items:
                self.add(reason.replace(str(folder), general), f"{folder.name}: {item}")

    def count(self, reason: str) -> int:
        """How many items were passed over for `reason`."""
        return len(self._items.get(reason, ()))

    def summary(self) -> tuple[Skip, ...]:
        """One Skip per reason, in the order reasons first occurred."""
        return tuple(Skip(reason, len(items), tuple(items[:SHOWN_EXAMPLES])) for reason, items in self._items.items())
