"""Tiny backbone from config, gaze tokens, chat-template prompt and 3-D mRoPE positions."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from gazebench.errors import ConfigError
from gazebench.vlm.backbone import build_backbone, gaze_token_strings, offline_tokenizer
from gazebench.vlm.chat import IGNORE, INSTRUCTION, PromptBuilder
from gazebench.vlm.report import render_report
from gazebench.vlm.vision_input import to_qwen_pixels


@pytest.fixture(scope="module")
def backbone():  # noqa: ANN201
    return build_backbone("tiny", k=4)


def test_tiny_backbone_and_gaze_tokens(backbone) -> None:  # noqa: ANN001
    tok, model = backbone.tokenizer, backbone.model
    n_base = len(offline_tokenizer())
    assert backbone.gaze_token_ids == tuple(range(n_base, n_base + 4))
    assert tok.convert_ids_to_tokens(list(backbone.gaze_token_ids)) == list(gaze_token_strings(4))
    emb = model.get_input_embeddings().weight
    assert emb.shape[0] == model.config.text_config.vocab_size >= len(tok)  # never shrunk
    torch.testing.assert_close(emb[backbone.gaze_token_ids[0]], emb[:n_base].mean(0))
    assert model.config.image_token_id == tok.convert_tokens_to_ids("<|image_pad|>")
    assert not any(p.requires_grad for p in model.parameters())


def test_same_seed_same_random_weights(backbone) -> None:  # noqa: ANN001
    again = build_backbone("tiny", k=4)
    for a, b in zip(backbone.model.parameters(), again.model.parameters(), strict=True):
        assert torch.equal(a, b)


def test_unknown_backbone_is_a_config_error(tmp_path) -> None:  # noqa: ANN001
    with pytest.raises(ConfigError, match="neither a named config"):
        build_backbone(str(tmp_path / "missing"))


def test_prompt_layout(backbone) -> None:  # noqa: ANN001
    pb = PromptBuilder(backbone.tokenizer, backbone.image_token_id, backbone.gaze_token_ids, n_visual=64)
    report = render_report(np.arange(14) % 2 == 0)
    batch = pb.build([report, render_report(np.zeros(14, bool))])
    ids = batch.input_ids[0].tolist()
    text = backbone.tokenizer.decode(ids)
    expected = ("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n<|vision_start|>"
                + "<|image_pad|>" * 64 + f"<|vision_end|>{INSTRUCTION}<|im_end|>\n<|im_start|>assistant\n"
                + "".join(gaze_token_strings(4)) + report + "<|im_end|>")
    assert text == expected
    assert (batch.mm_token_type_ids[0] == 1).sum() == 64
    assert torch.equal(batch.mm_token_type_ids.bool(), batch.input_ids == backbone.image_token_id)
    labelled = batch.lm_labels[0] != IGNORE
    assert backbone.tokenizer.decode(batch.input_ids[0][labelled]) == report + "<|im_end|>"
    assert not labelled[: len(pb.prefix_ids)].any()  # prompt and gaze tokens carry no LM loss
    assert batch.attention_mask.sum(1).tolist() == [len(ids), len(ids)]  # same length reports here


def test_mrope_positions_are_3d(backbone) -> None:  # noqa: ANN001
    pb = PromptBuilder(backbone.tokenizer, backbone.image_token_id, backbone.gaze_token_ids, n_visual=64)
    batch = pb.build(batch_size=1)
    _, grid = to_qwen_pixels(torch.zeros(1, 3, 224, 224))
    pos, _ = backbone.model.model.get_rope_index(batch.input_ids, batch.mm_token_type_ids, grid,
                                                  attention_mask=batch.attention_mask)
    assert pos.shape == (3, 1, batch.input_ids.shape[1])
    flat = torch.arange(batch.input_ids.shape[1])
    assert not torch.equal(pos[0, 0], flat)
    img = (batch.input_ids[0] == backbone.image_token_id).nonzero().flatten()
    s = int(img[0])
    j = torch.arange(64)
    assert torch.equal(pos[:, 0, img], torch.stack([torch.full((64,), s), s + j // 8, s + j % 8]))
    after = int(img[-1]) + 1  # <|vision_end|> resumes at s + max(Hm, Wm)
    assert pos[:, 0, after].tolist() == [s + 8] * 3
