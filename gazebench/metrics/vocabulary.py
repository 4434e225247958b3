"""The one declaration of every metric gazebench reports: its results-JSON key, display name, direction and
scale, grouped in families, so scoring, comparisons, leaderboards, the paper table and the lm-eval bridge
agree on one vocabulary and a new family (report, grounding, VQA, scanpath) is added here alone."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass
from types import MappingProxyType
from typing import Literal

from gazebench.errors import ConfigError, RegistryError
from gazebench.labels import CHEXPERT5, CHEXPERT_LABELS
from gazebench.registry import Registry


@dataclass(frozen=True)
class Metric:
    """One reported statistic, as every table and results JSON names and orders it."""

    name: str
    """Key in results JSON (`<name>` for the value, `<name>_ci` for its confidence interval)."""
    display: str
    """Column title in tables (`AUROC`)."""
    family: str
    """The group of metrics a task of one kind reports together (e.g. `classification`)."""
    higher_is_better: bool
    scale: float = 100.0
    """Displayed value = stored value × scale (stored values are fractions)."""
    unit: str = "%"
    """Unit of the displayed value."""
    description: str = ""

    @property
    def ci_key(self) -> str:
        """Key of this metric's confidence interval in a results JSON."""
        return f"{self.name}_ci"

    def display_value(self, value: float) -> float:
        """`value` (as stored) on the display scale, e.g. 0.876 → 87.6 for a percent metric."""
        return value * self.scale


CLASSIFICATION = (
    Metric("auroc", "AUROC", "classification", higher_is_better=True,
           description="macro mean of per-label ROC AUC over labels with both classes"),
    Metric("acc", "Acc", "classification", higher_is_better=True,
           description="macro mean of per-label accuracy at the run's thresholds"),
    Metric("f1", "F1", "classification", higher_is_better=True,
           description="macro mean of per-label F1 at the run's thresholds"),
)

CALIBRATION = (
    Metric("ece", "ECE", "calibration", higher_is_better=False,
           description="macro mean of per-label expected calibration error, 10 equal-width bins "
                       "(Naeini et al. 2015; see gazebench.metrics.calibration)"),
    Metric("brier", "Brier", "calibration", higher_is_better=False,
           description="macro mean of per-label Brier score, mean (p - y)^2"),
)


def _fraction(name: str, display: str, family: str, description: str, higher: bool = True) -> Metric:
    """A metric stored as a fraction in [0, 1] and shown in percent."""
    return Metric(name, display, family, higher_is_better=higher, description=description)


def _plain(name: str, display: str, family: str, description: str, higher: bool, unit: str = "") -> Metric:
    """A metric shown as stored (scale 1): counts, distances, CIDEr-D, ICC, Kendall tau."""
    return Metric(name, display, family, higher_is_better=higher, scale=1.0, unit=unit, description=description)


CE_STATS: tuple[tuple[str, str], ...] = (("f1", "F1"), ("precision", "P"), ("recall", "R"))


@dataclass(frozen=True)
class CEConvention:
    """One way published tables score clinical efficacy (CE): a label set, what an uncertain (-1) labeler code
    counts as, and the averages kept; its metrics are `<key>_<average>_<stat><suffix>`."""

    key: str
    labels: tuple[str, ...]
    uncertain: Literal["negative", "positive", "ignore"]
    averages: tuple[str, ...]
    suffix: str
    source: str
    """Who reports CE this way."""

    def metric(self, average: str, stat: str) -> str:
        """The results-JSON key of one of this convention's statistics, e.g. `ce5_macro_f1_uncpos`."""
        return f"{self.key}_{average}_{stat}{self.suffix}"


