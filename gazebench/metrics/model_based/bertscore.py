"""BERTScore (Zhang et al. 2020) through the bert-score package (PyPI 0.3.13), `BERTScorer.score`: the
encoder loaded from a local folder (`model_type=DIR`), the layer and the rescaling baseline of the published
model it is (`bertscore_model`, bert-score's `model2layers` and `rescale_baseline/en/<model>.tsv`), F1 per
report pair, averaged over items (ReXrank: distilroberta-base, baseline rescaling, no idf).

An empty generated report: bert-score sets its raw scores to 0 (`greedy_cos_idf`), but under transformers 5
its `sent_encode` fails on "" (it calls `build_inputs_with_special_tokens`, removed in 5), so empty reports
get that value here directly — raw 0, rescaled with the scorer's own baseline — and only the others go
through the library. Their count is reported (`n_empty_reports`).
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from gazebench.errors import ConfigError
from gazebench.metrics.model_based.registry import Evidence, ModelMetric
from gazebench.metrics.model_based.setup import FLAG, MetricOptions


def _layers(options: MetricOptions) -> int:
    from bert_score.utils import model2layers

    if options.bertscore_layers is not None:
        return options.bertscore_layers
    if options.bertscore_model not in model2layers:
        raise ConfigError(f"{FLAG} bertscore_model={options.bertscore_model}: bert-score has no default layer "
                          f"for it; give {FLAG} bertscore_layers=N")
    return int(model2layers[options.bertscore_model])


def baseline_file(options: MetricOptions) -> Path:
    """bert-score's published rescaling baseline for `bertscore_model` (one-line error when it has none)."""
    import bert_score

    path = Path(bert_score.__file__).parent / "rescale_baseline" / "en" / f"{options.bertscore_model}.tsv"
    if not path.is_file():
        raise ConfigError(f"{FLAG} bertscore_model={options.bertscore_model}: bert-score ships no rescaling "
                          f"baseline for it; give {FLAG} bertscore_rescale=false")
    return path


class BERTScoreMetric(ModelMetric):
    name = "bertscore"
    title = "BERTScore"
    metrics = ("bertscore_f1",)
    package = "bert_score"
    distribution = "bert-score"
    layout = "a transformers encoder checkpoint (config.json, tokenizer, model.safetensors)"
    implementation = "bert_score.BERTScorer.score (empty reports: its own value for an empty candidate)"

    def check(self, path: Path) -> None:
        if not (path / "config.json").is_file():
            raise ConfigError(f"{path}: no config.json for BERTScore (expected {self.layout})")
        if not any(path.glob("*.safetensors")):
            raise ConfigError(f"{path}: BERTScore loads safetensors weights only (gazebench never unpickles a "
                              "file it did not write); convert the encoder to model.safetensors")

    def settings(self, options: MetricOptions) -> str:
        return (f"{options.bertscore_model},L{_layers(options)},{'rescaled' if options.bertscore_rescale else 'raw'},"
                f"{'idf' if options.bertscore_idf else 'noidf'}")

    def scorer(self, path: Path, options: MetricOptions, refs: Sequence[str]) -> Any:
        from bert_score import BERTScorer

        baseline = baseline_file(options) if options.bertscore_rescale else None
        try:
            return BERTScorer(model_type=str(path), num_layers=_layers(options), lang="en",
                              rescale_with_baseline=options.bertscore_rescale,
                              baseline_path=None if baseline is None else str(baseline),
                              idf=options.bertscore_idf, idf_sents=list(refs) if options.bertscore_idf else None)
        except (OSError, ValueError, RuntimeError, KeyError, TypeError, AssertionError) as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise ConfigError(f"{path}: the BERTScore encoder could not be loaded ({type(exc).__name__}: "
                              f"{first})") from None

    def evidence(self, path: Path, options: MetricOptions, hyps: Sequence[str], refs: Sequence[str]) -> Evidence:
        scorer = self.scorer(path, options, refs)
        f1 = np.full(len(hyps), self.empty_f1(scorer, options))
        keep = [i for i, h in enumerate(hyps) if h.strip()]
        if keep:
            _, _, f = scorer.score([hyps[i] for i in keep], [refs[i] for i in keep])
            f1[keep] = f.numpy().astype(np.float64)
        return Evidence(f1[:, None], reduce)

    @staticmethod
    def empty_f1(scorer: Any, options: MetricOptions) -> float:
        """bert-score's F1 of an empty candidate: raw 0, rescaled (0 - b) / (1 - b) with its F baseline b."""
        if not options.bertscore_rescale:
            return 0.0
        b = float(scorer.baseline_vals[2])
        return (0.0 - b) / (1.0 - b)


def reduce(sums: np.ndarray, total: float) -> dict[str, float]:
    return {"bertscore_f1": float(sums[0] / total) if total > 0 else float("nan")}
