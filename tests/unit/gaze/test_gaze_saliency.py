"""Saliency metrics against hand values and straightforward loop versions of the reference formulas."""
from __future__ import annotations

import numpy as np
import pytest

from gazebench.gaze.saliency import EPS, auc_judd, cc, kld, nss, saliency_summary, sim


def maps(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    sal = rng.random((6, 7))
    ref = rng.random((6, 7)) ** 3
    fix = (rng.random((6, 7)) < 0.2).astype(int)
    fix[2, 3] = 2
    return sal, ref, fix


def nss_loop(sal: np.ndarray, fix: np.ndarray) -> float:
    values = sal.ravel().tolist()
    mean = sum(values) / len(values)
    sd = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5
    scores = [(s - mean) / sd for s, f in zip(values, fix.ravel().tolist(), strict=True) for _ in range(int(f))]
    return sum(scores) / len(scores)


def auc_judd_loop(s: np.ndarray, fix: np.ndarray) -> float:
    """The MIT code, line by line, on an already tie-free map."""
    flat, fixated = s.ravel().tolist(), (fix.ravel() > 0).tolist()
    sth = sorted((v for v, f in zip(flat, fixated, strict=True) if f), reverse=True)
    n_fix, n_pix = len(sth), len(flat)
    tp, fp = [0.0], [0.0]
    for i, thresh in enumerate(sth, start=1):
        above = sum(v >= thresh for v in flat)
        tp.append(i / n_fix)
        fp.append((above - i) / (n_pix - n_fix))
    tp.append(1.0)
    fp.append(1.0)
    return sum((fp[j + 1] - fp[j]) * (tp[j + 1] + tp[j]) / 2 for j in range(len(tp) - 1))


@pytest.mark.parametrize("seed", range(5))
def test_metrics_match_loop_references(seed: int) -> None:
    sal, ref, fix = maps(seed)
    assert nss(sal, fix) == pytest.approx(nss_loop(sal, fix))
    assert cc(sal, ref) == pytest.approx(np.corrcoef(sal.ravel(), ref.ravel())[0, 1])
    p, q = sal / sal.sum(), ref / ref.sum()
    expected_kld = sum(qi * np.log(EPS + qi / (pi + EPS)) for pi, qi in zip(p.ravel(), q.ravel(), strict=True))
    assert kld(sal, ref) == pytest.approx(expected_kld)
    assert sim(sal, ref) == pytest.approx(sum(min(a, b) for a, b in zip(p.ravel(), q.ravel(), strict=True)))
    assert auc_judd(sal, fix) == pytest.approx(auc_judd_loop(sal, fix), abs=1e-6)


def test_hand_values() -> None:
    sal = np.array([[4.0, 3.0], [2.0, 1.0]])
    assert auc_judd(sal, [[1, 0], [0, 0]]) == pytest.approx(1.0)
    assert auc_judd(sal, [[0, 0], [0, 1]]) == pytest.approx(0.5)  # worst case of AUC-Judd's threshold set
    assert auc_judd(sal, [[1, 0], [1, 0]]) == pytest.approx(1 - 0.5 * 0.5 * 0.5)
    z = (sal - 2.5) / np.sqrt(1.25)
    assert nss(sal, [[1, 0], [0, 1]]) == pytest.approx(0.0)
    assert nss(sal, [[1, 0], [0, 0]]) == pytest.approx(z[0, 0])
    assert sim(sal, sal) == pytest.approx(1.0)
    assert sim([[1.0, 0.0]], [[0.0, 1.0]]) == 0.0
    assert kld(sal, sal) == pytest.approx(0.0, abs=1e-12)
    assert kld([[1.0, 1.0]], [[1.0, 0.0]]) == pytest.approx(np.log(2.0))
    assert cc(sal, -sal) == pytest.approx(-1.0)


def test_ties_are_broken_by_the_jitter_and_are_reproducible() -> None:
    flat = np.ones((10, 10))
    fix = np.zeros((10, 10))
    fix[:5] = 1
    a = auc_judd(flat, fix)
    assert a == auc_judd(flat, fix) and 0.3 < a < 0.7
    assert auc_judd(flat, fix, np.random.default_rng(1)) != a


def test_constant_maps_give_nan() -> None:
    assert np.isnan(nss(np.ones((3, 3)), np.eye(3)))
    assert np.isnan(cc(np.ones((3, 3)), np.eye(3)))
    assert np.isnan(auc_judd(np.eye(3), np.ones((3, 3))))


def test_summary_keys() -> None:
    sal, ref, fix = maps(0)
    s = saliency_summary(sal, ref, fix)
    assert set(s) == {"nss", "auc_judd", "cc", "kld", "sim"}
    assert s["cc"] == cc(sal, ref)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: nss(np.ones((2, 2)), np.zeros((2, 2))), "at least one fixation"),
        (lambda: cc(np.ones((2, 2)), np.ones((3, 2))), "same shape"),
        (lambda: kld(np.array([[1.0, -1.0]]), np.ones((1, 2))), "non-negative"),
        (lambda: sim(np.array([[np.nan, 1.0]]), np.ones((1, 2))), "finite"),
    ],
)
def test_bad_maps_are_rejected(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]
