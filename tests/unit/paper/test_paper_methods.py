"""The method list, its resolution from --methods, the comparisons chosen, and the regenerate command."""
from __future__ import annotations

import pytest

from gazebench.cli.paper_cmd import parse_method_args
from gazebench.errors import ConfigError, RegistryError
from gazebench.paper.methods import PAPER_METHODS, comparisons_for, resolve_methods
from gazebench.paper.runner import PaperSettings, model_args


def test_paper_methods_and_reported_numbers() -> None:
    assert [m.title for m in PAPER_METHODS] == ["Vanilla", "SFT", "SFT-Heatmap", "MedCLIP", "EGMA", "Random-Gaze",
                                                "Shuffled-Gaze", "Original-Gaze"]
    assert PAPER_METHODS[-1].reported == (90.17, 89.02, 87.61) and PAPER_METHODS[0].reported == (49.74, 42.15, 43.09)


def test_resolve_keeps_paper_order_then_submitted() -> None:
    assert [m.key for m in resolve_methods("paper")] == [m.key for m in PAPER_METHODS]
    assert [m.key for m in resolve_methods("random,original-gaze,sft")] == ["sft", "original-gaze", "random"]
    with pytest.raises(RegistryError, match="did you mean"):
        resolve_methods("orignal-gaze")
    with pytest.raises(ConfigError):
        resolve_methods(" , ")


def test_comparisons_follow_the_methods_present() -> None:
    full = comparisons_for(resolve_methods("paper"))
    assert [(c.a, c.b) for c in full][:2] == [("shuffled-gaze", "original-gaze"), ("random-gaze", "original-gaze")]
    assert len(full) == 10
    assert {(c.a, c.b) for c in full if c.question.startswith("Q0")} == {
        ("vanilla", b) for b in ("sft", "random-gaze", "shuffled-gaze", "original-gaze")}
    some = comparisons_for(resolve_methods("sft,sft-heatmap,random"))
    assert [(c.a, c.b) for c in some] == [("sft", "sft-heatmap"), ("sft", "random")]
    assert [(c.a, c.b) for c in comparisons_for(resolve_methods("vanilla,random"))] == [("vanilla", "random")]


def test_command_and_model_args() -> None:
    s = PaperSettings(methods="paper,random", seeds=3, limit=10, model_args=(("medclip", "epochs", 2),))
    assert s.command() == ("gazebench paper-table --methods paper,random --seeds 3 --limit 10 "
                           "--model-arg medclip:epochs=2")
    assert PaperSettings().command() == "gazebench paper-table"
    assert PaperSettings(threshold_policy="fixed").command() == "gazebench paper-table --threshold-policy fixed"
    by_key = {m.key: m for m in PAPER_METHODS}
    real = PaperSettings(backbone="/w/qwen", model_args=(("sft", "lr", 0.1),))
    assert model_args(by_key["sft"], real) == (("backbone", "/w/qwen"), ("lr", 0.1))
    assert model_args(by_key["medclip"], real) == ()
    assert model_args(by_key["sft"], PaperSettings()) == ()  # tiny: same hash as a plain `gazebench run`
    assert parse_method_args(("sft:lr=0.5", "egma:name=x")) == (("egma", "name", "x"), ("sft", "lr", 0.5))
    with pytest.raises(ConfigError, match="METHOD:KEY=VALUE"):
        parse_method_args(("lr=0.5",))