CE_CONVENTIONS: tuple[CEConvention, ...] = (
    CEConvention("ce14", CHEXPERT_LABELS, "negative", ("micro", "macro", "example"), "",
                 "uncertain = negative: R2Gen / CMN compute_ce, LLaVA-Rad's default"),
    CEConvention("ce5", CHEXPERT5, "negative", ("micro", "macro"), "",
                 "uncertain = negative; the 5 labels of Miura et al. 2021 (mF1-5)"),
    CEConvention("ce14", CHEXPERT_LABELS, "positive", ("micro", "macro", "example"), "_uncpos",
                 "uncertain = positive: f1chexbert 'rrg' mode, ViLMedic, RadEval, LLaVA-Rad's '+'"),
    CEConvention("ce5", CHEXPERT5, "positive", ("micro", "macro"), "_uncpos",
                 "uncertain = positive, 5 labels: f1chexbert 'rrg' mF1-5, LLaVA-Rad's '+'"),
)
"""Every CE convention the report family prints (docs/metrics.md). No 4-label set is declared: none was
confirmed from a primary source."""


def _ce_metric(c: CEConvention, average: str, stat: str, title: str) -> Metric:
    unc = " unc+" if c.uncertain == "positive" else ""
    return _fraction(c.metric(average, stat), f"CE{len(c.labels)}-{average} {title}{unc}", "report",
                     f"clinical efficacy {title}, {len(c.labels)} CheXpert labels, {average} average, {c.source}; "
                     "labeler recorded as `labeler`")


REPORT = (
    *(_fraction(f"bleu{n}", f"BLEU-{n}", "report", f"corpus BLEU-{n} (coco-caption definition)") for n in (1, 2, 3, 4)),
    _fraction("rougeL", "ROUGE-L", "report", "mean ROUGE-L F (beta 1.2, coco-caption)"),
    _plain("ciderD", "CIDEr-D", "report", "mean CIDEr-D (sigma 6, x10, corpus document frequencies)", True),
    *(_fraction(f"ce_{avg}_{stat}", f"CE-{avg} {title}", "report",
                f"clinical efficacy {title} over the 14 CheXpert labels, {avg} average, uncertain as the task's "
                "`ce_uncertain` declares (default positive: = ce14_*_uncpos)")
      for avg in ("micro", "macro", "example") for stat, title in CE_STATS),
    *(_ce_metric(c, avg, stat, title) for c in CE_CONVENTIONS for avg in c.averages for stat, title in CE_STATS),
)
REPORT_MODEL_BASED = (
    *(_fraction(f"chexbert{n}_{avg}_f1", f"CheXbert-{n} {avg} F1", "report",
                f"F1 of CheXbert-labeler (f1chexbert 'rrg' mode: uncertain = positive) labels of generated vs "
                f"reference reports, {n} labels, {avg} average (gazebench.metrics.model_based.chexbert)")
      for n in (14, 5) for avg in ("micro", "macro")),
    *(_fraction(f"radgraph_{level}_f1", f"RadGraph {level} ({field})", "report",
                f"mean RadGraph F1, {level} reward ({field}: {what}) of generated vs reference report (radgraph "
                "F1RadGraph; model type in the report signature)")
      for level, field, what in (("simple", "RG_E", "entities"),
                                 ("partial", "RG_ER", "entities and whether they have a relation"),
                                 ("complete", "RG_ER-bar", "entities with their relation triples"))),
    _fraction("bertscore_f1", "BERTScore F1", "report",
              "mean BERTScore F1 of generated vs reference report (bert-score; model, layer, baseline rescaling "
              "and idf in the report signature)"),
)
"""Model-based report metrics: computed only from local weights (`--metric-arg`), else recorded as not computed."""
MODEL_BASED = frozenset(m.name for m in REPORT_MODEL_BASED)
"""Metrics computed by a field library from local weights: a run scored before one of them existed simply did not
compute it (read as not computed, shown as –), where any other declared metric missing is a malformed file."""
GROUNDING = (
    _fraction("miou", "mIoU", "grounding", "mean IoU of the predicted box with the reference box"),
    *(_fraction(f"hit{t}", f"Acc@{t}", "grounding", f"share of items with IoU >= {t}") for t in ("0.1", "0.3", "0.5")),
    _fraction("pointing", "Pointing", "grounding", "share of items whose predicted box centre lies in the reference"),
)
VQA_TYPES: tuple[str, ...] = ("abnormality", "presence", "location", "level", "type", "view")
"""Medical-CXR-VQA question types, each reported beside the overall accuracy."""
VQA = (
    _fraction("accuracy", "Acc", "vqa", "exact-match accuracy of normalised answers over all questions"),
    *(_fraction(f"acc_{t}", f"Acc {t}", "vqa", f"accuracy over {t} questions") for t in VQA_TYPES),
)
@dataclass(frozen=True)
class SaliencyNames:
    """Results-JSON keys of the saliency-map metrics (gazebench.metrics.saliency; docs/metrics.md, "Saliency maps"),
    shared by the classification kind's saliency heads and the scanpath task."""

    auc_judd: str = "auc_judd"
    sauc: str = "sauc"
    auc_borji: str = "auc_borji"
    nss: str = "nss"
    nss_mit: str = "nss_mit"
    sim: str = "sim"
    sim_mit: str = "sim_mit"
    cc: str = "cc"
    kld: str = "kld"


