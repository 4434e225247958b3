"""Learning-rate schedules a stage may ask for, as multipliers of its base LR by optimiser step."""
from __future__ import annotations

import math
from collections.abc import Callable


def warmup_cosine(total_steps: int, warmup: float) -> Callable[[int], float]:
    """LR multiplier: linear 0→1 over the first `warmup` fraction of steps, cosine 1→0 after."""
    warm = max(1, round(total_steps * warmup))

    def factor(step: int) -> float:
        if step < warm:
            return (step + 1) / warm
        progress = (step - warm) / max(1, total_steps - warm)
        return 0.5 * (1.0 + math.cos(math.pi * min(progress, 1.0)))

    return factor
