from __future__ import annotations

import pytest

from gazebench.engine.config import ResolvedConfig, RunConfig, config_hash
from gazebench.errors import ConfigError


def test_hash_ignores_scheduling_but_not_numbers() -> None:
    base = RunConfig(model="random", tasks=("rsna",))
    h = ResolvedConfig(base, {"data_sha256": {"rsna": "abc"}}).config_hash
    for same in (RunConfig(model="random", tasks=("rsna",), batch_size=7, chunk_size=3, device="cpu",
                           threads=3),):
        assert ResolvedConfig(same, {"data_sha256": {"rsna": "abc"}}).config_hash == h
    for other in (RunConfig(model="random", tasks=("rsna",), seed=1),
                  RunConfig(model="random", tasks=("rsna",), limit=5),
                  RunConfig(model="random", tasks=("rsna",), threshold_policy="youden"),
                  RunConfig(model="oracle", tasks=("rsna",))):
        assert ResolvedConfig(other, {"data_sha256": {"rsna": "abc"}}).config_hash != h
    assert ResolvedConfig(base, {"data_sha256": {"rsna": "abd"}}).config_hash != h


def test_hash_is_canonical() -> None:
    assert config_hash({"a": 1, "b": [1, 2]}) == config_hash({"b": [1, 2], "a": 1})


def test_config_json_records_execution_and_hash() -> None:
    cfg = ResolvedConfig(RunConfig(model="random", tasks=("rsna",), batch_size=4), {"x": 1})
    js = cfg.to_json({"data_root": None})
    assert js["execution"]["batch_size"] == 4 and js["config_hash"] == cfg.config_hash and "batch_size" not in js


@pytest.mark.parametrize("kwargs", [{"threshold_policy": "best"}, {"device": "tpu"}, {"n_boot": 0}, {"limit": 0},
                                    {"batch_size": 0}, {"threads": 0}, {"tasks": ()}])
def test_bad_values_are_config_errors(kwargs: dict) -> None:
    with pytest.raises(ConfigError):
        RunConfig(**{"model": "random", "tasks": ("rsna",), **kwargs})
