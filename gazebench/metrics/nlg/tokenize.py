"""coco-caption's tokenisation in pure Python: the rules of the Stanford PTB tokenizer (CoreNLP 3.4.1, run by
coco-caption with `-preserveLines -lowerCase`) that report text meets, then the deletion of the punctuation
tokens on coco-caption's list (its `ptbtokenizer.py`), so BLEU, ROUGE-L and CIDEr-D see coco-caption's words.

Faithful to PTB on: clitics (`is n't`, `ca n't`, `can not`, `gon na`, `'s`, `'em`); brackets as `-lrb-` `-rrb-`
`-lsb-` `-rsb-` `-lcb-` `-rcb-`, which coco-caption keeps (its list names them upper-case, PTB writes them
lower-cased); quotes (`` `` `` / `''` / `` ` `` / `'`, curly ones too) and dashes (`--`, `—`, `–`) deleted;
decimals, times and thousands one token (`3.5`, `10:45`, `1,000`) and split from a unit glued to them (`3.5cm`
→ `3.5 cm`; `12mm` stays one word); hyphenated, slashed and dotted words one token (`plate-like`, `and/or`,
`carina.there`), a dangling hyphen its own (`mid -`); `!!` and `?!` kept as tokens (only `!` and `?` are on the
list); abbreviations that keep their period (`dr.`, `jan.`, `e.g.`, single letters `a.`, `no.` before a
number), the lists found by running PTB itself (docs/metrics.md).

MIMIC-CXR de-identification placeholders (`___`, a run of three or more underscores) are dropped and counted
(`placeholders`), a stated choice: coco-caption would keep `___` as one word. docs/metrics.md lists what the
rules leave out (URLs, SGML tags, `'n'`, `y'all`, PTB's look at the next caption when an abbreviation ends one).
"""
from __future__ import annotations

import re
from typing import Literal

Punctuation = Literal["drop", "keep"]
"""`drop`: coco-caption (PTB tokens, its punctuation list deleted); `keep`: the PTB tokens, nothing deleted."""

COCO_DROPPED: frozenset[str] = frozenset(
    {"''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-", ".", "?", "!", ",", ":", "-", "--", "...", ";"}
)
"""coco-caption's PTBTokenizer PUNCTUATIONS, verbatim: the upper-case bracket names never match the
lower-cased tokens of its `-lowerCase` run, so brackets stay."""
PLACEHOLDER = re.compile(r"_{3,}")
"""A MIMIC-CXR de-identification placeholder (the dataset writes `___` for removed names, dates, times)."""

_NORMALISED = str.maketrans({"“": "``", "”": "''", "‘": "`", "’": "'", "—": "--", "–": "--", "…": "..."})
"""PTB's normalisations of curly quotes, dashes and the ellipsis character."""
_OPENING = re.compile(r"""(?:(?<=^)|(?<=[\s(\[{]))(?:"|'(?!(?i:[sdm]|re|ve|ll|t(?:is|was)|em)\b)(?=[^\W_]))""")
"""A straight quote PTB reads as opening (at the start or after a space or bracket): `` `` `` or `` ` ``."""
_BRACKETS = {"(": "-lrb-", ")": "-rrb-", "[": "-lsb-", "]": "-rsb-", "{": "-lcb-", "}": "-rcb-"}

_ABBREV = (  # keep their period in either case
    "mr|mrs|ms|drs?|profs?|ste?|mt|ft|vs|cos?|inc|corp|ltd|plc|jr|sr|ave|rd|blvd|dept|univ|cf|al|etc|seq|"
    "jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec|mon|tues?|wed|thu|thurs|fri|"
    "ala|ariz|calif|colo|conn|ct|dak|fla|ga|ind|kans?|ky|md|mich|minn|mo|mont|neb|nev|okla|penn|tenn|va|vt|wisc?|wyo|"
    "gen|col|lt|rev|sens?|reps?|capt|sgt|maj|adm|govs?|messrs|esq|bros|pres|hon|brig|cmdr|pfc|supt|det|atty|bldg|"
    "ph\\.d"
)
_ABBREV_CAPITAL = "|".join(f"{w[0]}(?i:{w[1:]})" for w in ("Miss", "Az", "Ark", "Del", "Ill", "La", "Mass", "Ore",
                                                                "Pa", "Tex", "Wash"))
"""Abbreviations PTB recognises only with a capital first letter (`pa.` is a word and a period, `PA.` one token)."""
_ABBREV_NUMBER = "nos?|figs?|art|pp|ca|op|prop"
"""Abbreviations PTB recognises only before a number (`no. 3`, `fig.2`)."""
_CLITIC = r"(?i:[sdm]|re|ve|ll)\b"
_PIECE = rf"[^\W_]+(?:(?:[./]|_(?!_)|'(?!{_CLITIC}))[^\W_]+)*"
"""A word without hyphens: letters and digits joined by `.`, `/`, a single `_` or a non-clitic apostrophe."""
_NUMBER = r"\d+(?:[.,:]\d+)+"

_TOKEN = re.compile(
    rf"(?<![^\W_])(?:(?:[^\W\d_]\.){{2,}}|(?i:{_ABBREV})\.|(?:{_ABBREV_CAPITAL})\.)(?![^\W\d_])"  # e.g. dr. Pa.
    rf"|(?<![^\W_])(?i:{_ABBREV_NUMBER})\.(?=\s*\d)"           # no. 3
    rf"|(?<![^\W_])[^\W\d_]\.(?![^\W_])"                       # single letters: a.
    r"|(?i:can)(?=(?i:not)\b)|(?i:gon|wan)(?=(?i:na)\b)|(?i:got)(?=(?i:ta)\b)|(?i:gim|lem)(?=(?i:me)\b)"
    r"|'(?i:t)(?=(?i:is|was)\b)|'(?i:em)\b"
    r"|[^\W_]+?(?=(?i:n't)\b)|(?i:n't)\b"                     # is n't, ca n't
    rf"|'{_CLITIC}"                                           # 's 're 've 'll 'd 'm
    rf"|{_PIECE}(?:-{_PIECE})+"                                # plate-like, 2.5-cm, t2-weighted
    rf"|(?<![^\W_])[-+]?{_NUMBER}"                             # 3.5 of 3.5cm, 10:45, -1.5
    rf"|(?<![^\W_])(?:[-+]|[.,](?=\d))\d+"                       # -5, ,5
    rf"|{_PIECE}"
    r"|-{2,}|\.{3,}|``|''|[?!]+|__|\S"
)


def placeholders(text: str) -> int:
    """How many de-identification placeholders `text` holds (each is dropped by coco_tokenize)."""
    return len(PLACEHOLDER.findall(text))


def ptb_tokens(text: str) -> list[str]:
    """The tokens coco-caption's PTB run writes for `text` (lower-cased), placeholders dropped, nothing deleted."""
    text = _OPENING.sub(lambda m: "``" if m.group() == '"' else "`", text.translate(_NORMALISED))
    found = _TOKEN.findall(PLACEHOLDER.sub(" ", text.replace('"', "''")))
    return [_BRACKETS.get(t, "--" if t.startswith("--") else "..." if t.startswith("...") else t.lower())
            for t in found]


def coco_tokenize(text: str, punctuation: Punctuation = "drop") -> list[str]:
    """Tokens of `text` as coco-caption scores them: PTB tokens, its punctuation list deleted unless `keep`."""
    tokens = ptb_tokens(text)
    if punctuation == "keep":
        return tokens
    return [t for t in tokens if t not in COCO_DROPPED]
