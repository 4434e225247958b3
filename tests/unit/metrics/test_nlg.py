"""BLEU-1..4, ROUGE-L and CIDEr-D against hand-computed values and against pycocoevalcap, rouge-score
and sacrebleu where their definitions coincide with coco-caption's."""
from __future__ import annotations

import math

import numpy as np
import pytest

from gazebench.metrics.inputs import MetricInputError
from gazebench.metrics.nlg import (
    bleu_from_stats,
    bleu_stats,
    cider_d,
    coco_tokenize,
    corpus_bleu,
    lcs_length,
    nlg_scores,
    rouge_l,
)

REFS = ["the heart size is normal .", "no pleural effusion or pneumothorax ."]
HYPS = ["heart size is normal .", "no pneumothorax ."]


def _split(texts: list[str]) -> list[list[str]]:
    return [t.split() for t in texts]


def test_bleu_by_hand() -> None:
    # a: c=5 r=6, every n-gram matches: correct = guess = [5, 4, 3, 2]
    # b: c=3 r=6, correct=[3, 1, 0, 0] ("no pneumothorax" is no ref bigram; "pneumothorax ." is), guess=[3, 2, 1, 0]
    # corpus: C=8, R=12 -> BP = exp(1 - 12/8); P1 = 8/8, P2 = 5/6, P3 = 3/4, P4 = 2/2
    stats = bleu_stats(_split(HYPS), [[r.split()] for r in REFS])
    assert stats.tolist() == [[5, 6, 5, 4, 3, 2, 5, 4, 3, 2], [3, 6, 3, 1, 0, 0, 3, 2, 1, 0]]
    bp = math.exp(1 - 12 / 8)
    expected = [bp, bp * (5 / 6) ** (1 / 2), bp * (5 / 6 * 3 / 4) ** (1 / 3), bp * (5 / 6 * 3 / 4) ** (1 / 4)]
    assert corpus_bleu(_split(HYPS), [[r.split()] for r in REFS]) == pytest.approx(expected, abs=1e-9)
    assert expected == pytest.approx([0.606531, 0.553684, 0.518576, 0.539290], abs=1e-6)
    # item a alone: all precisions 1, BP = exp(1 - 6/5)
    assert bleu_from_stats(stats[0]) == pytest.approx([math.exp(-0.2)] * 4, abs=1e-9)
    # item b alone, unsmoothed: a zero 3-gram count sends BLEU-3/4 to ~0
    assert bleu_from_stats(stats[1])[3] < 1e-5


def test_bleu_closest_reference_length_ties_to_shorter() -> None:
    stats = bleu_stats([["a", "b", "c"]], [[["a", "b"], ["a", "b", "c", "d"]]])
    assert stats[0, 1] == 2  # |3-2| == |3-4|: the shorter wins


def test_rouge_l_by_hand() -> None:
    # LCS("heart size is normal .", "the heart size is normal .") = 5; P = 1, R = 5/6; beta = 1.2
    assert lcs_length(HYPS[0].split(), REFS[0].split()) == 5
    f = (1 + 1.44) * 1 * (5 / 6) / (5 / 6 + 1.44 * 1)
    assert rouge_l(HYPS[0].split(), [REFS[0].split()]) == pytest.approx(f) == pytest.approx(0.894428, abs=1e-6)
    # b: LCS 3 ("no pneumothorax ."), P = 1, R = 3/6
    assert rouge_l(HYPS[1].split(), [REFS[1].split()]) == pytest.approx(2.44 * 0.5 / (0.5 + 1.44), abs=1e-12)
    # P and R are maximised over references independently: P from ref 1, R from ref 2
    assert rouge_l(["a", "b"], [["a", "b", "x", "y"], ["a"]]) == pytest.approx(2.44 * 1 * 1 / (1 + 1.44))
    assert rouge_l([], [["a"]]) == 0.0


def test_rouge_l_of_empty_texts_is_coco_captions() -> None:
    # coco-caption splits "" into one empty token: empty vs empty is 1.0 (rouge-score would give 0)
    assert rouge_l([], [[]]) == 1.0 and rouge_l([], [["a"], []]) == 1.0
    assert rouge_l(["a"], [[]]) == 0.0 and rouge_l([], [["a", "b"]]) == 0.0
    rouge_mod = pytest.importorskip("pycocoevalcap.rouge.rouge")
    cases = [("", [""]), ("", ["a b"]), ("a", [""]), ("", ["a", ""])]
    theirs = [rouge_mod.Rouge().calc_score([h], refs) for h, refs in cases]
    assert [rouge_l(h.split(), [r.split() for r in refs]) for h, refs in cases] == theirs == [1.0, 0.0, 0.0, 1.0]


