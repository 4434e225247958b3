"""Report-generation metrics with the coco-caption definitions (BLEU-1..4, ROUGE-L, CIDEr-D), so scores
are comparable with the report-generation literature; see docs/gazex_track.md."""
from __future__ import annotations

from gazebench.metrics.nlg.bleu import bleu_from_stats, bleu_stats, corpus_bleu
from gazebench.metrics.nlg.cider import cider_d
from gazebench.metrics.nlg.rouge import lcs_length, rouge_l
from gazebench.metrics.nlg.scores import NLGScores, nlg_scores
from gazebench.metrics.nlg.tokenize import coco_tokenize

__all__ = [
    "NLGScores",
    "bleu_from_stats",
    "bleu_stats",
    "cider_d",
    "coco_tokenize",
    "corpus_bleu",
    "lcs_length",
    "nlg_scores",
    "rouge_l",
]