SAL = SaliencyNames()
SALIENCY_METRICS: tuple[str, ...] = astuple(SAL)
"""Every saliency metric key, in table order."""

SCANPATH = (
    _plain("icc_x", "ICC x", "scanpath", "ICC of matched predicted vs radiologist region centroids, x; the task's "
           "Shrout & Fleiss form (default ICC(2,1)), named in the results' icc_form", True),
    _plain("icc_y", "ICC y", "scanpath", "ICC of matched predicted vs radiologist region centroids, y; form as icc_x",
           True),
    _plain("dist_px", "Dist px", "scanpath", "mean distance of matched centroids, image pixels", False, "px"),
    _plain("dist_cells", "Dist cells", "scanpath", "mean distance of matched centroids, 14x14 grid cells", False,
           "cells"),
    _plain("kendall_tau", "Kendall tau", "scanpath", "mean Kendall tau-b of matched regions' time orders", True),
    _fraction("finding_precision", "Find P", "scanpath", "model's reported findings vs reader majority, precision"),
    _fraction("finding_recall", "Find R", "scanpath", "model's reported findings vs reader majority, recall"),
    _fraction("finding_f1", "Find F1", "scanpath", "model's reported findings vs reader majority, F1"),
    _fraction("reader_finding_f1", "Reader F1", "scanpath",
              "each REFLACX reader's findings vs the same majority, F1 from counts pooled over readings"),
    _plain("finding_tp", "Find TP", "scanpath", "model's findings in the reader majority (count)", True),
    _plain("finding_fn", "Find FN", "scanpath", "reader-majority findings the model missed (count)", False),
    _plain("finding_fp", "Find FP", "scanpath", "model's findings outside the reader majority (count)", False),
    *(_plain(f"mm_{d}", f"MM {d}", "scanpath", f"MultiMatch {d} similarity (multimatch-gaze, image as screen, no "
             "grouping) of the predicted region sequence vs each reading's", True)
      for d in ("vector", "direction", "length", "position", "duration")),
    _plain("scanmatch", "ScanMatch", "scanpath", "ScanMatch (Cristino et al. 2010) on the 14x14 grid, no temporal "
           "bins, threshold 2 sd of the readings' saccades, gap 0", True),
    _plain("dtw", "DTW px", "scanpath", "dynamic time warping distance of the predicted region sequence vs each "
           "reading's, sum of Euclidean distances, image pixels", False, "px"),
    _plain("sed", "SED", "scanpath", "string-edit distance on a 5x5 grid as GazeSearch (WACV 2025) computes it, "
           "unnormalised edit count", False),
    _fraction(SAL.auc_judd, "AUC-Judd", "scanpath", "AUC-Judd of the predicted regions' map at each reading's "
              "fixations"),
    _fraction(SAL.sauc, "sAUC", "scanpath", "shuffled AUC (MIT AUC_shuffled): negatives are other images' fixated "
              "cells"),
    _fraction(SAL.auc_borji, "AUC-Borji", "scanpath", "AUC-Borji (MIT AUC_Borji): negatives drawn uniformly from "
              "the map's cells, 100 seeded splits, thresholds every 0.1"),
    _plain(SAL.nss, "NSS", "scanpath", "NSS, pysaliency convention (population sd, repeated fixations counted)", True),
    _plain(SAL.nss_mit, "NSS (MIT)", "scanpath", "NSS, MIT benchmark convention (sample sd, binary fixation map)",
           True),
    _plain(SAL.sim, "SIM", "scanpath", "SIM vs the reading's heatmap, pysaliency convention (maps as they are)", True),
    _plain(SAL.sim_mit, "SIM (MIT)", "scanpath", "SIM, MIT benchmark convention (min-max rescaled maps)", True),
    _plain(SAL.cc, "CC", "scanpath", "Pearson CC of the predicted map and the reading's heatmap", True),
    _plain(SAL.kld, "KLD", "scanpath", "KL divergence of the reading's heatmap from the predicted map (MIT eps)",
           False),
)

