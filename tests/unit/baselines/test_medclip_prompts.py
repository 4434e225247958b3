"""Shared CLIP plumbing used by MedCLIP and EGMA: prompt tables, label sentences, offline tokenizer,
prompt-ensemble zero-shot scoring."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from gazebench.baselines.clip.label_text import label_sentence, label_sentences
from gazebench.baselines.clip.prompts import CLASS_PROMPTS, NO_FINDING, PromptTable, all_prompts, prompt_sets
from gazebench.baselines.clip.tokenizer import tiny_tokenizer
from gazebench.baselines.clip.zero_shot import PromptBank, ensemble_probabilities, zero_shot_probabilities
from gazebench.labels import CHEXPERT_LABELS, LABEL_INDEX


def test_every_label_has_a_prompt_table_in_label_order() -> None:
    assert tuple(CLASS_PROMPTS) == CHEXPERT_LABELS
    for label in CHEXPERT_LABELS:
        prompts = all_prompts(label)
        assert len(prompts) == len(set(prompts)) >= 8, label
        assert all(p == p.strip() and "  " not in p for p in prompts)


def test_prompts_are_the_severity_subtype_location_product() -> None:
    table = PromptTable(("", "mild"), ("atelectasis",), ("", "at the lung bases"))
    assert table.prompts() == ("atelectasis", "atelectasis at the lung bases",
                               "mild atelectasis", "mild atelectasis at the lung bases")


def test_prompt_sets_are_seeded_and_disease_vs_normal() -> None:
    a, b, c = prompt_sets(10, 0), prompt_sets(10, 0), prompt_sets(10, 1)
    assert a == b and a != c
    normal = set(all_prompts(NO_FINDING))
    for label in CHEXPERT_LABELS:
        pos, neg = a[label]
        assert len(pos) == min(10, len(all_prompts(label))) and set(pos) <= set(all_prompts(label))
        if label == NO_FINDING:
            assert len(neg) == 10 and not set(neg) & normal
        else:
            assert set(neg) <= normal


def test_label_sentence_speaks_about_a_positive_finding() -> None:
    raw = np.full(14, np.nan)
    raw[LABEL_INDEX["Pleural Effusion"]] = 1.0
    raw[LABEL_INDEX["Atelectasis"]] = -1.0  # uncertain is never chosen
    rng = np.random.default_rng(0)
    for _ in range(20):
        text, vec = label_sentence(raw, rng)
        assert text in all_prompts("Pleural Effusion")
        assert vec.tolist() == [1.0 if i == LABEL_INDEX["Pleural Effusion"] else 0.0 for i in range(14)]
    text, vec = label_sentence(np.full(14, np.nan), rng)
    assert text in all_prompts(NO_FINDING) and vec[LABEL_INDEX[NO_FINDING]] == 1.0
    raw[LABEL_INDEX["Cardiomegaly"]] = 1.0
    two = label_sentences(raw, rng, limit=5)
    assert two[0] in all_prompts("Cardiomegaly") and two[1] in all_prompts("Pleural Effusion")
    assert len(label_sentences(raw, rng, limit=1)) == 1


def test_offline_tokenizer_knows_every_prompt_word_and_spells_unknown_words() -> None:
    tok = tiny_tokenizer()
    words = {w for label in CHEXPERT_LABELS for p in all_prompts(label) for w in p.split()}
    ids = tok(sorted(words), add_special_tokens=False)["input_ids"]
    assert all(len(i) == 1 and i[0] != tok.unk_token_id for i in ids)
    pieces = tok.tokenize("Zygomycosis")
    assert tok.unk_token not in pieces and pieces[0] == "z" and all(p.startswith("##") for p in pieces[1:])
    assert len(tok("word " * 200, truncation=True)["input_ids"]) == 77


def test_ensemble_probability_is_softmax_of_the_two_set_means() -> None:
    # 1 image, prompts u0,u1 positive for label 0 and u2 negative; label 1: u2 positive, u0,u1 negative
    logits = torch.tensor([[3.0, 1.0, 0.5]])
    positive = torch.tensor([[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])
    negative = torch.tensor([[0.0, 0.0, 1.0], [0.5, 0.5, 0.0]])
    got = ensemble_probabilities(logits, positive, negative)[0].tolist()
    p0 = math.exp(2.0) / (math.exp(2.0) + math.exp(0.5))
    assert got == pytest.approx([p0, 1 - p0], abs=1e-6)


def test_prompt_bank_scores_14_labels_in_unit_interval() -> None:
    bank = PromptBank.build(5, seed=0)
    assert bank.positive.shape == bank.negative.shape == (14, len(bank.texts))
    assert torch.allclose(bank.positive.sum(1), torch.ones(14)) and torch.allclose(bank.negative.sum(1), torch.ones(14))
    gen = torch.Generator().manual_seed(0)
    image = torch.nn.functional.normalize(torch.randn(4, 8, generator=gen), dim=-1)
    prompts = torch.nn.functional.normalize(torch.randn(len(bank.texts), 8, generator=gen), dim=-1)
    probs = zero_shot_probabilities(image, prompts, torch.tensor(10.0), bank)
    assert probs.shape == (4, 14) and bool(((probs > 0) & (probs < 1)).all())
