"""RadGraph F1 (Jain et al. 2021, the rewards of Delbrouck et al. 2022) through the radgraph package (PyPI
0.1.18): `radgraph.F1RadGraph(reward_level="all")` annotates the generated and the reference report of each pair
with the RadGraph entity and relation model (DyGIE++ on a BERT encoder) and scores the pair three ways — simple
(entities: RG_E), partial (entities and whether they have a relation: RG_ER), complete (entities with their
relation triples: RG_ER-bar) — each F1 per report pair, averaged over pairs, as the library and RadEval do.

The weights folder is radgraph's model archive as extracted (config.json, vocabulary/, weights.th) with, in
`encoder/`, the config and tokenizer of the encoder its config.json names. The library reads the archive from
`<model_cache_dir>/<model type>/` and the encoder by the name in config.json (a hub name in the published
archives), so gazebench lays out a small staging folder under its cache, keyed by the weights' digest: the
config with both encoder names pointing at `encoder/`, links to vocabulary/ and weights.th. With the folder
there the library downloads nothing, and the encoder's weights come from weights.th (AllenNLP builds the
encoder from its config). The library runs on CPU, where it loads weights.th with `torch.load(weights_only=
True)`. Under transformers 5 its tokenizer calls are restored around the call (radgraph_shim).

A generated report that is empty or only whitespace scores 0, the library's value for an empty report (it
skips the pair); whitespace alone would otherwise reach its model as a report of no words.
"""
from __future__ import annotations

import json
import os
import pickle
import sys
import warnings
from collections.abc import Sequence
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import numpy as np

from gazebench.errors import ConfigError
from gazebench.metrics.model_based.registry import Evidence, ModelMetric
from gazebench.metrics.model_based.setup import MetricOptions

CONFIG, VOCABULARY, WEIGHTS, ENCODER = "config.json", "vocabulary", "weights.th", "encoder"
ENCODER_NAMES = (("dataset_reader", "token_indexers", "bert", "model_name"),
                 ("model", "embedder", "token_embedders", "bert", "model_name"))
"""Where radgraph's `RadGraph.__init__` reads the encoder's name in config.json (indexer, embedder)."""
LEVELS = ("simple", "partial", "complete")
"""The order of F1RadGraph's `reward_level="all"` triple."""


def staged(path: Path, digest: str, model_type: str) -> Path:
    """The `model_cache_dir` radgraph reads `path` from: `<cache>/radgraph/<digest>/<model_type>/` holding the
    config with the encoder names set to `path/encoder`, and links to `path`'s vocabulary/ and weights.th."""
    from gazebench.paths import cache_dir

    try:
        config = json.loads((path / CONFIG).read_text())
        for keys in ENCODER_NAMES:
            node = config
            for key in keys[:-1]:
                node = node[key]
            node[keys[-1]] = str((path / ENCODER).resolve())
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path / CONFIG}: not a radgraph model config ({type(exc).__name__}: {exc}; expected "
                          "dataset_reader.token_indexers.bert.model_name and "
                          "model.embedder.token_embedders.bert.model_name)") from None
    root = cache_dir() / "radgraph" / digest
    folder = root / model_type
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{CONFIG}.{os.getpid()}"
    tmp.write_text(json.dumps(config, indent=2))
    os.replace(tmp, folder / CONFIG)
    for name in (VOCABULARY, WEIGHTS):
        link = folder / f".{name}.{os.getpid()}"
        link.unlink(missing_ok=True)
        link.symlink_to((path / name).resolve())
        os.replace(link, folder / name)
    return root


class RadGraphF1(ModelMetric):
    name = "radgraph"
    title = "RadGraph F1"
    metrics = tuple(f"radgraph_{level}_f1" for level in LEVELS)
    package = "radgraph"
    distribution = "radgraph"
    layout = (f"radgraph's model archive extracted ({CONFIG}, {VOCABULARY}/, {WEIGHTS}) and, in {ENCODER}/, the "
              f"{CONFIG} and tokenizer of the encoder its {CONFIG} names")
    implementation = ("radgraph.F1RadGraph(reward_level='all') on CPU, from a staging folder of links; under "
                      "transformers 5 its encode_plus / build_inputs_with_special_tokens calls restored for BERT "
                      "tokenizers while it loads (docs/metrics.md)")

    def check(self, path: Path) -> None:
        for name in (CONFIG, WEIGHTS, f"{ENCODER}/{CONFIG}"):
            if not (path / name).is_file():
                raise ConfigError(f"{path}: no {name} for RadGraph F1 (expected {self.layout})")
        if not (path / VOCABULARY).is_dir():
            raise ConfigError(f"{path}: no {VOCABULARY}/ for RadGraph F1 (expected {self.layout})")
        if not any((path / ENCODER / name).is_file() for name in ("vocab.txt", "tokenizer.json")):
            raise ConfigError(f"{path}: no {ENCODER}/vocab.txt or {ENCODER}/tokenizer.json for RadGraph F1 "
                              f"(expected {self.layout})")

    def settings(self, options: MetricOptions) -> str:
        return options.radgraph_model

    def scorer(self, path: Path, options: MetricOptions) -> Any:
        """radgraph's F1RadGraph(reward_level="all") on `path`'s weights (one line naming `path` if they do not
        load); its device line goes to stderr, never into gazebench's output."""
        from gazebench.data.digest import directory_digest
        from gazebench.metrics.model_based.radgraph_shim import transformers4_tokenizers

        root = staged(path, directory_digest(path), options.radgraph_model)
        try:
            with warnings.catch_warnings():  # importing radgraph resets the DeprecationWarning filter
                from radgraph import F1RadGraph
            with redirect_stdout(sys.stderr), transformers4_tokenizers():
                return F1RadGraph(reward_level="all", model_type=options.radgraph_model, model_cache_dir=str(root),
                                  cuda=-1)
        except (OSError, ValueError, RuntimeError, KeyError, TypeError, AttributeError, AssertionError,
                pickle.UnpicklingError) as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise ConfigError(f"{path}: the RadGraph model could not be loaded ({type(exc).__name__}: "
                              f"{first})") from None

    def evidence(self, path: Path, options: MetricOptions, hyps: Sequence[str], refs: Sequence[str]) -> Evidence:
        scorer = self.scorer(path, options)
        with redirect_stdout(sys.stderr):
            _, rewards, _, _ = scorer(refs=list(refs), hyps=[h if h.strip() else "" for h in hyps])
        return Evidence(np.array(rewards, dtype=np.float64).T.reshape(len(hyps), len(LEVELS)), reduce)


def reduce(sums: np.ndarray, total: float) -> dict[str, float]:
    """Mean per-pair F1 of each level from the weighted column sums."""
    return {f"radgraph_{level}_f1": float(sums[i] / total) if total > 0 else float("nan")
            for i, level in enumerate(LEVELS)}
