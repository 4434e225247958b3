"""An offline, rule-based CheXpert-style report labeler (after Irvin et al. 2019's CheXpert labeler, with
regular-expression scope rules in place of its dependency parses; docs/gazex_track.md lists deviations).

Per report: clean the text, split sentences and clauses, find mention phrases per observation, classify
each mention by the first cue tier that governs it (pre-negation uncertainty > negation > post-negation
uncertainty > positive), aggregate per observation as the CheXpert labeler's stages/aggregate.py does
(negative with uncertain → uncertain, whatever else; negative or uncertain with positive → positive), then
No Finding = 1 iff no observation other than Support Devices, and no other abnormality, is positive or
uncertain.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from gazebench.labels import CHEXPERT_LABELS, NEGATIVE, POSITIVE, UNCERTAIN
from gazebench.reports import phrases
from gazebench.reports.labelers import LABELERS, ReportLabeler
from gazebench.reports.phrases import Cue, Tier

_TIERS: tuple[Tier, ...] = ("uncertain_pre", "negative", "uncertain_post")
_CODE: dict[Tier, float] = {"uncertain_pre": UNCERTAIN, "negative": NEGATIVE, "uncertain_post": UNCERTAIN}
_WORD = re.compile(r"[a-z0-9'-]+")


def clean(text: str) -> str:
    """The CheXpert labeler's cleaning: lower-case, and/or → or, letter/letter → or, spaces after . and ,."""
    t = text.lower().replace("and/or", "or")
    t = re.sub(r"(?<=[a-z])/(?=[a-z])", " or ", t)
    t = re.sub(r"\.{2,}", ".", t)
    t = re.sub(r"([.,])(?=\S)", r"\1 ", t)
    return re.sub(r"\s+", " ", t).strip()


def clauses(text: str) -> list[str]:
    """Sentences (split at . ? ! not inside a number) cut further at clause boundaries; each padded with spaces."""
    out = []
    for sentence in re.split(r"(?<!\d)\.(?!\d)|\n", text):
        for piece in re.split(phrases.CLAUSE_BREAK, sentence):
            out += [f" {c.strip()} " for c in _split_and(piece) if c.strip(" ,")]
    return out


def _split_and(piece: str) -> list[str]:
    """Cut at an "and" that opens a new clause: what follows has its own verb within a few words ("and the
    heart is enlarged") and what precedes has a verb or a negation of its own ("there is no effusion",
    "no pneumothorax"); a coordinated subject ("the heart and the mediastinum are normal") stays whole."""
    for m in re.finditer(r"\band\b", piece):
        left, right = piece[: m.start()], piece[m.end() :]
        head = _WORD.findall(right)[: phrases.NEW_CLAUSE_VERB_WITHIN + 1]
        if re.search(phrases.CLAUSE_LEFT, left) and phrases.FINITE_VERBS.intersection(head[1:]) \
                and head and head[0] not in phrases.FINITE_VERBS:
            return [left, *_split_and(right)]
    return [piece]


