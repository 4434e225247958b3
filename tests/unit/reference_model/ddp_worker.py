"""Run by test_distributed under `torch.distributed.run --nproc_per_node 2`: one gloo process of a CPU fit."""
from __future__ import annotations

import sys
from pathlib import Path

import torch
from refmodel_fixtures import SMALL, batches, make_sample
from safetensors.torch import save_file

from gazebench.adapter import FitContext
from gazebench.reference_model import GazeTokenAdapter
from gazebench.task import get_task


def main(out: Path) -> None:
    torch.set_num_threads(1)
    train = tuple(make_sample(i) for i in range(8))
    val = tuple(make_sample(100 + i, "validate") for i in range(4))
    ctx = FitContext(task=get_task("mimic-eye"), train=train, val=val, batches=batches, device=torch.device("cpu"),
                     seed=0, workdir=out / "work", log=lambda _: None)
    adapter = GazeTokenAdapter("original", **(SMALL | {"epochs_stage2": 1}))
    adapter.fit(ctx)
    from accelerate import PartialState

    state = PartialState()
    assert state.num_processes == 2 and state.backend == "gloo", (state.num_processes, state.backend)
    tensors = {k: v.contiguous() for k, v in adapter.state_dict().items()}
    save_file(tensors, str(out / f"rank{state.process_index}.safetensors"))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
