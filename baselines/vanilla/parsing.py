"""Parse-failure bookkeeping for generated reports: how many greedy generations break the fixed format
(`parse_report` of the reference model decides; nothing is salvaged from a malformed report)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gazebench.labels import CHEXPERT_LABELS
from gazebench.reference_model.report import parse_report


def parses(text: str, labels: tuple[str, ...] = CHEXPERT_LABELS) -> bool:
    """True if `parse_report` accepts `text` as the fixed report over `labels`."""
    try:
        parse_report(text, labels)
    except ValueError:
        return False
    return True


def parse_failures(reports: Iterable[str], labels: tuple[str, ...] = CHEXPERT_LABELS) -> int:
    """Number of reports that `parse_report` rejects."""
    return sum(not parses(text, labels) for text in reports)


@dataclass
class ParseLog:
    """Running count of generated reports and parse failures (mutable: it accumulates across batches)."""

    generated: int = 0
    failed: int = 0

    def add(self, reports: Iterable[str]) -> None:
        texts = list(reports)
        self.generated += len(texts)
        self.failed += parse_failures(texts)

    @property
    def rate(self) -> float:
        """Failure rate in [0, 1], NaN before anything was generated."""
        return self.failed / self.generated if self.generated else float("nan")
