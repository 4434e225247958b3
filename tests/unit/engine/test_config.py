from __future__ import annotations

import os

import pytest

from gazebench.engine.config import MAX_BOOT, MAX_SEED, ResolvedConfig, RunConfig, ScoringOptions, config_hash
from gazebench.errors import ConfigError


def test_hash_ignores_scheduling_and_scoring_but_not_what_decides_predictions() -> None:
    base = RunConfig(model="random", tasks=("rsna",))
    h = ResolvedConfig(base, {"data_sha256": {"rsna": "abc"}}).config_hash
    for same in (RunConfig(model="random", tasks=("rsna",), batch_size=7, chunk_size=3, device="cpu", threads=1),
                 RunConfig(model="random", tasks=("rsna",), threshold_policy="youden", n_boot=7, ci_level=0.8)):
        assert ResolvedConfig(same, {"data_sha256": {"rsna": "abc"}}).config_hash == h
    for other in (RunConfig(model="random", tasks=("rsna",), seed=1),
                  RunConfig(model="random", tasks=("rsna",), limit=5),
                  RunConfig(model="oracle", tasks=("rsna",))):
        assert ResolvedConfig(other, {"data_sha256": {"rsna": "abc"}}).config_hash != h
    assert ResolvedConfig(base, {"data_sha256": {"rsna": "abd"}}).config_hash != h


def test_hash_is_canonical() -> None:
    assert config_hash({"a": 1, "b": [1, 2]}) == config_hash({"b": [1, 2], "a": 1})


def test_config_json_records_execution_and_hash() -> None:
    cfg = ResolvedConfig(RunConfig(model="random", tasks=("rsna",), batch_size=4), {"x": 1})
    js = cfg.to_json({"data_root": None})
    assert js["execution"]["batch_size"] == 4 and js["config_hash"] == cfg.config_hash and "batch_size" not in js
    assert not {"threshold_policy", "n_boot", "ci_level"} & set(js)


def test_scoring_options_name_their_file_and_round_trip() -> None:
    opts = ScoringOptions(threshold_policy="max-f1", n_boot=200, ci_level=0.9)
    assert opts.file_name() == "max-f1__nboot200__ci0.9.json"
    assert opts.to_dict()["metrics"] == ["auroc", "acc", "f1"]
    assert ScoringOptions.from_dict(opts.to_dict(), "x") == opts
    cfg = RunConfig(model="random", tasks=("rsna",), threshold_policy="max-f1", n_boot=200, ci_level=0.9)
    assert cfg.scoring == opts
    with pytest.raises(ConfigError, match="results.json: no valid `scoring` block"):
        ScoringOptions.from_dict({"n_boot": 3}, "results.json")
    with pytest.raises(ConfigError, match="results.json: recorded scoring is invalid"):
        ScoringOptions.from_dict({**opts.to_dict(), "ci_level": 1.5}, "results.json")


@pytest.mark.parametrize("kwargs", [{"threshold_policy": "best"}, {"device": "tpu"}, {"n_boot": 0}, {"limit": 0},
                                    {"batch_size": 0}, {"threads": 0}, {"tasks": ()}, {"ci_level": 1.0},
                                    {"ci_level": 0.0}, {"seed": -1}, {"seed": MAX_SEED + 1}, {"seed": 10**20},
                                    {"seed": 1.5}, {"threads": (os.cpu_count() or 1) * 4 + 1},
                                    {"n_boot": MAX_BOOT + 1}, {"n_boot": 10**12}])
def test_bad_values_are_config_errors(kwargs: dict) -> None:
    with pytest.raises(ConfigError) as err:
        RunConfig(**{"model": "random", "tasks": ("rsna",), **kwargs})
    assert "\n" not in str(err.value)


def test_seed_and_threads_bounds_are_inclusive() -> None:
    cfg = RunConfig(model="random", tasks=("rsna",), seed=MAX_SEED, threads=(os.cpu_count() or 1) * 4)
    assert cfg.seed == 2**32 - 1


def test_n_boot_is_capped_inclusively_and_a_recorded_one_past_the_cap_is_refused() -> None:
    assert RunConfig(model="random", tasks=("rsna",), n_boot=MAX_BOOT).scoring.n_boot == 100_000
    with pytest.raises(ConfigError, match=r"--n-boot must be an integer from 1 to 100000, got 100001"):
        ScoringOptions(n_boot=MAX_BOOT + 1)
    with pytest.raises(ConfigError, match="results.json: recorded scoring is invalid"):
        ScoringOptions.from_dict({**ScoringOptions().to_dict(), "n_boot": MAX_BOOT + 1}, "results.json")
