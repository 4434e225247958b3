"""Where the answers sit in the teacher-forced fixed report.

One forward pass per image reads all 14 answers: the report is fed with every answer written "No" (the
filler), and the logits that predict each answer token give P(Yes) = softmax over {Yes, No}
(gazebench.vlm.likelihood, the scoring every generative VLM shares). So label i is scored conditioned on the
report's earlier lines all reading "No"."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from transformers import PreTrainedTokenizerBase

from gazebench.errors import ConfigError
from gazebench.labels import CHEXPERT_LABELS
from gazebench.vlm.report import render_report


@dataclass(frozen=True)
class ReportTemplate:
    """The filler report and, per label, the index of its answer token and the Yes / No token ids there."""

    text: str
    n_tokens: int
    """Length of the tokenized report."""
    slots: tuple[int, ...]
    """Token index (within the tokenized report) of each label's answer, in label order."""
    yes_ids: tuple[int, ...]
    no_ids: tuple[int, ...]

    @property
    def answer_ids(self) -> tuple[tuple[int, int], ...]:
        """Per slot, the (Yes, No) candidate token ids, as gazebench.vlm.likelihood.token_logprobs takes them."""
        return tuple(zip(self.yes_ids, self.no_ids, strict=True))


def report_template(tokenizer: PreTrainedTokenizerBase, labels: tuple[str, ...] = CHEXPERT_LABELS) -> ReportTemplate:
    """Tokenize the all-Yes and all-No reports; they must differ in exactly one token per label."""
    text = render_report(np.zeros(len(labels), dtype=bool), labels)
    no = tokenizer(text, add_special_tokens=False)["input_ids"]
    yes = tokenizer(render_report(np.ones(len(labels), dtype=bool), labels), add_special_tokens=False)["input_ids"]
    slots = [i for i, (a, b) in enumerate(zip(yes, no, strict=False)) if a != b]
    if len(yes) != len(no) or len(slots) != len(labels):
        raise ConfigError(f"tokenizer {type(tokenizer).__name__} does not write each label's Yes/No answer as a "
                          "single token, so answer logits cannot be read from one forward pass")
    return ReportTemplate(text, len(no), tuple(slots), tuple(yes[i] for i in slots), tuple(no[i] for i in slots))
