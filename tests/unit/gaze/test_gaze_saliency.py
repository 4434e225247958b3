"""Saliency metrics against hand values, straightforward loop versions of the reference formulas (MIT benchmark
code, pysaliency) and pysaliency's own metrics module, under both conventions."""
from __future__ import annotations

import importlib.util
import math
from types import ModuleType

import numpy as np
import pytest

from gazebench.gaze.saliency import (
    EPS,
    SAUC_SPLITS,
    auc_borji,
    auc_judd,
    cc,
    kld,
    nss,
    shuffled_auc,
    sim,
)
from gazebench.metrics.saliency import saliency_summary, undefined_counts
from gazebench.metrics.vocabulary import SAL, SALIENCY_METRICS


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


@pytest.mark.filterwarnings("error")  # a 0/0 would warn: none may
@pytest.mark.parametrize("level", [1.0, 0.1, 1 / 3])
def test_constant_maps_are_exact(level: float) -> None:
    flat, fix = np.full((14, 14), level), np.eye(14)
    # pysaliency's NSS divides only by a non-zero sd: 0; MIT's NSS.m, CC.m, similarity.m and the AUCs divide by 0
    assert nss(flat, fix) == 0.0 and nss(np.full((1, 1), level), [[1]]) == 0.0
    assert all(np.isnan(v) for v in (nss(flat, fix, "mit"), cc(flat, fix), cc(fix, flat), sim(flat, fix, "mit"),
                                     auc_borji(flat, fix), shuffled_auc(flat, fix, fix)))
    assert np.isnan(auc_judd(np.eye(3), np.ones((3, 3))))
    s = saliency_summary(flat, fix + 1, fix)
    assert undefined_counts([s, saliency_summary(fix + 1, fix + 1, fix)]) == {
        SAL.nss: 0, SAL.nss_mit: 1, SAL.auc_judd: 0, SAL.auc_borji: 1, SAL.cc: 1, SAL.kld: 0, SAL.sim: 0,
        SAL.sim_mit: 1}


def test_constant_map_nss_equals_pysaliency() -> None:
    ps = pysaliency_metrics()
    assert nss(np.full((4, 4), 2.0), np.eye(4)) == float(np.mean(ps.NSS(np.full((4, 4), 2.0), range(4), range(4))))


def test_summary_keys() -> None:
    sal, ref, fix = maps(0)
    s = saliency_summary(sal, ref, fix)
    assert set(s) == set(SALIENCY_METRICS) - {SAL.sauc}
    assert s[SAL.auc_borji] == auc_borji(sal, fix)  # seeded on its own: the other metrics' draws are unchanged
    assert s["cc"] == cc(sal, ref) and s["nss_mit"] == nss(sal, fix, "mit") and s["sim_mit"] == sim(sal, ref, "mit")
    other = np.roll(fix, 1, axis=1)
    assert saliency_summary(sal, ref, fix, other_mask=other)["sauc"] == shuffled_auc(sal, fix, other)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: nss(np.ones((2, 2)), np.zeros((2, 2))), "at least one fixation"),
        (lambda: cc(np.ones((2, 2)), np.ones((3, 2))), "same shape"),
        (lambda: kld(np.array([[1.0, -1.0]]), np.ones((1, 2))), "non-negative"),
        (lambda: sim(np.array([[np.nan, 1.0]]), np.ones((1, 2))), "finite"),
        (lambda: sim(np.ones((1, 2)), np.ones((1, 2)), "judd"), "unknown saliency convention"),  # type: ignore[arg-type]
        (lambda: shuffled_auc(np.eye(2), np.eye(2), -np.eye(2)), "non-negative"),
    ],
)
def test_bad_maps_are_rejected(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]


def test_nss_conventions_by_hand() -> None:
    sal = np.array([[4.0, 3.0], [2.0, 1.0]])
    z_pop, z_sample = 1.5 / math.sqrt(1.25), 1.5 / math.sqrt(5 / 3)  # (4 - 2.5) / sd
    assert nss(sal, [[2, 0], [0, 0]]) == pytest.approx(z_pop)
    assert nss(sal, [[2, 0], [0, 0]], "mit") == pytest.approx(z_sample)
    # pysaliency counts the cell fixated twice twice; MIT's binary map counts each fixated cell once
    assert nss(sal, [[2, 0], [0, 1]]) == pytest.approx((2 * z_pop - z_pop) / 3)
    assert nss(sal, [[2, 0], [0, 1]], "mit") == pytest.approx(0.0)
    assert nss(sal, [[1, 0], [0, 0]], "mit") / nss(sal, [[1, 0], [0, 0]]) == pytest.approx(math.sqrt(3 / 4))


