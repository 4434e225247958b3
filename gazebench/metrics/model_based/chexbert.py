"""CheXbert-labeler F1 (Smit et al. 2020) as the f1chexbert package (PyPI 0.0.2) computes it: the CheXbert
labeler — bert-base-uncased with 13 four-way heads (blank, positive, negative, uncertain) and a two-way
No Finding head on the [CLS] state — labels generated and reference reports; "rrg" mode counts positive and
uncertain as 1; F1 is scikit-learn's classification_report micro / macro average over the 14 labels and over
the 5 (Cardiomegaly, Edema, Consolidation, Atelectasis, Pleural Effusion).

f1chexbert 0.0.2 installs here but cannot label under transformers 5: its `tokenize` calls
`tokenizer.encode_plus`, which transformers 5 removed. So its published architecture (`bert_labeler`) is built
here through transformers with its exact layout (state-dict keys `bert.*`, `linear_heads.{0..13}.*`), and its
scoring path is followed step by step: `tokenize` (strip, newlines and runs of whitespace to one space,
WordPiece tokens, [CLS] … [SEP], cut to 512), the argmax of each head, `get_label(mode="rrg")`, and
`F1CheXbert.forward`'s classification reports. Batches are padded with an attention mask, as RadEval's port of
the same labeler does. tests/unit/metrics/test_model_based.py checks the numbers against f1chexbert itself
(its `encode_plus` call restored by a shim). chexbert.pth is read with `torch.load(weights_only=True)`: tensors
and plain containers only, never unpickled code.
"""
from __future__ import annotations

import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gazebench.errors import ConfigError
from gazebench.metrics.model_based.registry import Evidence, ModelMetric
from gazebench.metrics.model_based.setup import MetricOptions

if TYPE_CHECKING:
    from transformers import BertConfig

CHECKPOINT = "chexbert.pth"
TARGET_NAMES = ("Enlarged Cardiomediastinum", "Cardiomegaly", "Lung Opacity", "Lung Lesion", "Edema",
                "Consolidation", "Pneumonia", "Atelectasis", "Pneumothorax", "Pleural Effusion", "Pleural Other",
                "Fracture", "Support Devices", "No Finding")
"""f1chexbert's `target_names`: the order of the labeler's heads."""
TOP5 = ("Cardiomegaly", "Edema", "Consolidation", "Atelectasis", "Pleural Effusion")
TOP5_INDEX = tuple(TARGET_NAMES.index(n) for n in TOP5)
MAX_TOKENS = 512
BATCH = 16
IGNORED_KEYS = ("bert.embeddings.position_ids",)
"""A buffer older transformers saved in state dicts; f1chexbert loads with strict=False and skips it too."""


