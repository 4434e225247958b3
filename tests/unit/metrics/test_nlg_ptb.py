"""coco-caption's tokenisation on an edge corpus of report text (punctuation, hyphens, apostrophes, decimals,
`n't`, brackets, abbreviations, quotes, empty strings): gazebench's tokens equal the Java PTBTokenizer run of
pycocoevalcap (recorded below from stanford-corenlp-3.4.1 and checked live when java is present), and BLEU-1..4,
ROUGE-L and CIDEr-D from raw text equal pycocoevalcap's scorers fed with those tokens."""
from __future__ import annotations

import shutil

import pytest

from gazebench.metrics.nlg import coco_tokenize, nlg_scores
from gazebench.metrics.nlg.tokenize import ptb_tokens

EDGE = [
    ("Heart size is normal. The lungs are clear, and there's no focal consolidation!",
     "The heart is normal in size; lungs are clear -- no consolidation."),
    ("Left-sided PICC (tip in the SVC) is unchanged.",
     "Left sided PICC line [tip at the cavoatrial junction] unchanged."),
    ("A 3.5 cm nodule, previously 3.5cm, isn't enlarged.",
     "There is a 3.5-cm nodule that hasn't changed (previously 2.0 cm)."),
    ("", "No acute cardiopulmonary process."),
    ("No pneumothorax.", ""),
    ("", ""),
    ("...", "."),
    ("The patient's ET tube ends 4.5 cm above the carina; NG tube in the stomach.",
     "ET tube terminates 4.5 cm above the carina.NG tube courses into the stomach."),
    ("Mild cardiomegaly -- stable since ___ (Dr. ___ notified at 10:45 a.m.).",
     "Mild cardiomegaly, unchanged; findings discussed with Dr. ___ at 10:45, e.g. by phone."),
    ('"No pneumothorax," per the wet read; can\'t exclude small effusion.',
     "Can't exclude a small left effusion; no pneumothorax."),
    ("Bibasilar atelectasis vs. aspiration?! Recommend follow-up CT.",
     "Bibasilar opacities may reflect atelectasis or aspiration."),
    ("Lines/tubes: R IJ catheter; mid- and lower-zone opacities (1,000 mL drained).",
     "Right IJ catheter in place; mid and lower zone opacities after 1,000 mL thoracentesis."),
    ("T12 compression fracture - unchanged. Fig. 2 shows it; no. 3 is new.", "Stable T12 compression deformity."),
    ("Heart size normal.Lungs clear.", "Heart size is normal. Lungs are clear."),
    ("Moderate effusion ( right > left ) with {adjacent} atelectasis.", "Moderate right greater than left effusions."),
    ("It’s “improved” since the prior study—no new opacity…", "Improved since prior; no new opacity."),
    ("Cannot exclude pneumonia; it'd be worth a lateral view, wouldn't it?",
     "Pneumonia cannot be excluded; a lateral view would help."),
    ("Size ~5 mm, i.e. <6 mm; 50% smaller, 2-3 nodules.", "Subcentimeter nodules, 2-3 in number, about 5 mm."),
]
"""(generated report, reference report) pairs of MIMIC-CXR-style text."""

