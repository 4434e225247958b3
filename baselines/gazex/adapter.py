"""The `gazex` adapter (a GazeX-style model: Lee et al., "Seeing Through Experts' Eyes", arXiv:2604.14316) and
its ablations `gazex-no-gaze` and `gazex-shuffled`: Qwen2.5-VL (every weight trained on the random-weight tiny
backbone, LoRA on real weights) trained multitask by the LM loss on text targets (the reading's gaze trajectory,
the report, finding boxes, VQA answers) on the in-domain MIMIC-EYE train split, answering every GazeX-track kind
by greedy generation and classification by answer likelihood. docs/gazex_track.md ("The gazex model") gives the
formats, the parser and what the probabilities mean."""
from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

import numpy as np
import torch

from gazebench.adapter import FitContext, ImageBatch, Provenance, TrainBatch, register_model
from gazebench.baselines.gazex import prompts
from gazebench.baselines.gazex.config import GazeXConfig, Trajectory, gazex_config
from gazebench.baselines.gazex.model import GazeXModel
from gazebench.baselines.gazex.targets import grounding_targets, parse_boxes, parse_observation, trajectory_target
from gazebench.baselines.gazex.vocabulary import add_words, tiny_words
from gazebench.baselines.gazex.vqa import presence_question, training_questions
from gazebench.data.readers.reflacx import POSITIVE_CERTAINTY
from gazebench.labels import CHEXPERT_LABELS
from gazebench.options import dataclass_options, with_options
from gazebench.outputs import Answers, Boxes, Probabilities, Reports, Scanpaths
from gazebench.records import Sample
from gazebench.train import Stage, fit_stages, label_targets
from gazebench.vlm.adapter import LazyVLMAdapter, fit_device, with_config, without_config
from gazebench.vlm.backbone import RANDOM_CONFIGS, build_backbone, check_backbone, default_dtype
from gazebench.vlm.vision_input import qwen_input_spec

Example = tuple[str, str]
"""(instruction, target text) of one training row."""
YES_NO = ("yes", "no")


def examples(sample: Sample, targets: np.ndarray, cfg: GazeXConfig, seed: int) -> list[Example]:
    """The training rows of one image: its trajectory (unless off), its report, finding boxes and questions."""
    side = cfg.image_size
    out: list[Example] = []
    if cfg.trajectory != "off":
        trajectory = trajectory_target(sample, side, cfg.max_regions, cfg.trajectory, seed)
        out += [(prompts.TRAJECTORY, trajectory)] if trajectory else []
    out += [(prompts.REPORT, sample.report)] if sample.report else []
    out += [(prompts.grounding(name), text) for name, text in
            grounding_targets(sample, side, POSITIVE_CERTAINTY, cfg.grounding_per_image, seed)]
    out += [(prompts.vqa(q), a) for q, a in training_questions(sample, targets, cfg.vqa_per_image, seed)]
    return out


def corner_box(text: str) -> tuple[np.ndarray, bool]:
    """(4,) box (x1, y1, x2, y2) of a grounding answer (corners put in order), NaN and False if none parses."""
    box = parse_observation(text)
    if box is None:
        return np.full(4, np.nan), False
    x1, y1, x2, y2 = box[:4]
    return np.array([min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)], dtype=np.float64), True


def tiny_vocabulary(cfg: GazeXConfig) -> tuple[str, ...]:
    """The words gazex adds to the tiny backbone's tokenizer (none to a real backbone's)."""
    if cfg.backbone not in RANDOM_CONFIGS:
        return ()
    words = (prompts.TRAJECTORY, prompts.REPORT, prompts.grounding(""), *YES_NO, "trajectory observation",
             "which view is this image taken", *(presence_question(label) for label in CHEXPERT_LABELS))
    return tiny_words(cfg.image_size, words)