def _labeler(config: BertConfig) -> Any:
    """f1chexbert's `bert_labeler` layout on a BertConfig, random weights (eval mode: dropout off)."""
    import torch
    from transformers import BertModel

    class CheXbertLabeler(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = BertModel(config)
            self.dropout = torch.nn.Dropout(0.1)
            hidden = config.hidden_size  # bert_labeler's `pooler.dense.in_features`
            self.linear_heads = torch.nn.ModuleList([torch.nn.Linear(hidden, 4) for _ in range(13)]
                                                    + [torch.nn.Linear(hidden, 2)])

        def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> list[torch.Tensor]:
            cls = self.dropout(self.bert(ids, attention_mask=mask)[0][:, 0, :])
            return [head(cls) for head in self.linear_heads]

    return CheXbertLabeler().eval()


def encode(tokenizer: Any, report: str) -> list[int]:
    """f1chexbert's `tokenize` for one report, with the transformers-5 calls that equal `encode_plus`."""
    text = " ".join(report.strip().replace("\n", " ").split())
    tokens = tokenizer.tokenize(text)
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    if not tokens:
        return [cls, sep]
    ids = [cls, *tokenizer.convert_tokens_to_ids(tokens), sep]
    return ids if len(ids) <= MAX_TOKENS else [*ids[: MAX_TOKENS - 1], sep]


class CheXbertF1(ModelMetric):
    name = "chexbert"
    title = "CheXbert F1"
    metrics = tuple(f"chexbert{n}_{avg}_f1" for n in (14, 5) for avg in ("micro", "macro"))
    package = "f1chexbert"
    distribution = "f1chexbert"
    layout = f"{CHECKPOINT} + bert-base-uncased's config.json and vocab.txt (or tokenizer.json)"
    implementation = ("f1chexbert's bert_labeler and scoring path ported to transformers 5 (its encode_plus call "
                      "fails there; docs/metrics.md), checked against f1chexbert in the tests")

    def check(self, path: Path) -> None:
        for name in (CHECKPOINT, "config.json"):
            if not (path / name).is_file():
                raise ConfigError(f"{path}: no {name} for CheXbert F1 (expected {self.layout})")
        if not any((path / name).is_file() for name in ("vocab.txt", "tokenizer.json")):
            raise ConfigError(f"{path}: no vocab.txt or tokenizer.json for CheXbert F1 (expected {self.layout})")

    def settings(self, options: MetricOptions) -> str:
        return "rrg"

    def load(self, path: Path) -> tuple[Any, Any]:
        """(tokenizer, labeler in eval mode) from `path`; a file that does not load is one line naming it."""
        import torch
        from transformers import BertConfig, BertTokenizer

        try:
            tokenizer = BertTokenizer.from_pretrained(path, local_files_only=True)
            model = _labeler(BertConfig.from_pretrained(path, local_files_only=True))
            raw = torch.load(path / CHECKPOINT, map_location="cpu", weights_only=True)
            state = raw.get("model_state_dict", raw) if isinstance(raw, dict) else raw
            state = {k.replace("module.", "", 1): v for k, v in state.items() if k.replace("module.", "", 1)
                     not in IGNORED_KEYS}
            model.load_state_dict(state, strict=True)
        except (OSError, ValueError, RuntimeError, KeyError, TypeError, AttributeError, pickle.UnpicklingError) as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise ConfigError(f"{path}: the CheXbert labeler could not be loaded ({type(exc).__name__}: "
                              f"{first})") from None
        return tokenizer, model

    def labels(self, path: Path, reports: Sequence[str], loaded: tuple[Any, Any] | None = None) -> np.ndarray:
        """(N, 14) "rrg" labels (1 = positive or uncertain) in TARGET_NAMES order."""
        import torch

        tokenizer, model = loaded if loaded is not None else self.load(path)
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        model.to(device)
        out = np.zeros((len(reports), len(TARGET_NAMES)), dtype=np.int64)
        with torch.no_grad():
            for start in range(0, len(reports), BATCH):
                encoded = [encode(tokenizer, r) for r in reports[start:start + BATCH]]
                width = max(len(e) for e in encoded)
                ids = torch.zeros((len(encoded), width), dtype=torch.long)  # f1chexbert pads with 0 ([PAD])
                mask = torch.zeros((len(encoded), width), dtype=torch.float)
                for i, e in enumerate(encoded):
                    ids[i, : len(e)] = torch.tensor(e)
                    mask[i, : len(e)] = 1
                heads = model(ids.to(device), mask.to(device))
                classes = torch.stack([h.argmax(dim=1) for h in heads], dim=1).cpu().numpy()
                out[start:start + len(encoded)] = np.isin(classes, (1, 3))  # get_label(mode="rrg")
        return out

    def evidence(self, path: Path, options: MetricOptions, hyps: Sequence[str], refs: Sequence[str]) -> Evidence:
        loaded = self.load(path)
        y, p = self.labels(path, refs, loaded), self.labels(path, [h.strip() for h in hyps], loaded)
        columns = np.concatenate([y & p, (1 - y) & p, y & (1 - p)], axis=1).astype(np.float64)
        return Evidence(columns, reduce)


def f1(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> np.ndarray:
    """2TP / (2TP + FP + FN), 0 where the denominator is 0 (scikit-learn's zero_division=0)."""
    den = 2 * tp + fp + fn
    return np.divide(2 * tp, den, out=np.zeros(np.shape(den)), where=den > 0)


def reduce(sums: np.ndarray, total: float) -> dict[str, float]:
    """Micro and macro F1 over 14 and 5 labels from summed TP | FP | FN columns."""
    tp, fp, fn = sums[:14], sums[14:28], sums[28:42]
    out = {}
    for n, idx in ((14, list(range(14))), (5, list(TOP5_INDEX))):
        out[f"chexbert{n}_micro_f1"] = float(f1(tp[idx].sum(), fp[idx].sum(), fn[idx].sum()))
        out[f"chexbert{n}_macro_f1"] = float(f1(tp[idx], fp[idx], fn[idx]).mean())
    return out
