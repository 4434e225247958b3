"""Rank, world size and collectives of a launched gazebench process (`accelerate launch`, `torchrun`): the process
group is initialised once, through accelerate's `PartialState` (which reads either launcher's environment), and
these helpers let rank 0 alone decide and write while every rank predicts its own shard (docs/training.md).
torch is imported only where a collective runs: a process that was never launched (a finished run, say) needs no
torch to learn it is rank 0 of 1."""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import socket
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from gazebench.engine.rundir import atomic_write_json, read_json
from gazebench.errors import GazebenchError

if TYPE_CHECKING:
    import torch

T = TypeVar("T")


@dataclass(frozen=True)
class Ranks:
    """This process's place in the launched group (rank 0 of 1 when not launched)."""

    rank: int = 0
    world: int = 1

    @property
    def main(self) -> bool:
        """Rank 0: the one process that takes the run lock, writes the header, merges and scores."""
        return self.rank == 0

    def shard(self, items: Sequence[T]) -> list[T]:
        """This rank's rank-strided share of `items` (disjoint across ranks, together all of them)."""
        return list(items[self.rank::self.world])

    def barrier(self) -> None:
        """Wait until every rank reaches this point (no-op in one process)."""
        if self.world > 1:
            import torch.distributed as dist

            dist.barrier()

    def from_main(self, fn: Callable[[], T]) -> T:
        """Run `fn` on rank 0 only and hand its result to every rank; a GazebenchError it raises is raised (with
        the same message) on every rank (so no rank waits at a later collective that rank 0 will never reach)."""
        if self.world == 1:
            return fn()
        import torch.distributed as dist

        payload: list[Any] = [None]
        error: GazebenchError | None = None
        if self.main:
            try:
                payload = [("ok", fn())]
            except GazebenchError as exc:
                error, payload = exc, [("error", str(exc))]
        dist.broadcast_object_list(payload, src=0)
        if error is not None:
            raise error
        if payload[0][0] == "error":
            raise GazebenchError(payload[0][1])  # the same one line as rank 0's
        return payload[0][1]

    def gather(self, obj: T, dst: int = 0) -> list[T] | None:
        """Every rank's `obj`, in rank order, on rank `dst` (None elsewhere)."""
        if self.world == 1:
            return [obj]
        import torch.distributed as dist

        out: list[Any] | None = [None] * self.world if self.rank == dst else None
        dist.gather_object(obj, out, dst=dst)
        return out

    def all_gather(self, tensor: torch.Tensor) -> torch.Tensor:
        """Every rank's `tensor` concatenated in rank order (0-d tensors stacked), on every rank."""
        if self.world == 1:
            return tensor
        import torch
        import torch.distributed as dist

        parts = [torch.empty_like(tensor) for _ in range(self.world)]
        dist.all_gather(parts, tensor.contiguous())
        return torch.stack(parts) if tensor.dim() == 0 else torch.cat(parts)


ONE_PROCESS = Ranks()
"""Rank 0 of 1: a process that was not launched (the default of every rank-aware function)."""


def launched_world() -> int:
    """WORLD_SIZE as set by `accelerate launch` / `torchrun` (1 when not launched)."""
    try:
        return max(1, int(os.environ.get("WORLD_SIZE", "1")))
    except ValueError:
        return 1


def _group() -> Any:
    """torch.distributed when a process group is initialised, else None (never imports torch: a process that has
    not imported it has no group)."""
    dist = sys.modules.get("torch.distributed")
    return dist if dist is not None and dist.is_available() and dist.is_initialized() else None


def current_ranks() -> Ranks:
    """Ranks of the initialised process group, else of the launcher's environment (RANK / WORLD_SIZE), else 0 of 1."""
    dist = _group()
    if dist is not None:
        return Ranks(dist.get_rank(), dist.get_world_size())
    world = launched_world()
    return Ranks(int(os.environ.get("RANK", "0")), world) if world > 1 else ONE_PROCESS


def finish() -> None:
    """Leave the process group, after every rank got here, so no rank exits while another still talks to it
    (an interpreter exiting with a live gloo group can abort: "terminate called without an active exception")."""
    dist = _group()
    if dist is not None:
        dist.barrier()
        dist.destroy_process_group()


def start(device: str) -> tuple[Ranks, str]:
    """Join the launcher's process group once (gloo on CPU, nccl on CUDA) when WORLD_SIZE > 1, and return this
    process's ranks and the name of its own device (`cuda:LOCAL_RANK` on CUDA); outside a launcher: rank 0 of 1
    on `device` (a name: "cpu" or "cuda"), with nothing imported."""
    if launched_world() == 1:
        return ONE_PROCESS, device
    from accelerate import PartialState

    cuda = device.partition(":")[0] == "cuda"
    state = PartialState(cpu=not cuda)
    ranks = Ranks(state.process_index, state.num_processes)
    return ranks, (str(state.device) if cuda else device)


LAUNCHES_NAME = "launches.json"
"""In a run directory: one record per launch that predicted into it (a resume adds one); not part of the identity."""


def launcher() -> str | None:
    """`accelerate` or `torchrun` from the launcher's environment (accelerate launch runs torchrun underneath and
    adds its ACCELERATE_* variables); None when this process was not launched."""
    if launched_world() == 1:
        return None
    if any(k.startswith("ACCELERATE_") for k in os.environ):
        return "accelerate"
    return "torchrun" if any(k.startswith("TORCHELASTIC_") for k in os.environ) else "unknown"


def host_digest() -> str:
    """This host, as the first 12 hex digits of the sha256 of its name: which ranks shared a machine, without
    writing a host name into a run (check one with `hostname | tr -d '\\n' | sha256sum`)."""
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:12]


def record_launch(run_dir: Path, ranks: Ranks) -> None:
    """Every rank: add this launch (launcher, world size, each rank's host digest, time) to the run's launch log,
    written by rank 0 (collective: each rank sends its host)."""
    hosts = ranks.gather(host_digest())
    if not ranks.main:
        return
    record = {"launcher": launcher(), "world_size": ranks.world, "hosts": hosts,
              "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    atomic_write_json(Path(run_dir) / LAUNCHES_NAME, [*read_launches(run_dir), record])


def read_launches(run_dir: Path) -> list[dict[str, Any]]:
    """The launch log of a run directory ([] for a run made before it existed)."""
    path = Path(run_dir) / LAUNCHES_NAME
    if not os.path.lexists(path):
        return []
    records = read_json(path)  # a folder, an unreadable or non-UTF-8 file: one line naming it
    if not isinstance(records, list):
        raise GazebenchError(f"{path}: not a list of launch records")
    return records
