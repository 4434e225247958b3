"""The `vanilla` baseline: answer slots of the teacher-forced report, Yes/No probabilities against the
backbone's full logits on prompts built independently (PromptBuilder), parse-failure counting, and the
adapter contract. The two-way softmax itself is tested with gazebench.vlm.likelihood."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from gazebench.adapter import ImageBatch, get_model
from gazebench.baselines.vanilla import VanillaAdapter, report_template
from gazebench.errors import ConfigError
from gazebench.labels import CHEXPERT_LABELS
from gazebench.vlm.backbone import offline_tokenizer
from gazebench.vlm.chat import PromptBuilder
from gazebench.vlm.report import parses, render_report
from gazebench.vlm.vision_input import to_qwen_pixels


@pytest.fixture(scope="module")
def adapter() -> VanillaAdapter:
    return VanillaAdapter(probe_fraction=0.0)


def image_ids(n: int) -> tuple[str, ...]:
    return tuple(f"v{i}" for i in range(n))


def pixels(n: int) -> torch.Tensor:
    return torch.randn(n, 3, 224, 224, generator=torch.Generator().manual_seed(7))


def test_template_finds_one_answer_token_per_label() -> None:
    tok = offline_tokenizer()
    t = report_template(tok)
    ids = tok(t.text, add_special_tokens=False)["input_ids"]
    assert t.text == render_report([False] * 14)
    assert len(t.slots) == 14 and list(t.slots) == sorted(t.slots) and t.n_tokens == len(ids)
    assert [ids[s] for s in t.slots] == list(t.no_ids)
    assert set(tok.convert_ids_to_tokens(list(t.yes_ids))) == {"Yes"}
    assert set(tok.convert_ids_to_tokens(list(t.no_ids))) == {"No"}
    # the token before each slot closes that label's "Label: " prefix, in label order
    text_before = [tok.decode(ids[: s]) for s in t.slots]
    for label, before in zip(CHEXPERT_LABELS, text_before, strict=True):
        assert before.endswith(f"{label}: ")


class SplitsYes:
    """A tokenizer that writes "Yes" as two tokens: answers cannot be read from single-token logits."""

    def __call__(self, text: str, add_special_tokens: bool = False) -> dict[str, list[int]]:
        return {"input_ids": [ord(c) for c in text.replace("Yes", "Y#")] + [0] * text.count("Yes")}


def test_template_refuses_multi_token_answers() -> None:
    with pytest.raises(ConfigError, match="single token"):
        report_template(SplitsYes())  # type: ignore[arg-type]


def test_probabilities_match_full_forward_logits(adapter: VanillaAdapter) -> None:
    x = pixels(2)
    probs = adapter.answer_probabilities(x)
    backbone = adapter.backbone
    prompts = PromptBuilder(backbone.tokenizer, backbone.image_token_id, (), 64)  # 224 px: 8 x 8 merged tokens
    prompt = prompts.build([adapter.template.text] * 2)
    pv, grid = to_qwen_pixels(x)
    with torch.no_grad():
        logits = adapter.backbone.model(input_ids=prompt.input_ids, attention_mask=prompt.attention_mask,
                                        mm_token_type_ids=prompt.mm_token_type_ids, pixel_values=pv,
                                        image_grid_thw=grid).logits
    start = len(prompts.prefix_ids)
    for j, slot in enumerate(adapter.template.slots):
        assert int(prompt.input_ids[0, start + slot]) == adapter.template.no_ids[j]  # the filler answer
        pair = logits[:, start + slot - 1, [adapter.template.yes_ids[j], adapter.template.no_ids[j]]]
        expected = torch.softmax(pair, -1)[:, 0].numpy()
        assert np.allclose(probs[:, j], expected, atol=1e-5)


def test_predict_contract_and_batch_independence(adapter: VanillaAdapter) -> None:
    assert not adapter.trainable and adapter.state_dict() == {}
    x, group = pixels(3), image_ids(3)
    out = adapter.classify(ImageBatch(group, x))
    assert out.probs.shape == (3, 14) and ((out.probs > 0) & (out.probs < 1)).all()
    alone = adapter.classify(ImageBatch(group[1:2], x[1:2]))
    assert np.allclose(alone.probs, out.probs[1:2], atol=1e-5)
    assert adapter.config()["backbone"] == "tiny" and "Qwen2.5-VL" in adapter.provenance.citation


def test_parse_failures_use_the_fixed_format_parser() -> None:
    good = render_report([True, False] * 7)
    texts = [good, good.replace("Yes", "Maybe", 1), "", good, "Cardiomegaly: Yes"]
    assert [parses(t) for t in texts] == [True, False, False, True, False]


def test_probe_subset_is_stable_and_parse_failures_are_per_image_diagnostics() -> None:
    every = VanillaAdapter(probe_fraction=1.0)
    none = VanillaAdapter(probe_fraction=0.0)
    some = VanillaAdapter(probe_fraction=0.5)
    batch = ImageBatch(image_ids(40), torch.zeros(40, 3, 224, 224))
    assert every.probed(batch) == list(range(40)) and none.probed(batch) == []
    half = some.probed(batch)
    assert 8 < len(half) < 32 and half == some.probed(batch)
    two = ImageBatch(image_ids(2), pixels(2))
    failed = every.classify(two).diagnostics["parse_failed"]
    assert failed.tolist() == [1.0, 1.0]  # a random tiny backbone babbles
    unprobed = none.classify(two).diagnostics["parse_failed"]
    assert np.isnan(unprobed).all()  # not measured, so not counted


def test_registered_and_options_checked() -> None:
    assert isinstance(get_model("vanilla"), VanillaAdapter)
    with pytest.raises(ConfigError, match="probe_fraction"):
        VanillaAdapter(probe_fraction=2.0)
    with pytest.raises(ConfigError, match="multiple of 28"):
        VanillaAdapter(image_size=100)
    with pytest.raises(ConfigError, match="unknown option"):
        VanillaAdapter(lr=1e-3)  # nothing to train
    assert VanillaAdapter(image_size="336", probe_fraction=0).cfg.probe_fraction == 0.0  # CLI values coerced
    assert VanillaAdapter(backbone="qwen2.5-vl-7b-shape").spec.image_size == 448  # no weights built yet
