"""The rule labeler on a corpus of 246 sentences written in the CheXpert labeler's conventions (its rule files and
aggregation, Irvin et al. 2019): mentions, pre- and post-mention negation, uncertainty, clause boundaries,
conflicting mentions and No Finding, each sentence with its expected 14-label code (corpus/*.tsv; blank =
not mentioned). docs/labeler.md reports the agreement per observation."""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from gazebench.labels import CHEXPERT_LABELS
from gazebench.reports import LABELERS

CORPUS = Path(__file__).parent / "corpus" / "chexpert_conventions.tsv"
CONVENTIONS = ("mention", "pre_negation", "post_negation", "uncertain", "clause", "no_finding", "aggregation",
               "silhouette")


def _corpus() -> tuple[list[str], list[str], np.ndarray]:
    with CORPUS.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    codes = np.array([[float(r[n]) if r[n] else np.nan for n in CHEXPERT_LABELS] for r in rows])
    return [r["convention"] for r in rows], [r["report"] for r in rows], codes


def _agree(got: np.ndarray, expected: np.ndarray) -> np.ndarray:
    return (got == expected) | (np.isnan(got) & np.isnan(expected))


def test_corpus_is_well_formed() -> None:
    conventions, reports, codes = _corpus()
    assert len(reports) >= 200 and len(set(reports)) == len(reports)
    assert set(conventions) == set(CONVENTIONS)
    assert np.isin(codes[~np.isnan(codes)], (1.0, 0.0, -1.0)).all()
    assert set(codes[:, 0][~np.isnan(codes[:, 0])]) == {1.0}  # No Finding is 1 or blank, never 0 or -1
    for j, name in enumerate(CHEXPERT_LABELS[1:], start=1):  # every observation positive, negative, uncertain
        for code in (1.0, 0.0, -1.0):
            assert (codes[:, j] == code).sum() >= 2, (name, code)


def test_cell_agreement_at_least_98_percent() -> None:
    conventions, reports, expected = _corpus()
    got = LABELERS.create("rules").label(reports)
    same = _agree(got, expected)
    wrong = [(reports[i], CHEXPERT_LABELS[j], expected[i, j], got[i, j]) for i, j in np.argwhere(~same)]
    assert same.mean() >= 0.98, wrong
    for convention in CONVENTIONS:  # no convention is carried by the blank cells of the others
        rows = [i for i, c in enumerate(conventions) if c == convention]
        assert same[rows].mean() >= 0.98, (convention, [w for w in wrong if reports.index(w[0]) in rows])


@pytest.mark.parametrize(("text", "codes"), [
    ("There is a small pneumothorax and the tube has been removed.", {"Pneumothorax": 1.0, "Support Devices": 0.0}),
    ("There is no effusion and the heart is enlarged.", {"Cardiomegaly": 1.0, "Pleural Effusion": 0.0}),
    ("No pneumothorax and the lines are unchanged.",
     {"Pneumothorax": 0.0, "Support Devices": 1.0, "No Finding": 1.0}),
    ("Cardiomegaly. Heart size is normal. CHF.", {"Cardiomegaly": -1.0, "Edema": 1.0}),
])
def test_issue_sentences_label_exactly(text: str, codes: dict[str, float]) -> None:
    got = LABELERS.create("rules").label([text])[0]
    assert got.tolist() == pytest.approx([codes.get(n, np.nan) for n in CHEXPERT_LABELS], nan_ok=True)
