"""`gazebench paper-table`: train and evaluate a paper's methods (and any submitted model) through the engine,
and render its table: Thinking with Gaze (in-domain vs its reported numbers, zero-shot, gaze alignment) or GazeX
(report, grounding, VQA, scanpath beside its published figures), with the paired comparisons."""
from gazebench.paper.methods import COMPARISONS, PAPER_METHODS, Comparison, PaperMethod, resolve_methods
from gazebench.paper.papers import PAPERS, Paper, get_paper
from gazebench.paper.runner import PaperSettings, build_table, write_outputs
from gazebench.paper.table import ComparisonRuns, MethodRuns, PaperTable

__all__ = ["COMPARISONS", "PAPERS", "PAPER_METHODS", "Comparison", "ComparisonRuns", "MethodRuns", "Paper",
           "PaperMethod", "PaperSettings", "PaperTable", "build_table", "get_paper", "resolve_methods",
           "write_outputs"]
