"""Early-stopping and best-checkpoint decisions: a pure function of the validate score and the stage's rule,
fed on every rank the score rank 0 computed (broadcast), so ranks can never disagree and hang."""
from __future__ import annotations

import math
from dataclasses import dataclass

from accelerate import Accelerator
from accelerate.utils import broadcast_object_list


@dataclass(frozen=True)
class Decision:
    """What an epoch's validate score decides."""

    improved: bool
    """Keep this epoch's weights as the best so far."""
    bad_epochs: int
    """Epochs in a row without improvement, this one included."""
    stop: bool
    """Patience exhausted: no further epoch runs."""


def decide(score: float | None, best: float | None, bad_epochs: int, *, mode: str = "max", min_delta: float = 0.0,
           patience: int | None = None) -> Decision:
    """Improved when `score` beats `best` by more than `min_delta` in direction `mode` ("max" or "min"); no
    score at all (no validation) counts as improved, so the last epoch is kept; a NaN score never improves.
    Stop once `patience` epochs in a row did not improve (None: never stop early)."""
    if mode not in ("max", "min"):
        raise ValueError(f"mode must be 'max' or 'min', not {mode!r}")
    if score is None:
        improved = True
    elif math.isnan(score):
        improved = False
    elif best is None:
        improved = True
    else:
        improved = score > best + min_delta if mode == "max" else score < best - min_delta
    bad = 0 if improved else bad_epochs + 1
    return Decision(improved, bad, patience is not None and bad >= patience)


def rank0_value(value: float | None, accelerator: Accelerator) -> float | None:
    """Rank 0's `value` on every rank (the other ranks' own values are ignored)."""
    if accelerator.num_processes == 1:
        return value
    box: list[float | None] = [value]
    broadcast_object_list(box, from_process=0)
    return box[0]
