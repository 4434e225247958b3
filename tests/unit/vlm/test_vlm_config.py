"""The config family: backbone defaults, option coercion, validation and the JSON round trip."""
from __future__ import annotations

import pytest

from gazebench.errors import ConfigError
from gazebench.reference_model.config import GazeModelConfig, default_config
from gazebench.vlm.config import BackboneConfig, VLMConfig


def test_backbone_defaults_then_options() -> None:
    tiny, real = default_config("tiny"), default_config("/models/qwen", lr=3e-4)
    assert (tiny.image_size, tiny.grid, tiny.lora_vision, tiny.epochs_stage2) == (224, (8, 8), True, 5)
    assert (real.image_size, real.grid, real.lora_r, real.lr, real.epochs_stage1) == (448, (16, 16), 16, 3e-4, 1)
    assert BackboneConfig.resolve("/models/qwen").image_size == 448
    assert VLMConfig.resolve("qwen2.5-vl-7b-shape").gradient_checkpointing


def test_cli_values_are_coerced_to_the_field_type() -> None:
    cfg = default_config("tiny", epochs_stage2="3", lambda_lm=0, lora_vision="false", target="random")
    assert (cfg.epochs_stage2, cfg.lambda_lm, cfg.lora_vision, cfg.target) == (3, 0.0, False, "random")
    assert isinstance(cfg.lambda_lm, float)
    with pytest.raises(ConfigError, match=r"k=four: expected an integer in \[0, "):
        default_config("tiny", k="four")
    with pytest.raises(ConfigError, match="epochs=3: unknown option for GazeModelConfig; did you mean epochs_stage2"):
        default_config("tiny", epochs=3)


@pytest.mark.parametrize(("options", "message"), [
    ({"image_size": 100}, "multiple of 28"), ({"grad_accum": 0}, "grad_accum"), ({"k": -1}, "k=-1: expected"),
    ({"target": "reversed"}, "target=reversed: expected one of original, shuffled, random"),
    ({"target_method": "best"}, "expected one of temporal-window, dwell-topk, first-k"),
    ({"lr": float("nan")}, r"lr=NaN: expected a number in \(0, "), ({"lora_vision": "maybe"}, "true or false"),
])
def test_invalid_values_are_config_errors(options: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        default_config("tiny", **options)


def test_json_round_trip_names_unknown_fields() -> None:
    cfg = default_config("tiny", k=2, target="shuffled")
    assert GazeModelConfig.from_dict(cfg.to_dict()) == cfg and '"k": 2' in cfg.to_json()
    with pytest.raises(ConfigError, match="unknown VLMConfig field"):
        VLMConfig.from_dict(cfg.to_dict())
