"""Visual question answering: one item per (image, question); the model gets the question and the declared
answer set of its type, never the answer. Accuracy = exact match after trimming and lower-casing, overall
and per question type (gazebench.metrics.vocabulary.VQA_TYPES); answers outside the choices are counted."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gazebench.adapter import Adapter, Query
from gazebench.engine.kinds.base import ItemScores, ItemSet, Kind, item
from gazebench.engine.kinds.columns import stored_texts, texts
from gazebench.engine.kinds.prf import weighted_mean
from gazebench.metrics.vocabulary import VQA_TYPES
from gazebench.outputs import Answers
from gazebench.records import Sample
from gazebench.task import Task

if TYPE_CHECKING:
    import pandas as pd


def normalise(answer: str) -> str:
    """How answers are compared: trimmed, lower-case, inner whitespace collapsed."""
    return " ".join(answer.lower().split())


class VQAKind(Kind):
    """`vqa` tasks: `answer(batch) -> Answers`, one answer per (image, question)."""

    name = "vqa"
    family = "vqa"
    method = "answer"
    output = Answers
    per_query = True

    def items(self, task: Task, samples: Sequence[Sample], side: int) -> ItemSet:
        out = tuple(item(s, q.question_id, query=Query(prompt=q.text, choices=task.choices(q.kind), reference=q.answer),
                         reference=normalise(q.answer), group=q.kind)
                    for s in samples for q in s.questions)
        without = sum(not s.questions for s in samples)
        return ItemSet(out, {"image without a question": without} if without else {})

    def columns(self, out: Answers, ids: Sequence[str], side: int, adapter: Adapter) -> dict[str, Any]:
        return {"answer": texts(out.answers, len(ids), "answers", adapter)}

    def scores(self, task: Task, items: ItemSet, df: pd.DataFrame, side: int, where: Path) -> ItemScores:
        answers = [normalise(a) for a in stored_texts(df, "answer", where)]
        correct = np.array([a == i.reference for a, i in zip(answers, items.items, strict=True)], dtype=np.float64)
        groups = np.array([i.group for i in items.items], dtype=object)
        off = sum(a not in {normalise(c) for c in (i.query.choices or (a,))}
                  for a, i in zip(answers, items.items, strict=True))

        def statistic(w: np.ndarray) -> dict[str, float]:
            out = {"accuracy": weighted_mean(correct, w)}
            return out | {f"acc_{t}": weighted_mean(correct[groups == t], w[groups == t]) for t in VQA_TYPES}

        extra = {"n_per_type": {t: int((groups == t).sum()) for t in VQA_TYPES},
                 "n_other_type": int((~np.isin(groups, VQA_TYPES)).sum()),
                 "n_empty_answers": sum(not a for a in answers), "n_outside_choices": int(off)}
        return ItemScores(statistic, np.array([i.sample.patient_id for i in items.items], dtype=object), extra)