COCO = [
    ("heart size is normal the lungs are clear and there 's no focal consolidation",
     'the heart is normal in size lungs are clear no consolidation'),
    ('left-sided picc -lrb- tip in the svc -rrb- is unchanged',
     'left sided picc line -lsb- tip at the cavoatrial junction -rsb- unchanged'),
    ("a 3.5 cm nodule previously 3.5 cm is n't enlarged",
     "there is a 3.5-cm nodule that has n't changed -lrb- previously 2.0 cm -rrb-"),
    ('',
     'no acute cardiopulmonary process'),
    ('no pneumothorax',
     ''),
    ('',
     ''),
    ('',
     ''),
    ("the patient 's et tube ends 4.5 cm above the carina ng tube in the stomach",
     'et tube terminates 4.5 cm above the carina.ng tube courses into the stomach'),
    ('mild cardiomegaly stable since ___ -lrb- dr. ___ notified at 10:45 a.m. -rrb-',
     'mild cardiomegaly unchanged findings discussed with dr. ___ at 10:45 e.g. by phone'),
    ("no pneumothorax per the wet read ca n't exclude small effusion",
     "ca n't exclude a small left effusion no pneumothorax"),
    ('bibasilar atelectasis vs. aspiration ?! recommend follow-up ct.',
     'bibasilar opacities may reflect atelectasis or aspiration'),
    ('lines/tubes r ij catheter mid and lower-zone opacities -lrb- 1,000 ml drained -rrb-',
     'right ij catheter in place mid and lower zone opacities after 1,000 ml thoracentesis'),
    ('t12 compression fracture unchanged fig. 2 shows it no. 3 is new',
     'stable t12 compression deformity'),
    ('heart size normal.lungs clear',
     'heart size is normal lungs are clear'),
    ('moderate effusion -lrb- right > left -rrb- with -lcb- adjacent -rcb- atelectasis',
     'moderate right greater than left effusions'),
    ("it 's improved since the prior study no new opacity",
     'improved since prior no new opacity'),
    ("can not exclude pneumonia it 'd be worth a lateral view would n't it",
     'pneumonia can not be excluded a lateral view would help'),
    ('size ~ 5 mm i.e. < 6 mm 50 % smaller 2-3 nodules',
     'subcentimeter nodules 2-3 in number about 5 mm'),
]
"""pycocoevalcap's PTBTokenizer().tokenize output for EDGE (java, stanford-corenlp-3.4.1, punctuation deleted)."""


def _ours(text: str) -> str:
    return " ".join(coco_tokenize(text))


def _theirs(line: str) -> str:
    return " ".join(w for w in line.split(" ") if w != "___")  # gazebench drops placeholders (docs/metrics.md)


@pytest.mark.parametrize("i", range(len(EDGE)))
def test_tokens_equal_coco_captions_ptb_tokenizer(i: int) -> None:
    assert [_ours(t) for t in EDGE[i]] == [_theirs(t) for t in COCO[i]]


def test_ptb_tokens_before_deletion() -> None:
    assert ptb_tokens('The "small" (left) effusion -- isn\'t it?!') == [
        "the", "``", "small", "\'\'", "-lrb-", "left", "-rrb-", "effusion", "--", "is", "n\'t", "it", "?!"]
    assert ptb_tokens("No. 3 vs. no effusion. Ct. PA. pa. 3.5cm 12mm mid- gotta") == [
        "no.", "3", "vs.", "no", "effusion", ".", "ct.", "pa.", "pa", ".", "3.5", "cm", "12mm", "mid", "-", "got",
        "ta"]
    assert coco_tokenize("") == [] and coco_tokenize(" ... -- ; ") == []


def test_scores_equal_pycocoevalcap_on_the_edge_corpus() -> None:
    bleu_mod = pytest.importorskip("pycocoevalcap.bleu.bleu")
    rouge_mod = pytest.importorskip("pycocoevalcap.rouge.rouge")
    cider_mod = pytest.importorskip("pycocoevalcap.cider.cider")
    gts = {i: [_theirs(ref)] for i, (_, ref) in enumerate(COCO)}
    res = {i: [_theirs(hyp)] for i, (hyp, _) in enumerate(COCO)}
    ours = nlg_scores([h for h, _ in EDGE], [[r] for _, r in EDGE])
    bleu, bleu_items = bleu_mod.Bleu(4).compute_score(gts, res, verbose=0)
    rouge, rouge_items = rouge_mod.Rouge().compute_score(gts, res)
    cider, cider_items = cider_mod.Cider().compute_score(gts, res)
    assert max(abs(a - b) for a, b in zip(ours.bleu, bleu, strict=True)) < 1e-12
    assert ours.rouge_l == pytest.approx(rouge, abs=1e-12)
    assert ours.rouge_l_items == pytest.approx(rouge_items, abs=1e-12)
    assert ours.cider_d == pytest.approx(cider, abs=1e-12)
    assert ours.cider_d_items == pytest.approx(cider_items, abs=1e-12)


@pytest.mark.skipif(shutil.which("java") is None, reason="coco-caption's PTBTokenizer needs java")
def test_recorded_tokens_are_a_live_ptb_tokenizer_run() -> None:
    ptb = pytest.importorskip("pycocoevalcap.tokenizer.ptbtokenizer")
    texts = [t for pair in EDGE for t in pair]
    got = ptb.PTBTokenizer().tokenize({i: [{"caption": t}] for i, t in enumerate(texts)})
    assert [got[i][0] for i in range(len(texts))] == [t for pair in COCO for t in pair]
