"""`gazebench paper-table`: train and evaluate the paper's eight methods (and any submitted model) through
the engine, and render the paper's table with its reported numbers side by side, the zero-shot table, gaze
alignment and the paired comparisons that answer its questions."""
from gazebench.paper.methods import COMPARISONS, PAPER_METHODS, Comparison, PaperMethod, resolve_methods
from gazebench.paper.runner import PaperSettings, build_table, write_outputs
from gazebench.paper.table import ComparisonRuns, MethodRuns, PaperTable

__all__ = ["COMPARISONS", "PAPER_METHODS", "Comparison", "ComparisonRuns", "MethodRuns", "PaperMethod",
           "PaperSettings", "PaperTable", "build_table", "resolve_methods", "write_outputs"]