class GazeXAdapter(LazyVLMAdapter):
    """One Qwen2.5-VL for every kind; `cfg.trajectory` selects the model or an ablation."""

    config_key = "__gazex_config__"
    provenance = Provenance(
        source="gazebench re-implementation of a GazeX-style model (multitask text targets on REFLACX readings); "
               "real weights: a local Qwen2.5-VL-Instruct directory, loaded offline",
        license="Apache-2.0 (this code; Qwen2.5-VL-7B-Instruct weights: Apache-2.0)",
        citation="Lee et al., Seeing Through Experts' Eyes: A Foundational Vision Language Model Trained on "
                 "Radiologists' Gaze and Reasoning, arXiv:2604.14316; Bai et al., Qwen2.5-VL, arXiv:2502.13923",
    )

    def __init__(self, trajectory: Trajectory = "ordered", backbone: str = "tiny", **overrides: Any) -> None:
        self.cfg = gazex_config(backbone, trajectory, **overrides)
        check_backbone(self.cfg.backbone)
        base = qwen_input_spec(self.cfg.image_size, predicts_gaze=False)
        self.spec = dataclasses.replace(base, uses_gaze=self.cfg.trajectory != "off")
        self.device = torch.device("cpu")
        self._model: GazeXModel | None = None

    @property
    def model(self) -> GazeXModel:
        """Built on first use; the tiny backbone first learns to spell (gazebench.baselines.gazex.vocabulary)."""
        if self._model is None:
            with torch.random.fork_rng(devices=[]):
                backbone = build_backbone(self.cfg.backbone, 0, self.cfg.seed, default_dtype(self.device),
                                          self.device)
                if self.cfg.backbone in RANDOM_CONFIGS:
                    add_words(backbone, tiny_vocabulary(self.cfg), self.cfg.seed)
                torch.manual_seed(self.cfg.seed)
                self._model = GazeXModel(backbone, self.cfg).to(self.device).eval()
        return self._model

    def config(self) -> dict[str, Any]:
        """The config, and on the tiny backbone a digest of the words its tokenizer gains: the vocabulary decides
        the weights' shapes and meaning, so a changed word list never reuses a checkpoint."""
        words = tiny_vocabulary(self.cfg)
        digest = {"tiny_vocabulary": hashlib.sha256("\n".join(words).encode()).hexdigest()} if words else {}
        return super().config() | digest

    def fit(self, ctx: FitContext) -> None:
        """One multitask stage of LM loss over every training image's rows (no early stopping)."""
        self.to(fit_device(ctx))
        train = tuple(ctx.train)
        labels = label_targets(ctx, train)
        rows = {s.sample_id: examples(s, labels[i], self.cfg, ctx.seed) for i, s in enumerate(train)}
        with_trajectory = sum(any(ins == prompts.TRAJECTORY for ins, _ in r) for r in rows.values())
        note = (f"gazex: {sum(map(len, rows.values()))} training rows on {len(train)} images "
                f"({with_trajectory} with a {self.cfg.trajectory} trajectory)")

        def objective(model: torch.nn.Module, batch: TrainBatch) -> dict[str, torch.Tensor]:
            index = torch.tensor([i for i, sid in enumerate(batch.ids) for _ in rows[sid]])
            pairs = [pair for sid in batch.ids for pair in rows[sid]]
            return {"lm": model(batch.pixels.to(self.device), [p[0] for p in pairs], [p[1] for p in pairs], index)}

        c = self.cfg
        stage = Stage("multitask", c.epochs, c.lr, (("lm", 1.0),), c.weight_decay, c.grad_accum)
        fit_stages(self.model, ctx, [stage], lambda _stage, _device: objective, None, c.to_dict(), c.batch_size,
                   note)
        self.model.eval()

    def label_probabilities(self, pixels: torch.Tensor) -> np.ndarray:
        """(B, 14) P(yes) to each label's presence question (No Finding: P(no) to the abnormality question)."""
        b = pixels.shape[0]
        cols = []
        for label in CHEXPERT_LABELS:
            p = self.model.answer_probability(pixels, [presence_question(label)] * b, YES_NO)
            cols.append(p[:, 1] if label == "No Finding" else p[:, 0])
        return torch.stack(cols, dim=1).cpu().numpy()

    def classify(self, batch: ImageBatch) -> Probabilities:
        """Classification by answer likelihood."""
        return Probabilities(probs=self.label_probabilities(batch.pixels.to(self.device)))

    def report(self, batch: ImageBatch) -> Reports:
        """Greedy generation of the report prompt."""
        pixels, b = batch.pixels.to(self.device), len(batch.ids)
        return Reports(reports=tuple(self.model.generate(pixels, [prompts.REPORT] * b, self.cfg.report_tokens)))

    def ground(self, batch: ImageBatch) -> Boxes:
        """Greedy generation of a box per query; `parse_failed` is 1 for an item whose text held no box."""
        pixels, queries = batch.pixels.to(self.device), batch.prompts or ("",) * len(batch.ids)
        texts = self.model.generate(pixels, [prompts.grounding(q) for q in queries], self.cfg.box_tokens)
        parsed = [corner_box(t) for t in texts]
        return Boxes(boxes=np.stack([box for box, _ in parsed]),
                     diagnostics={"parse_failed": np.array([0.0 if ok else 1.0 for _, ok in parsed])})

    def answer(self, batch: ImageBatch) -> Answers:
        """Greedy generation of an answer per question; `parse_failed` is 1 for an empty answer."""
        pixels, queries = batch.pixels.to(self.device), batch.prompts or ("",) * len(batch.ids)
        texts = self.model.generate(pixels, [prompts.vqa(q) for q in queries], self.cfg.answer_tokens)
        answers = tuple(t.splitlines()[0].strip() if t.strip() else "" for t in texts)
        return Answers(answers=answers, diagnostics={"parse_failed": np.array([float(not a) for a in answers])})

    def trace(self, batch: ImageBatch) -> Scanpaths:
        """The generated trajectory's regions and a generated report; `parse_failed` is 1 for no region."""
        pixels, c, b = batch.pixels.to(self.device), self.cfg, len(batch.ids)
        texts = self.model.generate(pixels, [prompts.TRAJECTORY] * b, c.box_tokens * c.max_regions)
        paths = [np.array([[bx[4], bx[5]] for bx in parse_boxes(t)[: c.max_regions]], dtype=np.float64).reshape(-1, 2)
                 for t in texts]
        reports = self.model.generate(pixels, [prompts.REPORT] * b, c.report_tokens)
        return Scanpaths(scanpaths=tuple(paths), reports=tuple(reports),
                         diagnostics={"parse_failed": np.array([float(len(p) == 0) for p in paths])})

    def state_dict(self) -> dict[str, torch.Tensor]:
        """The trained weights (every weight on tiny, the LoRA weights on a real backbone) plus the config (a frozen
        backbone, and the tiny backbone's added words, are rebuilt)."""
        return with_config(self.model.trainable_state(), self.config_key, self.cfg)

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        self.model.load_trainable_state(without_config(state, self.config_key, self.cfg, type(self).__name__))


GAZEX_OPTIONS = dataclass_options(GazeXConfig).without("trajectory")


@register_model("gazex")
@with_options(GAZEX_OPTIONS)
def gazex(**kwargs: Any) -> GazeXAdapter:
    """GazeX-style multitask model: ordered gaze trajectory + report + grounding + VQA, as text."""
    return GazeXAdapter("ordered", **kwargs)


@register_model("gazex-no-gaze")
@with_options(GAZEX_OPTIONS)
def gazex_no_gaze(**kwargs: Any) -> GazeXAdapter:
    """Ablation: the same model without the gaze-trajectory task."""
    return GazeXAdapter("off", **kwargs)


@register_model("gazex-shuffled")
@with_options(GAZEX_OPTIONS)
def gazex_shuffled(**kwargs: Any) -> GazeXAdapter:
    """Ablation: trajectory targets with the same regions in a permuted order (seeded per image)."""
    return GazeXAdapter("shuffled", **kwargs)
