"""Report text → CheXpert label codes: the labeler interface, its registry and the offline rule-based labeler."""
from __future__ import annotations

from gazebench.reports import rules  # noqa: F401  (registers the built-in rule labelers)
from gazebench.reports.labelers import LABELERS, ReportLabeler

__all__ = ["LABELERS", "ReportLabeler"]
