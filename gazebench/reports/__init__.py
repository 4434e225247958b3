"""Report text → CheXpert label codes: the labeler interface, its registry and the offline rule-based labeler."""
from __future__ import annotations

from gazebench.reports.labelers import LABELERS, ReportLabeler

__all__ = ["LABELERS", "ReportLabeler"]
