"""The tiny backbone's words. Its offline tokenizer (gazebench.vlm.backbone) knows only the Yes/No report's
vocabulary and writes every other word, and every number above 9, as <unk>, so the tiny gazex could spell no
report and no box. gazex adds, on the tiny backbone only, the words it must write as whole-word tokens: the
numbers of its input frame, the words of its prompts and answers, the CheXpert labeler's phrase lists and the
simulated study's report templates, each word also with its leading space (" effusion"), as a byte-level BPE
vocabulary holds it: without that every space between two words is a token of its own, and half of what the
model must learn to write is spaces. A real backbone keeps its own tokenizer untouched."""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import cast

import torch
from tokenizers import AddedToken
from torch import nn

from gazebench.data.readers.reflacx import REFLACX_TO_CHEXPERT
from gazebench.reports import phrases
from gazebench.synthetic import report as simulated_report
from gazebench.vlm.backbone import RANDOM_CONFIGS, Backbone

WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")


def _strings(value: object) -> Iterator[str]:
    """Every string inside nested dicts, tuples, lists and sets."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, (tuple, list, set, frozenset)):
        for v in value:
            yield from _strings(v)


def tiny_words(side: int, extra: Iterable[str] = ()) -> tuple[str, ...]:
    """The sorted words (each also capitalised and lower-cased, each with and without a leading space) of the
    sources and `extra`, the brackets of the box lists and the numbers 0..`side` gazex adds."""
    tables = [v for module in (phrases, simulated_report) for k, v in vars(module).items() if k.isupper()]
    texts = list(_strings([tables, REFLACX_TO_CHEXPERT, list(extra)]))
    words = {w for t in texts for w in WORD.findall(t)}
    words |= {w.lower() for w in words} | {w.capitalize() for w in words}
    words |= {f" {w}" for w in words}
    return tuple(sorted(words)) + ("[", "]", " (") + tuple(str(i) for i in range(side + 1))


def add_words(backbone: Backbone, words: Iterable[str], seed: int) -> int:
    """Add the `words` the tokenizer does not know as whole-word tokens, growing the embedding and LM head
    (new rows drawn from N(0, std of the existing rows), seeded); returns how many were added. A word without a
    leading space matches only as a whole word; one with it matches wherever it starts (the longest, leftmost
    match wins, so " is" never cuts " island" when both are words; a word the model never learnt may still be
    cut, as it was <unk> before)."""
    if backbone.name not in RANDOM_CONFIGS:
        raise ValueError("add_words is for the random-weight backbones' offline tokenizer only")
    tok = backbone.tokenizer
    vocab = tok.get_vocab()
    new = [w for w in words if w not in vocab]
    if not new:
        return 0
    n_before = len(tok)
    # a leading-space word must not be single_word: the character before its space ends the previous word, and
    # a rejected match would also hide the bare word after it from the matcher
    tok.add_tokens([AddedToken(w, single_word=not w.startswith(" "), normalized=False) for w in new])
    model = backbone.model
    model.resize_token_embeddings(len(tok), mean_resizing=False)
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for layer in (model.get_input_embeddings(), model.get_output_embeddings()):
            weight = cast(nn.Embedding, layer).weight
            std = weight[:n_before].float().std()
            rows = torch.randn(len(tok) - n_before, weight.shape[1], generator=gen) * std
            weight[n_before:] = rows.to(weight.dtype)
    return len(tok) - n_before
