"""lm-evaluation-harness 0.4.x bridge: gazebench tasks as inline lm-eval tasks, gazebench models as the lm-eval
model "gazebench" (registered when this module is imported, if lm-eval is installed)."""
from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gazebench.bridges.lm_eval.tasks import (
    DOC_FIELDS,
    PROMPT,
    lm_eval_task_name,
    task_config,
)
from gazebench.errors import ConfigError

__all__ = ["DOC_FIELDS", "PROMPT", "evaluate_with_lm_eval", "lm_class", "lm_eval_task_name", "task_config"]


def require_lm_eval() -> None:
    """Fail with one line, not a traceback, where lm-eval is missing."""
    try:
        import lm_eval  # noqa: F401
    except ImportError as exc:
        raise ConfigError(f"lm-eval is not installed ({exc}): pip install 'gazebench[lm-eval]'") from None


def lm_class() -> type:
    """`GazebenchLM`, the lm-eval model class (importing it imports lm-eval and registers "gazebench")."""
    require_lm_eval()
    from gazebench.bridges.lm_eval.model import GazebenchLM

    return GazebenchLM


def evaluate_with_lm_eval(model: str, tasks: str | Sequence[str], data_root: Path | str | None = None, seed: int = 0,
                          limit: int | None = None, **model_args: Any) -> dict[str, Any]:
    """Evaluate gazebench model `model` on gazebench `tasks` ("all" or names) through `lm_eval.simple_evaluate`.

    `model_args` go to `GazebenchLM` (train_task, device, batch_size) and on to the model factory; returns
    lm-eval's results dict (per-doc samples included), task names prefixed `gazebench_`.
    """
    require_lm_eval()
    from lm_eval import simple_evaluate
    from lm_eval.tasks import TaskManager

    from gazebench.data_root import data_root as resolve_root
    from gazebench.task import resolve_tasks

    chosen = resolve_tasks(tasks if isinstance(tasks, str) else ",".join(tasks))
    if not chosen:
        raise ConfigError("no tasks given")
    root = resolve_root(data_root)
    lm = lm_class()(model=model, seed=seed, data_root=root, **model_args)
    results = simple_evaluate(model=lm, tasks=[task_config(t.name, root) for t in chosen],
                              task_manager=TaskManager(include_defaults=False), limit=limit, bootstrap_iters=0,
                              random_seed=seed, numpy_random_seed=seed, torch_random_seed=seed,
                              fewshot_random_seed=seed)
    return dict(results or {})


def __getattr__(name: str) -> Any:
    if name == "GazebenchLM":
        return lm_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if importlib.util.find_spec("lm_eval") is not None:
    lm_class()
