"""Rank helpers and the rank-aware chunk layout in one process: shards are disjoint and complete, every (rank,
world size) writes its own chunk names, a folder mixing them (and old `chunk-NNNNN.csv` files) reads as one."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch

from gazebench.engine.distributed import ONE_PROCESS, Ranks, current_ranks, start
from gazebench.engine.kinds.classification import ClassificationKind
from gazebench.engine.predict import (
    batch_plan,
    chunk_prefix,
    pending,
    predict_samples,
    predict_split,
)
from gazebench.engine.predictions import read_predictions
from gazebench.errors import ConfigError, DataError
from gazebench.models.random import RandomAdapter
from gazebench.task import get_task

CLASSIFY = ClassificationKind()

CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def samples(small_root: Path) -> list:
    return list(get_task("rsna").load(small_root).split("test"))


@pytest.mark.parametrize("world", [1, 2, 3, 5])
def test_rank_shards_are_disjoint_and_cover_every_batch(world: int) -> None:
    items = list(range(17))
    shards = [Ranks(r, world).shard(items) for r in range(world)]
    assert sorted(i for s in shards for i in s) == items
    assert all(not set(a) & set(b) for k, a in enumerate(shards) for b in shards[k + 1:])


def test_batches_never_straddle_chunks_and_keep_one_process_batch_mates(samples: list) -> None:
    plan = batch_plan(samples[:16], 4, 6)
    assert [len(g) for g in plan] == [4, 2, 4, 2, 4]
    assert [s for g in plan for s in g] == samples[:16]


def test_chunk_names_differ_for_every_rank_and_world_size() -> None:
    names = {chunk_prefix(Ranks(r, w)) for w in (1, 2, 3, 12) for r in range(w)}
    assert len(names) == 1 + 2 + 3 + 12 and chunk_prefix(ONE_PROCESS) == "chunk-"


def test_shards_of_several_launches_read_as_one_run(samples: list, tmp_path: Path) -> None:
    clean, mixed = tmp_path / "clean", tmp_path / "mixed"
    predict_split(RandomAdapter(seed=1), samples, clean, kind=CLASSIFY, batch_size=4, chunk_size=4, device=CPU)
    first = pending(samples, mixed)
    assert [s.sample_id for s in first] == sorted(s.sample_id for s in samples)
    plan = batch_plan(first, 4, 4)
    predict_samples(RandomAdapter(seed=1), Ranks(1, 3).shard(plan), mixed, kind=CLASSIFY, chunk_size=4, device=CPU,
                    ranks=Ranks(1, 3))  # rank 1 of 3 finished; ranks 0 and 2 were killed
    rest = pending(samples, mixed)
    assert len(rest) == len(samples) - sum(len(g) for g in Ranks(1, 3).shard(plan))
    for r in (0, 1):  # relaunched on 2 processes
        predict_samples(RandomAdapter(seed=1), Ranks(r, 2).shard(batch_plan(rest, 4, 4)), mixed, kind=CLASSIFY,
                        chunk_size=4,
                        device=CPU, ranks=Ranks(r, 2))
    assert predict_split(RandomAdapter(seed=1), samples, mixed, kind=CLASSIFY,
                         batch_size=4, chunk_size=4, device=CPU) == 0
    names = sorted(f.name for f in mixed.glob("chunk-*.csv"))
    assert names[0].startswith("chunk-rank0of2-") and names[-1].startswith("chunk-rank1of3-")
    a = read_predictions(clean).sort_values("sample_id").reset_index(drop=True)
    b = read_predictions(mixed).sort_values("sample_id").reset_index(drop=True)
    assert a.equals(b)


def test_a_relaunch_continues_its_own_numbering(samples: list, tmp_path: Path) -> None:
    ranks = Ranks(0, 2)
    predict_samples(RandomAdapter(), batch_plan(samples[:4], 2, 2), tmp_path, kind=CLASSIFY,
                    chunk_size=2, device=CPU, ranks=ranks)
    predict_samples(RandomAdapter(), batch_plan(samples[4:6], 2, 2), tmp_path, kind=CLASSIFY,
                    chunk_size=2, device=CPU, ranks=ranks)
    assert sorted(f.name for f in tmp_path.glob("*.csv")) == [f"chunk-rank0of2-{k:05d}.csv" for k in range(3)]


@pytest.mark.parametrize("name", ["chunk-rank0of2.csv", "chunk-r0of2-00001.csv", "chunk-rank0of2-x.csv"])
def test_a_foreign_chunk_name_is_refused(samples: list, tmp_path: Path, name: str) -> None:
    predict_split(RandomAdapter(), samples[:2], tmp_path, kind=CLASSIFY, batch_size=2, chunk_size=2, device=CPU)
    (tmp_path / name).write_text((tmp_path / "chunk-00000.csv").read_text())
    with pytest.raises(ConfigError, match=name):
        read_predictions(tmp_path)


def test_one_process_needs_no_group(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    assert start("cpu") == (ONE_PROCESS, "cpu") and current_ranks() == ONE_PROCESS
    calls: list[int] = []
    assert ONE_PROCESS.from_main(lambda: calls.append(1) or 7) == 7 and calls == [1]
    assert ONE_PROCESS.gather("x") == ["x"] and ONE_PROCESS.all_gather(torch.tensor(3)).item() == 3
    with pytest.raises(DataError):
        ONE_PROCESS.from_main(lambda: (_ for _ in ()).throw(DataError("f.csv", "bad")))


def test_ranks_follow_the_launchers_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORLD_SIZE", "4")
    monkeypatch.setenv("RANK", "3")
    assert current_ranks() == Ranks(3, 4) and not current_ranks().main