METRIC_FAMILIES: Mapping[str, tuple[Metric, ...]] = MappingProxyType(
    {"classification": CLASSIFICATION, "calibration": CALIBRATION, "report": REPORT + REPORT_MODEL_BASED,
     "grounding": GROUNDING, "vqa": VQA, "scanpath": SCANPATH})
"""Family name → its metrics in table order; a new family is one tuple and one entry here."""

METRICS: Mapping[str, Metric] = MappingProxyType({m.name: m for family in METRIC_FAMILIES.values() for m in family})
"""Every built-in metric by its results-JSON key (`metric` also finds a plugin family's)."""

AUROC, ACC, F1 = CLASSIFICATION
"""The classification metrics, for code that names one (the ROC legend, probes, the paired AUROC tests)."""
ECE, BRIER = CALIBRATION

FAMILIES: Registry[tuple[Metric, ...]] = Registry("metric family", group="gazebench.metric_families")
"""Family name → a factory of its metrics in table order; a plugin adds a family through the
`gazebench.metric_families` entry-point group (a zero-argument callable returning its Metric tuple)."""
for _name, _metrics in METRIC_FAMILIES.items():
    FAMILIES.add(_name, lambda m=_metrics: m)


def metrics_for(family: str) -> tuple[Metric, ...]:
    """The metrics of `family`, in table order (built-in or a plugin's); an unknown family is a ConfigError."""
    try:
        metrics = tuple(FAMILIES.create(family))
    except RegistryError as exc:
        raise ConfigError(str(exc)) from None
    if not metrics or not all(isinstance(m, Metric) and m.family == family for m in metrics):
        raise ConfigError(f"metric family {family!r} must declare at least one Metric, each of family {family!r}")
    return metrics


def metric(name: str) -> Metric | None:
    """The metric whose results-JSON key is `name`, in any built-in or installed family (None if none)."""
    if name in METRICS:
        return METRICS[name]
    for family in FAMILIES.names():
        found = next((m for m in metrics_for(family) if m.name == name), None)
        if found is not None:
            return found
    return None


def metric_names(family: str) -> tuple[str, ...]:
    """The results-JSON keys of `family`'s metrics, in table order."""
    return tuple(m.name for m in metrics_for(family))


def formatted(name: str, value: float | None, ci: Sequence[float | None] | None = None, digits: int = 1) -> str:
    """`87.6 [85.1, 90.0]` on the metric's display scale (percent, or as stored for counts, CIDEr-D, ICC,
    distances); `–` for a missing value, no brackets when the CI is missing."""
    declared = metric(name)
    scale = declared.scale if declared is not None else 100.0
    if value is None:
        return "–"
    text = f"{value * scale:.{digits}f}"
    if ci is not None and ci[0] is not None and ci[1] is not None:
        text += f" [{ci[0] * scale:.{digits}f}, {ci[1] * scale:.{digits}f}]"
    return text
