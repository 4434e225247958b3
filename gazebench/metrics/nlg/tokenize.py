"""coco-caption style tokenisation in pure Python: lower-case, split off punctuation and clitics the way the
PTB tokenizer does, then drop the punctuation tokens coco-caption deletes (its PTBTokenizer's list).
Straight double quotes are dropped as coco-caption drops them (PTB turns them into `` and '', both on its
list). MIMIC-CXR de-identification placeholders (`___`, a run of three or more underscores) are dropped
and counted (`placeholders`), not split into `_` tokens; coco-caption would keep `___` as one word.

Not byte-identical to the Java Stanford PTB tokenizer coco-caption shells out to: abbreviations with
periods (`a.m.`, `dr.`) are split, and brackets are dropped where coco-caption's -lowerCase run keeps
`-lrb-` / `-rrb-` (its list names them upper-case); hyphenated words, decimals and slashed words (`and/or`)
stay one token as in PTB. docs/metrics.md lists these.
"""
from __future__ import annotations

import re
from typing import Literal

Punctuation = Literal["drop", "keep"]
"""`drop`: coco-caption (PTB tokens, punctuation deleted); `keep`: R2Gen-style, `.` etc. stay tokens."""

COCO_DROPPED: frozenset[str] = frozenset(
    {"''", "'", "``", "`", '"', "(", ")", "[", "]", "{", "}", ".", "?", "!", ",", ":", "-", "--", "...", ";"}
)
"""Tokens coco-caption's PTBTokenizer removes (`"` stands for the `` / '' PTB makes of it, brackets for its
-LRB-/-RRB-/-LCB-/-RCB- tokens)."""
PLACEHOLDER = re.compile(r"_{3,}")
"""A MIMIC-CXR de-identification placeholder (the dataset writes `___` for removed names, dates, times)."""

_TOKEN = re.compile(
    r"\d+(?:[.,:]\d+)+"           # 1.5, 1,000, 10:45 (times stay one token, as PTB)
    r"|[a-z0-9]+(?:[-/][a-z0-9]+)*(?=n't\b)"  # "is" of "isn't"
    r"|n't\b|'(?:s|re|ve|ll|d|m)\b"  # clitics split off as PTB does
    r"|[a-z0-9]+(?:[-/][a-z0-9]+)*"   # words, hyphenated or slashed words
    r"|\.\.\.|--|``|''"
    r"|[^\sa-z0-9]"               # any other single symbol
)


def placeholders(text: str) -> int:
    """How many de-identification placeholders `text` holds (each is dropped by coco_tokenize)."""
    return len(PLACEHOLDER.findall(text))


def coco_tokenize(text: str, punctuation: Punctuation = "drop") -> list[str]:
    """Tokens of `text`: lower-cased, PTB-like, placeholders dropped; coco-caption punctuation dropped unless
    `keep`."""
    tokens = _TOKEN.findall(PLACEHOLDER.sub(" ", text.lower()))
    if punctuation == "keep":
        return tokens
    return [t for t in tokens if t not in COCO_DROPPED]
