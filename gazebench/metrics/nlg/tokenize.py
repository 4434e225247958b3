"""coco-caption style tokenisation in pure Python: lower-case, split off punctuation and clitics the way the
PTB tokenizer does, then drop the punctuation tokens coco-caption deletes (its PTBTokenizer's list).

Not byte-identical to the Java Stanford PTB tokenizer coco-caption shells out to: hyphenated words,
decimals and slashed words (`and/or`) stay one token, brackets are dropped like its -LRB-/-RRB- tokens.
"""
from __future__ import annotations

import re
from typing import Literal

Punctuation = Literal["drop", "keep"]
"""`drop`: coco-caption (PTB tokens, punctuation deleted); `keep`: R2Gen-style, `.` etc. stay tokens."""

COCO_DROPPED: frozenset[str] = frozenset(
    {"''", "'", "``", "`", "(", ")", "[", "]", "{", "}", ".", "?", "!", ",", ":", "-", "--", "...", ";"}
)
"""Tokens coco-caption's PTBTokenizer removes (brackets stand for its -LRB-/-RRB-/-LCB-/-RCB- tokens)."""

_TOKEN = re.compile(
    r"\d+(?:[.,]\d+)+"            # 1.5, 1,000
    r"|[a-z0-9]+(?:[-/][a-z0-9]+)*(?=n't\b)"  # "is" of "isn't"
    r"|n't\b|'(?:s|re|ve|ll|d|m)\b"  # clitics split off as PTB does
    r"|[a-z0-9]+(?:[-/][a-z0-9]+)*"   # words, hyphenated or slashed words
    r"|\.\.\.|--|``|''"
    r"|[^\sa-z0-9]"               # any other single symbol
)


def coco_tokenize(text: str, punctuation: Punctuation = "drop") -> list[str]:
    """Tokens of `text`: lower-cased, PTB-like; coco-caption punctuation dropped unless `keep`."""
    tokens = _TOKEN.findall(text.lower())
    if punctuation == "keep":
        return tokens
    return [t for t in tokens if t not in COCO_DROPPED]