def test_sim_conventions_by_hand() -> None:
    floor = np.array([[1.0, 1.0], [1.0, 3.0]])  # a positive floor, as a softmax map has
    peak = np.array([[0.0, 0.0], [0.0, 1.0]])
    assert sim(floor, peak) == pytest.approx(0.5)  # densities (1/6, 1/6, 1/6, 1/2) vs (0, 0, 0, 1)
    assert sim(floor, peak, "mit") == pytest.approx(1.0)  # min-max removes the floor: (0, 0, 0, 1)
    assert np.isnan(sim(np.ones((2, 2)), peak, "mit"))  # MATLAB's 0/0 on a constant map


def test_shuffled_auc_by_hand() -> None:
    sal = np.array([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]])  # rescaled: 0, .2, .4, .6, .8, 1
    fix = np.array([[0, 0, 1], [0, 1, 0]])  # positives .4 and .8
    others = np.array([[1, 1, 0], [0, 0, 0]])  # negatives 0 and .2 (as many as positives: every draw the same)
    assert shuffled_auc(sal, fix, others) == pytest.approx(1.0)
    assert shuffled_auc(sal, others, fix) == pytest.approx(0.0)
    # positives .4, .8 vs negatives .2, 1.0: thresholds 1.0 .. 0 give (fp, tp) = (0,0) (.5,0) (.5,.5) (.5,1) (1,1)
    assert shuffled_auc(sal, fix, np.array([[0, 1, 0], [0, 0, 1]])) == pytest.approx(0.5)
    # with more negatives than positives each split draws two of them; the mean over splits lies between
    mixed = shuffled_auc(sal, fix, np.array([[1, 1, 0], [0, 0, 1]]))
    assert 0.5 < mixed < 1.0 and mixed == shuffled_auc(sal, fix, np.array([[1, 1, 0], [0, 0, 1]]))
    assert np.isnan(shuffled_auc(sal, fix, np.zeros((2, 3))))
    assert np.isnan(shuffled_auc(np.ones((2, 3)), fix, others))


def auc_shuffled_loop(sal: np.ndarray, fix: np.ndarray, other: np.ndarray, splits: list[np.ndarray]) -> float:
    """MIT's AUC_shuffled.m line by line, given each split's negative cells."""
    s = ((sal - sal.min()) / (sal.max() - sal.min())).ravel().tolist()
    sth = [v for v, f in zip(s, fix.ravel().tolist(), strict=True) if f > 0]
    aucs = []
    for cells in splits:
        cur = [s[i] for i in cells]
        top, k, ths = max(sth + cur), 0, []
        while k * 0.1 <= top + 1e-12:
            ths.append(k * 0.1)
            k += 1
        tp = [0.0] + [sum(v >= t for v in sth) / len(sth) for t in reversed(ths)] + [1.0]
        fp = [0.0] + [sum(v >= t for v in cur) / len(cur) for t in reversed(ths)] + [1.0]
        aucs.append(sum((fp[j + 1] - fp[j]) * (tp[j + 1] + tp[j]) / 2 for j in range(len(tp) - 1)))
    return sum(aucs) / len(aucs)


@pytest.mark.parametrize("seed", range(3))
def test_shuffled_auc_matches_the_mit_code(seed: int) -> None:
    sal, _, fix = maps(seed)
    other = (np.random.default_rng(seed + 10).random(sal.shape) < 0.5).astype(int)
    cells = np.flatnonzero(other.ravel() > 0)
    n = min(int((fix > 0).sum()), cells.size)
    draw = np.random.default_rng(7)
    splits = [draw.permutation(cells)[:n] for _ in range(100)]
    assert shuffled_auc(sal, fix, other, np.random.default_rng(7)) == pytest.approx(
        auc_shuffled_loop(sal, fix, other, splits))