def _alternation(words: Sequence[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


@dataclass(frozen=True)
class Mention:
    """One phrase match in a clause."""

    observation: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class RuleLabeler(ReportLabeler):
    """The rule-based labeler; `broad_hedges` adds likely / suggestive of / consistent with as uncertainty cues."""

    broad_hedges: bool = False

    @cached_property
    def _mentions(self) -> dict[str, tuple[re.Pattern[str], re.Pattern[str] | None]]:
        return {
            name: (_alternation(p), _alternation(phrases.UNMENTIONS[name]) if name in phrases.UNMENTIONS else None)
            for name, p in phrases.MENTIONS.items()
        } | {"other": (_alternation(phrases.OTHER_ABNORMALITIES), None)}

    @cached_property
    def _cues(self) -> tuple[tuple[Cue, re.Pattern[str]], ...]:
        cues = phrases.CUES + (phrases.BROAD_HEDGES if self.broad_hedges else ())
        return tuple((c, re.compile(c.pattern)) for c in cues)

    def label(self, reports: Sequence[str]) -> np.ndarray:
        """(N, 14) codes in CHEXPERT_LABELS order for the report texts."""
        out = np.full((len(reports), len(CHEXPERT_LABELS)), np.nan)
        for i, text in enumerate(reports):
            codes = self.label_one(text)
            out[i] = [codes.get(name, np.nan) for name in CHEXPERT_LABELS]
        return out

    def label_one(self, text: str) -> dict[str, float]:
        """Observation → code for the observations the report mentions, No Finding included when 1."""
        found: dict[str, list[float]] = {}
        for clause in clauses(clean(text)):
            for m in self.mentions(clause):
                code = self.classify(clause, m)
                found.setdefault(m.observation, []).append(code)
                if m.observation == "Edema" and code != NEGATIVE and m.text in phrases.CHF_PHRASES:
                    found.setdefault("Cardiomegaly", []).append(UNCERTAIN)
        codes = {name: _aggregate(c) for name, c in found.items()}
        if not any(code in (POSITIVE, UNCERTAIN) for name, code in codes.items() if name != "Support Devices"):
            codes["No Finding"] = POSITIVE
        codes.pop("other", None)
        return codes

    def mentions(self, clause: str) -> list[Mention]:
        """Every mention in a clause, unmention overlaps removed ("other" = the No Finding blocker list)."""
        out = []
        for name, (mention, unmention) in self._mentions.items():
            blocked = [u.span() for u in unmention.finditer(clause)] if unmention else []
            for m in mention.finditer(clause):
                if not any(m.start() < b and a < m.end() for a, b in blocked):
                    out.append(Mention(name, m.start(), m.end(), m.group()))
        return out

    def classify(self, clause: str, m: Mention) -> float:
        """The mention's code: the highest-precedence cue tier that governs it, else positive."""
        for tier in _TIERS:
            if self._governs(clause, m, tier):
                return _CODE[tier]
        if m.observation == "Edema" and m.text in phrases.UNCERTAIN_EDEMA:
            return UNCERTAIN
        if m.observation in ("Cardiomegaly", "Enlarged Cardiomediastinum") and re.search(phrases.SIZE_NOUNS, m.text) \
                and re.search(phrases.STABLE_SIZE, clause):
            return UNCERTAIN
        return POSITIVE

    def _governs(self, clause: str, m: Mention, tier: Tier) -> bool:
        for cue, pattern in self._cues:
            if cue.tier != tier:
                continue
            for c in pattern.finditer(clause):
                if cue.before and c.end() <= m.start:
                    gap = _WORD.findall(clause[c.end() : m.start])
                    if len(gap) <= cue.max_gap and not phrases.GAP_BLOCKERS.intersection(gap):
                        return True
                elif not cue.before and c.start() >= m.end:
                    between = clause[m.end : c.start()]
                    gap = [w for w in _WORD.findall(between) if w not in phrases.ARTICLES]
                    blocked = "," in between or phrases.POST_GAP_BLOCKERS.intersection(gap) or (
                        "and" in gap and phrases.SINGULAR_VERBS.intersection(_WORD.findall(clause[m.end : c.end()])))
                    if len(gap) <= cue.max_gap and not blocked:
                        return True
        return False


def _aggregate(codes: list[float]) -> float:
    """One code from an observation's mention codes, in the order of the CheXpert labeler's `dict_to_vec`
    (stages/aggregate.py): negative and uncertain → uncertain (even beside a positive); negative and positive
    → positive; uncertain and positive → positive; all equal → that code."""
    if NEGATIVE in codes and UNCERTAIN in codes:
        return UNCERTAIN
    if POSITIVE in codes:
        return POSITIVE
    return codes[0] if codes else float("nan")


@LABELERS.register("rules")
def rules() -> RuleLabeler:
    """The CheXpert-faithful cues."""
    return RuleLabeler()


@LABELERS.register("rules-broad")
def rules_broad() -> RuleLabeler:
    """Also treats likely / suggestive of / consistent with as uncertain."""
    return RuleLabeler(broad_hedges=True)
