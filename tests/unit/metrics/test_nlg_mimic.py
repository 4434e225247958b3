"""Tokenisation of MIMIC-CXR-style report text: straight double quotes dropped as coco-caption drops them,
de-identification placeholders (`___`) dropped and counted, and the tokens equal to coco-caption's Java
PTBTokenizer + punctuation deletion (pycocoevalcap); test_nlg_ptb.py holds the edge corpus."""
from __future__ import annotations

import shutil

import pytest

from gazebench.metrics.nlg import coco_tokenize, nlg_scores
from gazebench.metrics.nlg.tokenize import placeholders

MIMIC = [
    'The "small" left effusion is unchanged since ___.',
    "Findings were discussed with Dr. ___ by ___ on ___ at 10:45, within minutes of discovery.",
    'Right IJ line ends in the low SVC; "no pneumothorax" per the wet read.',
    "Heart size is normal. The lungs are clear, and there's no focal consolidation!",
    "Compared to ___ radiograph, mild pulmonary edema has improved -- possibly ___ treatment.",
]


def test_quotes_and_placeholders_are_dropped() -> None:
    assert coco_tokenize(MIMIC[0]) == ["the", "small", "left", "effusion", "is", "unchanged", "since"]
    assert "_" not in coco_tokenize(MIMIC[1]) and "___" not in coco_tokenize(MIMIC[1])
    assert coco_tokenize(MIMIC[2], punctuation="keep")[-2:] == ["read", "."]  # keep: only placeholders go
    assert coco_tokenize('___ "x" ___', punctuation="keep") == ["``", "x", "''"]  # keep: PTB's quote tokens
    assert [placeholders(t) for t in MIMIC] == [1, 3, 0, 0, 2]
    assert placeholders("a__b") == 0 and coco_tokenize("a__b") == ["a", "__", "b"]  # not a placeholder: PTB's "__"


def test_nlg_scores_count_the_placeholders() -> None:
    scores = nlg_scores([MIMIC[0], MIMIC[1]], [[MIMIC[4]], [MIMIC[1], MIMIC[2]]])
    assert scores.n_placeholders == (4, 5)
    assert nlg_scores(["___ heart"], [["heart"]]).bleu[0] == pytest.approx(1.0)  # the placeholder is no word


@pytest.mark.skipif(shutil.which("java") is None, reason="coco-caption's PTBTokenizer needs java")
def test_equal_to_coco_caption_ptb_tokenizer() -> None:
    ptb = pytest.importorskip("pycocoevalcap.tokenizer.ptbtokenizer")
    got = ptb.PTBTokenizer().tokenize({i: [{"caption": t}] for i, t in enumerate(MIMIC)})
    for i, text in enumerate(MIMIC):
        theirs = [w for w in got[i][0].split() if w != "___"]  # coco-caption keeps "___"; gazebench drops it
        assert coco_tokenize(text) == theirs, text
