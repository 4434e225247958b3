"""The papers `gazebench paper-table --paper KEY` regenerates: each one's methods, paired comparisons, the task
kinds its table shows, its output files and renderer, so a new paper is one entry here."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gazebench.errors import ConfigError
from gazebench.paper import classification_table, gazex_table
from gazebench.paper.gazex import GAZEX_COMPARISONS, GAZEX_KINDS, GAZEX_METHODS, GAZEX_TASKS
from gazebench.paper.methods import (
    COMPARISONS,
    PAPER_METHODS,
    SUBMITTED_BASELINES,
    Comparison,
    PaperMethod,
    comparisons_for,
    resolve_methods,
)
from gazebench.paper.table import PaperTable


@dataclass(frozen=True)
class Paper:
    """One paper's table: what runs, what is compared, what is shown and where it is written."""

    key: str
    methods: tuple[PaperMethod, ...]
    comparisons: tuple[Comparison, ...]
    submitted_baselines: tuple[str, ...]
    """A model outside the paper is compared with each of these that is in the table (else the first row)."""
    kinds: tuple[str, ...]
    """Task kinds the table shows (the runs are always `--tasks all`)."""
    stem: str
    """Output file name without extension under --results-dir."""
    render: Callable[[PaperTable], dict[str, str]]
    """Table → text by format (md, csv, ...)."""
    probe_vanilla: bool = False
    """Whether Vanilla's parse-failure rate on the in-domain classification task is probed and noted."""
    tasks: tuple[str, ...] = ()
    """The tasks the table shows, when the paper names them (else every `--tasks all` task of its kinds)."""

    def resolve(self, spec: str) -> tuple[PaperMethod, ...]:
        """The methods `--methods spec` names (`paper` = this paper's methods), in table order."""
        return resolve_methods(spec, self.methods)

    def comparisons_for(self, methods: tuple[PaperMethod, ...]) -> tuple[Comparison, ...]:
        """This paper's comparisons among `methods`, then each submitted model against the baselines present."""
        return comparisons_for(methods, self.methods, self.comparisons, self.submitted_baselines)


DEFAULT_PAPER = "thinking-with-gaze"
PAPERS: dict[str, Paper] = {p.key: p for p in (
    Paper(DEFAULT_PAPER, PAPER_METHODS, COMPARISONS, SUBMITTED_BASELINES, ("classification",), "paper_table",
          classification_table.render_all, probe_vanilla=True),
    Paper("gazex", GAZEX_METHODS, GAZEX_COMPARISONS, ("gazex",), GAZEX_KINDS, "gazex_table", gazex_table.render_all,
          tasks=GAZEX_TASKS),
)}


def get_paper(key: str) -> Paper:
    """The registered paper `key`; an unknown one is a one-line ConfigError naming the flag and the known keys."""
    try:
        return PAPERS[key]
    except KeyError:
        raise ConfigError(f"--paper {key!r}: unknown paper (known: {', '.join(PAPERS)})") from None
