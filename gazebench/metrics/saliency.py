"""The saliency metrics of one map, keyed by the vocabulary's names, and how many were undefined: the layer above
the pure functions of gazebench.gaze.saliency, shared by the classification and scanpath kinds (docs/metrics.md)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike

from gazebench.gaze.saliency import auc_borji, auc_judd, cc, kld, nss, shuffled_auc, sim
from gazebench.metrics.vocabulary import SAL, SALIENCY_METRICS


def saliency_summary(
    sal_map: ArrayLike, ref_heatmap: ArrayLike, fix_mask: ArrayLike, rng: np.random.Generator | None = None,
    other_mask: ArrayLike | None = None,
) -> dict[str, float]:
    """NSS (both conventions), AUC-Judd, AUC-Borji (seeded 0 on every call, so a pure function of the maps) and,
    given other images' fixations, shuffled AUC against the fixation map; CC, KLD and SIM (both conventions)
    against the reference heatmap, keyed by the vocabulary's names (`<metric>_mit` the MIT convention, the plain
    name pysaliency's). NaN where a metric is undefined."""
    out = {
        SAL.nss: nss(sal_map, fix_mask),
        SAL.nss_mit: nss(sal_map, fix_mask, "mit"),
        SAL.auc_judd: auc_judd(sal_map, fix_mask, rng),
        SAL.auc_borji: auc_borji(sal_map, fix_mask),  # its own seed: the other metrics' draws stay as they were
        SAL.cc: cc(sal_map, ref_heatmap),
        SAL.kld: kld(sal_map, ref_heatmap),
        SAL.sim: sim(sal_map, ref_heatmap),
        SAL.sim_mit: sim(sal_map, ref_heatmap, "mit"),
    }
    if other_mask is not None:
        out[SAL.sauc] = shuffled_auc(sal_map, fix_mask, other_mask, rng)
    return out


def undefined_counts(rows: Sequence[Mapping[str, float]]) -> dict[str, int]:
    """How many of `rows` (saliency_summary results) left each metric undefined (NaN), every metric named."""
    return {k: sum(1 for r in rows if k in r and np.isnan(r[k])) for k in SALIENCY_METRICS
            if any(k in r for r in rows)}
