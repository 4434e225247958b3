"""Run by test_distributed under `torch.distributed.run --nproc_per_node 2`: one gloo process of a CPU fit."""
from __future__ import annotations

import sys
from pathlib import Path

import torch
from safetensors.torch import save_file

from fixtures.vlm import SMALL_GAZE, fit_context
from gazebench.reference_model import GazeTokenAdapter


def main(out: Path) -> None:
    torch.set_num_threads(1)
    adapter = GazeTokenAdapter("original", **(SMALL_GAZE | {"epochs_stage2": 1}))
    adapter.fit(fit_context(out / "work"))
    from accelerate import PartialState

    state = PartialState()
    assert state.num_processes == 2 and state.backend == "gloo", (state.num_processes, state.backend)
    tensors = {k: v.contiguous() for k, v in adapter.state_dict().items()}
    save_file(tensors, str(out / f"rank{state.process_index}.safetensors"))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
