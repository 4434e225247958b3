"""Will a run's batches fit? A lower bound on the memory a batch of model inputs takes (image side² × channels ×
batch × 4 bytes of float32, twice: the loader prefetches one batch while the model reads another), plus the
model's parameters, checked against the memory available now before any data is read, so an impossible setting
(`--model-arg image_size=100000`) is one line instead of the kernel's OOM kill. A lower bound: activations come
on top, so passing this check does not promise the run fits. A trainable model's own batch-size options count
too (fit holds a batch of that size). torch is imported only for a CUDA device: on CPU, and for a model that
holds no torch module yet, nothing here needs it."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from gazebench.adapter import Adapter
from gazebench.errors import ConfigError
from gazebench.runtime import device_type

if TYPE_CHECKING:
    import torch

BYTES_PER_VALUE = 4
IN_FLIGHT = 2
"""Batches held at once: the one the model reads and the one the loader prefetches."""
MEMINFO = Path("/proc/meminfo")
CGROUP_LIMIT = Path("/sys/fs/cgroup/memory.max")
CGROUP_USAGE = Path("/sys/fs/cgroup/memory.current")


def input_bytes(adapter: Adapter, batch_size: int) -> int:
    """Bytes of the float32 input tensors of `IN_FLIGHT` batches of `batch_size` images."""
    spec = adapter.spec
    return IN_FLIGHT * batch_size * spec.channels * spec.image_size * spec.image_size * BYTES_PER_VALUE


def training_batch_sizes(adapter: Adapter) -> list[int]:
    """The batch sizes a trainable model declares in its config (options named `*batch_size`): fit holds those."""
    if not adapter.trainable:
        return []
    return [int(v) for k, v in adapter.config().items()
            if k.endswith("batch_size") and isinstance(v, int) and not isinstance(v, bool)]


def parameter_bytes(adapter: Adapter) -> int:
    """Bytes of the adapter's torch parameters and buffers that exist now (0 for a model built lazily, and for
    any model while torch is not imported: no torch module can exist then)."""
    loaded = sys.modules.get("torch")
    if loaded is None:
        return 0
    modules = [v for v in vars(adapter).values() if isinstance(v, loaded.nn.Module)]
    return sum(t.numel() * t.element_size() for m in modules for t in (*m.parameters(), *m.buffers()))


def available_bytes(device: torch.device | str) -> int | None:
    """Free memory of `device` (a torch device or its name): CUDA's free memory, else the smaller of MemAvailable
    and this cgroup's headroom (None where neither can be read)."""
    if device_type(device) == "cuda":
        import torch

        return int(torch.cuda.mem_get_info(device)[0])
    found = []
    try:
        for line in MEMINFO.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    try:
        limit = CGROUP_LIMIT.read_text().strip()
        if limit != "max":
            found.append(int(limit) - int(CGROUP_USAGE.read_text().strip()))
    except (OSError, ValueError):
        pass
    return min(found) if found else None


def check_fits(adapter: Adapter, model: str, batch_size: int, device: torch.device | str,
               available: int | None = None) -> None:
    """A one-line ConfigError, before any work, when the inputs and parameters alone exceed the free memory."""
    free = available_bytes(device) if available is None else available
    if free is None:
        return
    batch_size = max([batch_size, *training_batch_sizes(adapter)])
    need = input_bytes(adapter, batch_size) + parameter_bytes(adapter)
    if need > free:
        spec = adapter.spec
        raise ConfigError(f"model {model!r}: {IN_FLIGHT} batches of {batch_size} inputs of {spec.image_size}×"
                          f"{spec.image_size}×{spec.channels} float32 and the model's parameters need at least "
                          f"{_gib(need)}, more than the {_gib(free)} free on {device_type(device)}; "
                          "lower image_size, --batch-size or the model's own batch size option")


def _gib(n: int) -> str:
    return f"{n / 2**30:.1f} GiB"
