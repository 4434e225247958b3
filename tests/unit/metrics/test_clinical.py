"""Clinical-efficacy P/R/F1: micro, macro and example-based by hand, the uncertain-label policies, labels
with no positives (zero_division 0), and equality with scikit-learn."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import precision_recall_fscore_support

from gazebench.labels import CHEXPERT_LABELS
from gazebench.metrics.clinical import binarize, clinical_efficacy
from gazebench.metrics.inputs import MetricInputError

L5 = ("Atelectasis", "Cardiomegaly", "Consolidation", "Edema", "Pleural Effusion")
NAN = np.nan
# reference {Card, Edema}, {PE}, {} ; generated {Card}, {PE, Atel}, {Edema}; blanks and 0 are negative
Y = np.array([[NAN, 1, 0, 1, NAN], [0, NAN, NAN, NAN, 1], [NAN, 0, NAN, 0, 0]])
P = np.array([[NAN, 1, NAN, 0, 0], [1, NAN, NAN, NAN, 1], [NAN, NAN, NAN, 1, NAN]])


def test_averages_by_hand() -> None:
    ce = clinical_efficacy(Y, P, L5)
    # per label: Atel TP0 FP1 -> F1 0; Card TP1 -> 1; Cons no positives anywhere -> 0 (zero_division);
    # Edema TP0 FP1 FN1 -> 0; PE TP1 -> 1
    assert [ce.per_label[n].f1 for n in L5] == [0, 1, 0, 0, 1]
    # micro: TP 2, FP 2, FN 1 -> P 1/2, R 2/3, F1 4/7
    assert (ce.micro.precision, ce.micro.recall, ce.micro.f1) == pytest.approx((0.5, 2 / 3, 4 / 7))
    # macro: mean of per-label values, absent Consolidation counted as 0
    assert (ce.macro.precision, ce.macro.recall, ce.macro.f1) == pytest.approx((2 / 5, 2 / 5, 2 / 5))
    # example-based: report 1 P 1/1 R 1/2 F1 2/3; report 2 P 1/2 R 1 F1 2/3; report 3 P 0 R 0 (empty ref) F1 0
    assert (ce.example.precision, ce.example.recall, ce.example.f1) == pytest.approx((0.5, 0.5, 4 / 9))
    assert ce.support == {"Atelectasis": 0, "Cardiomegaly": 1, "Consolidation": 0, "Edema": 1, "Pleural Effusion": 1}


def test_uncertain_policies() -> None:
    y = np.array([[-1.0, 1.0], [0.0, NAN]])
    p = np.array([[1.0, -1.0], [-1.0, 1.0]])
    pos = clinical_efficacy(y, p, ("a", "b"), uncertain="positive")  # y {a,b},{} ; p {a,b},{a,b}: TP 2 FP 2
    assert (pos.micro.precision, pos.micro.recall) == pytest.approx((0.5, 1.0))
    neg = clinical_efficacy(y, p, ("a", "b"), uncertain="negative")  # y {b},{} ; p {a},{b}: TP 0 FP 2 FN 1
    assert neg.micro.f1 == 0.0 and neg.per_label["b"].recall == 0.0
    ign = clinical_efficacy(y, p, ("a", "b"), uncertain="ignore")  # cells (0,0) (0,1) (1,0) left out; (1,1) FP
    assert ign.n_ignored_cells == 3 and ign.micro.precision == 0.0 and ign.support == {"a": 0, "b": 0}
    assert pos.n_ignored_cells == 0 and pos.uncertain == "positive"


@pytest.mark.parametrize("uncertain", ["positive", "negative"])
def test_equal_to_sklearn(uncertain: str) -> None:
    rng = np.random.default_rng(0)
    codes = np.array([1.0, 0.0, -1.0, NAN])
    y, p = rng.choice(codes, (40, 14), p=[0.2, 0.2, 0.1, 0.5]), rng.choice(codes, (40, 14), p=[0.2, 0.2, 0.1, 0.5])
    y[:, 3] = NAN  # a label with no reference positives
    ce = clinical_efficacy(y, p, CHEXPERT_LABELS, uncertain=uncertain)  # type: ignore[arg-type]
    yb, pb = binarize(y, uncertain)[0], binarize(p, uncertain)[0]  # type: ignore[arg-type]
    for average, ours in (("micro", ce.micro), ("macro", ce.macro), ("samples", ce.example)):
        ref = precision_recall_fscore_support(yb, pb, average=average, zero_division=0)[:3]
        assert (ours.precision, ours.recall, ours.f1) == pytest.approx(ref)


def test_bad_inputs() -> None:
    with pytest.raises(MetricInputError, match="1, 0, -1 or NaN; found 2.0 at row 0, column 1"):
        clinical_efficacy([[1, 2]], [[1, 0]], ("a", "b"))
    with pytest.raises(MetricInputError, match="uncertain policy"):
        clinical_efficacy(Y, P, L5, uncertain="maybe")  # type: ignore[arg-type]
    with pytest.raises(MetricInputError, match="shape"):
        clinical_efficacy(Y, P[:2], L5)