def pysaliency_metrics() -> ModuleType:
    """pysaliency 0.2.22's own `metrics` module, loaded from its installed file: the package's __init__ imports
    `pkg_resources`, which setuptools >= 81 no longer ships, but metrics.py needs numpy alone."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution("pysaliency")
    except PackageNotFoundError:
        pytest.skip("pysaliency is not installed (it is in the test extra: pip install -e .[test])")
    assert dist.version == "0.2.22"
    spec = importlib.util.spec_from_file_location("pysaliency_metrics", str(dist.locate_file("pysaliency/metrics.py")))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("seed", range(4))
def test_pysaliency_convention_equals_pysaliency(seed: int) -> None:
    ps = pysaliency_metrics()
    sal, ref, fix = maps(seed)
    ys, xs = np.nonzero(fix)
    reps = fix[ys, xs]
    values = ps.NSS(sal, np.repeat(xs, reps), np.repeat(ys, reps))  # one value per fixation
    assert nss(sal, fix) == pytest.approx(float(np.mean(values)), rel=1e-12)
    assert sim(sal, ref) == pytest.approx(float(ps.SIM(sal, ref)), rel=1e-12)
    assert cc(sal, ref) == pytest.approx(float(ps.CC(sal, ref)), rel=1e-12)
    assert kld(sal, ref) == pytest.approx(float(ps.MIT_KLDiv(sal, ref)), rel=1e-9)
    # the MIT convention differs from pysaliency's as the benchmark code does
    assert nss(sal, fix, "mit") != pytest.approx(nss(sal, fix))


def auc_borji_loop(sal: np.ndarray, fix: np.ndarray, draws: list[np.ndarray]) -> float:
    """MIT's AUC_Borji.m: AUC_shuffled.m's loop with each split's cells drawn from the whole map
    (`randi([1 Npixels], [Nfixations, Nsplits])`) instead of other images' fixations."""
    return auc_shuffled_loop(sal, fix, np.ones_like(fix), draws)


def test_auc_borji_by_hand() -> None:
    sal, fix = np.array([[0.0, 0.0], [0.0, 1.0]]), np.array([[0, 0], [0, 1]])
    # one positive (1.0), one negative per split: another 0 (AUC 1) with p 3/4, the fixated cell (AUC 0.5) with 1/4
    rng = np.random.default_rng(0)
    draws = [rng.integers(0, 4, 1) for _ in range(SAUC_SPLITS)]
    expected = np.mean([1.0 if d[0] != 3 else 0.5 for d in draws])
    assert auc_borji(sal, fix) == pytest.approx(expected, abs=1e-15) == pytest.approx(auc_borji_loop(sal, fix, draws))
    assert auc_borji(sal, fix, n_splits=20_000) == pytest.approx(0.875, abs=0.01)


@pytest.mark.parametrize("seed", range(3))
def test_auc_borji_matches_the_mit_code(seed: int) -> None:
    sal, _, fix = maps(seed)
    fixated = fix > 0
    draw = np.random.default_rng(seed)
    draws = [draw.integers(0, sal.size, int(fixated.sum())) for _ in range(SAUC_SPLITS)]  # with replacement
    assert auc_borji(sal, fix, np.random.default_rng(seed)) == pytest.approx(auc_borji_loop(sal, fix, draws),
                                                                             abs=1e-12)


def pysaliency_general_roc(monkeypatch: pytest.MonkeyPatch) -> object:
    """pysaliency 0.2.22's compiled `general_roc` (behind its uniform-nonfixation AUC), loaded from its file; it
    calls `np.trapz`, which numpy 2 renamed `np.trapezoid`."""
    from importlib.machinery import EXTENSION_SUFFIXES
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution("pysaliency")
    except PackageNotFoundError:
        pytest.skip("pysaliency is not installed (it is in the test extra: pip install -e .[test])")
    path = next((p for p in (dist.locate_file(f"pysaliency/roc_cython{e}") for e in EXTENSION_SUFFIXES)
                 if p.is_file()), None)  # type: ignore[attr-defined]
    if path is None:
        pytest.skip("pysaliency's compiled roc_cython is not built for this Python")
    spec = importlib.util.spec_from_file_location("roc_cython", str(path))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(np, "trapz", np.trapezoid, raising=False)
    return module.general_roc


@pytest.mark.parametrize("seed", range(3))
def test_auc_borji_expectation_is_pysaliencys_uniform_auc(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    general_roc = pysaliency_general_roc(monkeypatch)
    rng = np.random.default_rng(seed)
    sal = rng.integers(0, 3, (6, 7)).astype(float)  # values 0, .5, 1 after rescaling: on the 0.1 threshold grid
    sal[0, 0], sal[0, 1] = 0.0, 2.0
    fix = (rng.random((6, 7)) < 0.3).astype(int)
    fix[1, 1] = 1
    exact, _, _ = general_roc(sal[fix > 0] / 2, sal.ravel() / 2)  # pysaliency's AUC, nonfixations="uniform"
    # each split is unbiased for it; the mean of n splits has sd <= 0.5 / sqrt(n): 5 sd is the sampling tolerance
    n = 20_000
    assert auc_borji(sal, fix, n_splits=n) == pytest.approx(float(exact), abs=5 * 0.5 / math.sqrt(n))