def test_cider_d_by_hand_and_corpus_dependence() -> None:
    corpus, items = cider_d(_split(HYPS), [[r.split()] for r in REFS])
    assert items == pytest.approx([8.5587, 2.0930], abs=1e-4) and corpus == pytest.approx(5.3259, abs=1e-4)
    # item a by hand: df = 1 for every n-gram except "." (in both items' refs: weight log2 - log2 = 0);
    # every other weight is log 2, so cosines are count ratios: n=1 4/sqrt(4*5), n=2 4/sqrt(4*5),
    # n=3 3/sqrt(3*4), n=4 2/sqrt(2*3); length penalty exp(-(4-5)^2 / 72) (bigram counts 4 vs 5)
    cos = [4 / math.sqrt(20), 4 / math.sqrt(20), 3 / math.sqrt(12), 2 / math.sqrt(6)]
    assert items[0] == pytest.approx(10 * np.mean(cos) * math.exp(-1 / 72), abs=1e-9)
    # a third item changes the document frequencies, hence item a's score; an exact match scores 10
    exact = "the lungs are clear ."
    _, items3 = cider_d(_split(HYPS + [exact]), [[r.split()] for r in REFS + [exact]])
    assert items3[2] == pytest.approx(10.0) and items3[0] == pytest.approx(8.7781, abs=1e-4)


def test_tokenizer_is_coco_like() -> None:
    # brackets stay as PTB's -lrb- / -rrb-: coco-caption's deletion list names them upper-case
    assert coco_tokenize("The Heart's size, (1.5 cm) isn't enlarged; plate-like and/or...") == [
        "the", "heart", "'s", "size", "-lrb-", "1.5", "cm", "-rrb-", "is", "n't", "enlarged", "plate-like", "and/or"]
    assert coco_tokenize("No effusion.", punctuation="keep") == ["no", "effusion", "."]


def test_nlg_scores_rejects_bad_inputs() -> None:
    with pytest.raises(MetricInputError, match="2 hypotheses but 1"):
        nlg_scores(HYPS, [[REFS[0]]])
    with pytest.raises(MetricInputError, match="item 1 .* no reference"):
        nlg_scores(HYPS, [[REFS[0]], []])


def _random_corpus(seed: int, n: int = 25) -> tuple[list[str], list[list[str]]]:
    rng = np.random.default_rng(seed)
    vocab = "no pleural effusion pneumothorax the heart size is normal mild cardiomegaly left right base .".split()

    def sent() -> str:
        return " ".join(rng.choice(vocab, size=int(rng.integers(3, 14))))

    return [sent() for _ in range(n)], [[sent() for _ in range(int(rng.integers(1, 4)))] for _ in range(n)]


@pytest.mark.parametrize("seed", [0, 1])
def test_equal_to_pycocoevalcap(seed: int) -> None:
    bleu_mod = pytest.importorskip("pycocoevalcap.bleu.bleu")
    rouge_mod = pytest.importorskip("pycocoevalcap.rouge.rouge")
    cider_mod = pytest.importorskip("pycocoevalcap.cider.cider")
    hyps, refs = _random_corpus(seed)
    gts = {i: r for i, r in enumerate(refs)}
    res = {i: [h] for i, h in enumerate(hyps)}
    ours = nlg_scores(hyps, refs, punctuation="keep")  # the corpus is already space-tokenised
    bleu, _ = bleu_mod.Bleu(4).compute_score(gts, res, verbose=0)
    rouge, rouge_items = rouge_mod.Rouge().compute_score(gts, res)
    cider, cider_items = cider_mod.Cider().compute_score(gts, res)
    assert ours.bleu == pytest.approx(bleu, rel=1e-9)
    assert ours.rouge_l == pytest.approx(rouge, rel=1e-9) and ours.rouge_l_items == pytest.approx(rouge_items)
    assert ours.cider_d == pytest.approx(cider, rel=1e-9) and ours.cider_d_items == pytest.approx(cider_items)


def test_lcs_equal_to_rouge_score() -> None:
    rouge_scorer = pytest.importorskip("rouge_score.rouge_scorer")
    scorer = rouge_scorer.RougeScorer(["rougeL"])
    hyps, refs = _random_corpus(2)
    for h, r in zip(hyps, refs, strict=True):
        s = scorer.score(r[0], h)["rougeL"]  # rouge-score: target first, beta = 1, drops "."
        ht, rt = coco_tokenize(h), coco_tokenize(r[0])
        assert rouge_l(ht, [rt], beta=1.0) == pytest.approx(s.fmeasure, abs=1e-12)
        assert lcs_length(ht, rt) == pytest.approx(s.recall * len(rt))


def test_bleu_equal_to_sacrebleu_without_smoothing() -> None:
    from sacrebleu.metrics import BLEU

    rng = np.random.default_rng(3)
    _, refs = _random_corpus(3, n=40)
    refs = [r[0] for r in refs]
    hyps = []  # each reference with one word replaced: every n-gram order keeps matches
    for r in refs:
        words = r.split()
        words[int(rng.integers(len(words)))] = "xyz"
        hyps.append(" ".join(words))
    ours = nlg_scores(hyps, [[r] for r in refs], punctuation="keep")
    theirs = BLEU(tokenize="none", smooth_method="none").corpus_score(hyps, [refs])
    assert all(c > 0 for c in theirs.counts)  # no zero-match order, where the definitions coincide
    assert ours.bleu[3] * 100 == pytest.approx(theirs.score, rel=1e-9)
