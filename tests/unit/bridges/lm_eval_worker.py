"""Run by test_lm_eval_launched under `torch.distributed.run --nproc_per_node 2`: lm-eval's own evaluator over the
gazebench bridge in one gloo process; writes this rank's view (rank, world size, results on rank 0) as JSON."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from lm_eval import simple_evaluate
from lm_eval.tasks import TaskManager

from gazebench.bridges.lm_eval import GazebenchLM, task_config
from gazebench.engine.distributed import finish


def main(root: Path, out: Path, limit: int) -> None:
    lm = GazebenchLM(model="random", seed=3, data_root=root)
    results = simple_evaluate(model=lm, tasks=[task_config("rsna", root)],
                              task_manager=TaskManager(include_defaults=False), limit=limit, bootstrap_iters=0)
    view = {"rank": lm.rank, "world_size": lm.world_size, "gathered": lm.gather_object(lm.rank),
            "results": None if results is None else results["results"]}
    (out / f"rank{lm.rank}.json").write_text(json.dumps(view, default=str))
    finish()


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))
