"""The option mechanism: typed coercion of CLI/JSON values, bounds, choices, did-you-mean, and declarations
derived from config dataclasses and plain signatures."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pytest

from gazebench.errors import ConfigError
from gazebench.models.cnn import CNNConfig, SmallCNN
from gazebench.options import Options, check_fields, dataclass_options, option, options_of, with_options


@dataclass(frozen=True)
class Demo:
    """A config exercising every option kind."""

    epochs: int = option(3, ge=1)
    """Training epochs."""
    lr: float = option(1e-3, gt=0)
    rate: float = option(0.5, ge=0, le=1, nonfinite=True)
    flag: bool = False
    mode: Literal["a", "b"] = "a"
    method: str = option("x", choices=("x", "y"))
    path: str | None = None
    layers: tuple[int, ...] = (1, -1)
    side: int = option(56, ge=28, multiple_of=28)

    def __post_init__(self) -> None:
        check_fields(self)


OPTS = dataclass_options(Demo)


def parse(**raw: object) -> dict[str, object]:
    return OPTS.parse(raw, "demo")


@pytest.mark.parametrize(("raw", "expected"), [
    ({"epochs": "7"}, {"epochs": 7}), ({"epochs": 7.0}, {"epochs": 7}), ({"epochs": " 12 "}, {"epochs": 12}),
    ({"lr": "1e-4"}, {"lr": 1e-4}), ({"lr": 2}, {"lr": 2.0}), ({"rate": "nan"}, {}),
    ({"flag": "TRUE"}, {"flag": True}), ({"flag": 0}, {"flag": False}), ({"flag": "1"}, {"flag": True}),
    ({"mode": "b"}, {"mode": "b"}), ({"method": "y"}, {"method": "y"}), ({"path": "none"}, {"path": None}),
    ({"path": None}, {"path": None}), ({"path": "/w"}, {"path": "/w"}), ({"layers": "1,2,-1"}, {"layers": (1, 2, -1)}),
    ({"layers": [3]}, {"layers": (3,)}), ({"side": 84}, {"side": 84}),
])
def test_values_are_coerced_to_their_type(raw: dict[str, object], expected: dict[str, object]) -> None:
    out = parse(**raw)
    for key, value in expected.items():
        assert out[key] == value and type(out[key]) is type(value)
    if not expected:  # NaN allowed where declared
        assert out["rate"] != out["rate"]


@pytest.mark.parametrize(("raw", "message"), [
    ({"epochs": "abc"}, "--model-arg epochs=abc: expected an integer >= 1 (demo)"),
    ({"epochs": 2.5}, "--model-arg epochs=2.5: expected an integer >= 1 (demo)"),
    ({"epochs": "2.5"}, "--model-arg epochs=2.5: expected an integer >= 1 (demo)"),
    ({"epochs": 0}, "--model-arg epochs=0: expected an integer >= 1 (demo)"),
    ({"epochs": True}, "--model-arg epochs=true: expected an integer"),
    ({"lr": -1}, "--model-arg lr=-1: expected a number > 0 (demo)"),
    ({"lr": float("nan")}, "--model-arg lr=NaN: expected a number > 0"),
    ({"lr": "inf"}, "--model-arg lr=inf: expected a number > 0"),
    ({"lr": 10 ** 400}, "expected a number > 0"),
    ({"rate": 2}, "expected a number in [0, 1]"),
    ({"flag": "maybe"}, "--model-arg flag=maybe: expected true or false (or 1/0)"),
    ({"flag": 2}, "expected true or false"),
    ({"mode": "c"}, "--model-arg mode=c: expected one of a, b"),
    ({"method": "z"}, "expected one of x, y"),
    ({"path": 1.5}, "expected a string or none"),
    ({"layers": "1,a"}, "expected a comma-separated list of integers"),
    ({"layers": []}, "expected a comma-separated list of integers"),
    ({"side": 100}, "expected an integer >= 28, a multiple of 28"),
    ({"epoch": 3}, "--model-arg epoch=3: unknown option for demo; did you mean epochs?"),
    ({"zzz": 3}, "unknown option for demo (known: epochs, lr, rate, flag, mode, method, path, layers, side)"),
])
def test_bad_values_are_one_config_error_line(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse(**raw)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_every_bad_value_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as err:
        parse(epochs="abc", lr=0, wdth=3)
    assert str(err.value).count("--model-arg") == 3


def test_a_model_without_options_says_so() -> None:
    with pytest.raises(ConfigError, match="model oracle takes no options"):
        Options().parse({"x": 1}, "oracle")


def test_dataclass_declaration_has_types_defaults_help_and_validates_direct_construction() -> None:
    rows = {r["name"]: r for r in OPTS.describe()}
    assert rows["epochs"] == {"name": "epochs", "type": "int", "default": 3, "allowed": "an integer >= 1",
                              "help": "Training epochs."}
    assert rows["path"]["type"] == "str|none" and rows["layers"]["default"] == [1, -1]
    assert Demo(epochs="4").epochs == 4  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="epochs=0"):
        Demo(epochs=0)
    assert OPTS.without("epochs", "lr").names[:2] == ("rate", "flag")


def test_declared_or_signature_derived_or_unknown() -> None:
    declared = Options()

    @with_options(declared)
    def plugin(**kwargs: object) -> None: ...

    def typed(seed: int = 0, name: str = "a") -> None: ...

    def loose(**kwargs: object) -> None: ...

    def untyped(seed=0):  # type: ignore[no-untyped-def]
        ...

    assert options_of(plugin) is declared
    derived = options_of(typed)
    assert derived is not None and derived.names == ("seed", "name")
    assert derived.parse({"seed": "3"}, "typed") == {"seed": 3}
    assert options_of(loose) is None and options_of(untyped) is None
    assert options_of(SmallCNN) == dataclass_options(CNNConfig)


@pytest.mark.parametrize(("key", "value"), [
    ("epochs", "abc"), ("epochs", 2.5), ("epochs", 0), ("train_batch_size", 0), ("width", 0), ("image_size", 0),
    ("lr", -1), ("lr", float("nan")),
])
def test_cnn_options_are_checked(key: str, value: object) -> None:
    with pytest.raises(ConfigError, match=rf"--model-arg {key}=.*: expected .* \(cnn\)"):
        SmallCNN(**{key: value})


def test_cnn_takes_cli_strings() -> None:
    cnn = SmallCNN(width="8", lr="0.01")
    assert cnn.config()["width"] == 8 and cnn.config()["lr"] == 0.01


def test_list_models_shows_every_model_even_those_that_need_a_checkpoint() -> None:
    """`gazebench list models` (run by CI) builds every model it can, and names what the others need."""
    import json

    from click.testing import CliRunner

    from gazebench.cli.main import cli

    out = CliRunner().invoke(cli, ["list", "models", "--json"])
    assert out.exit_code == 0, out.output
    rows = {r["name"]: r for r in json.loads(out.stdout)}
    assert {"cnn", "original-gaze", "hf-vlm", "hf-clip"} <= set(rows)
    assert "path=DIR" in rows["hf-vlm"]["needs"] and rows["hf-vlm"]["options"]
    assert rows["cnn"]["kinds"] == ["classification"] and rows["oracle"]["track"] == "privileged"
    assert CliRunner().invoke(cli, ["list", "models"]).exit_code == 0
