"""Per-kind scoring on hand-made items against hand-computed values, and the item-weight statistics the
bootstrap resamples (a replicate's weights must equal scoring the resampled corpus directly)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gazebench.engine.kinds.base import ItemSet, item, to_image_frame, to_model_frame
from gazebench.engine.kinds.grounding import GroundingKind
from gazebench.engine.kinds.report import ReportKind
from gazebench.engine.kinds.vqa import VQAKind
from gazebench.labels import CHEXPERT_LABELS
from gazebench.metrics.clinical import clinical_efficacy
from gazebench.metrics.nlg import coco_tokenize, corpus_bleu
from gazebench.records import Question, Sample
from gazebench.reports.labelers import LABELERS
from gazebench.task import Task

WHERE = Path("predictions/t")
NAN14 = (float("nan"),) * len(CHEXPERT_LABELS)


def _sample(i: int, **fields: object) -> Sample:
    return Sample(sample_id=f"s{i}", patient_id=f"p{i}", study_id="st", image_path=Path("x.png"), labels=NAN14,
                  **fields)  # type: ignore[arg-type]


def _task(**kind: object) -> Task:
    return Task(name="t", version="1", description="t", reader="r", subdir="d", labels=CHEXPERT_LABELS,
                in_domain=False, **kind)  # type: ignore[arg-type]


def _frame(items: ItemSet, **cols: object) -> pd.DataFrame:
    return pd.DataFrame({"sample_id": [i.item_id for i in items.items], **cols})


def test_frames_round_trip() -> None:
    xy = np.array([10.0, 20.0, 300.0, 400.0])
    np.testing.assert_allclose(to_model_frame(xy, (1000, 500), 100), [1, 4, 30, 80])
    np.testing.assert_allclose(to_image_frame(to_model_frame(xy, (1000, 500), 100), (1000, 500), 100), xy)


def test_grounding_hand_computed_iou_hits_and_pointing() -> None:
    ref = (100.0, 100.0, 300.0, 300.0)
    items = ItemSet((item(_sample(0), "0", image_size=(400.0, 400.0), reference=ref),
                     item(_sample(1), "0", image_size=(400.0, 400.0), reference=ref)))
    df = _frame(items, box_x1=[200.0, ""], box_y1=[150.0, ""], box_x2=[400.0, ""], box_y2=[350.0, ""])
    scores = GroundingKind().scores(_task(kind="grounding", queries="findings"), items, df, 400, WHERE)
    out = scores.statistic(np.ones(2))
    assert out["miou"] == pytest.approx(15000 / 65000 / 2)  # second item: no answer, IoU 0
    assert out["hit0.1"] == 0.5 and out["hit0.3"] == 0.0
    assert out["pointing"] == 0.0  # centre (300, 250): (100/100)² + (50/100)² > 1, outside the ellipse
    assert scores.extra["n_missing"] == 1
    assert scores.statistic(np.array([1.0, 0.0]))["miou"] == pytest.approx(15000 / 65000)


def test_vqa_accuracy_per_type_and_answers_outside_the_choices() -> None:
    qs = (Question("a", "presence", "?", "Yes"), Question("b", "view", "?", "pa"))
    task = _task(kind="vqa", queries="questions", answer_sets=(("presence", ("yes", "no")),))
    items = VQAKind().items(task, [_sample(0, questions=qs), _sample(1)], 16)
    assert items.skipped == {"image without a question": 1}
    scores = VQAKind().scores(task, items, _frame(items, answer=[" YES", "maybe"]), 16, WHERE)
    out = scores.statistic(np.ones(2))
    assert out["accuracy"] == 0.5 and out["acc_presence"] == 1.0 and out["acc_view"] == 0.0
    assert np.isnan(out["acc_level"]) and scores.extra["n_outside_choices"] == 0  # view declares no choices


def test_report_scores_equal_the_metric_functions_and_resample_as_corpora() -> None:
    refs = ["the heart size is normal .", "no pleural effusion or pneumothorax .", "the lungs are clear ."]
    hyps = ["heart size is normal .", "no pneumothorax .", "small left pleural effusion ."]
    task = _task(kind="report")
    items = ReportKind().items(task, [_sample(i, report=r) for i, r in enumerate(refs)], 16)
    scores = ReportKind().scores(task, items, _frame(items, report=hyps), 16, WHERE)
    out = scores.statistic(np.ones(3))
    tok = [coco_tokenize(h) for h in hyps], [[coco_tokenize(r)] for r in refs]
    assert out["bleu4"] == pytest.approx(corpus_bleu(*tok)[3])
    labeler = LABELERS.create("rules")
    ce = clinical_efficacy(labeler.label(refs), labeler.label(hyps), uncertain="positive")
    assert out["ce_micro_f1"] == pytest.approx(ce.micro.f1) and out["ce_macro_f1"] == pytest.approx(ce.macro.f1)
    assert out["ce_example_f1"] == pytest.approx(ce.example.f1)
    replicate = scores.statistic(np.array([2.0, 0.0, 1.0]))  # items a, a, c
    picked = [0, 0, 2]
    assert replicate["bleu2"] == pytest.approx(corpus_bleu([tok[0][i] for i in picked], [tok[1][i] for i in picked])[1])
    ce_rep = clinical_efficacy(labeler.label([refs[i] for i in picked]), labeler.label([hyps[i] for i in picked]))
    assert replicate["ce_macro_f1"] == pytest.approx(ce_rep.macro.f1)


def test_a_box_outside_its_contract_is_refused() -> None:
    from gazebench.errors import GazebenchError
    from gazebench.models.random import RandomAdapter
    from gazebench.outputs import Answers, Boxes

    with pytest.raises(GazebenchError, match="x2 < x1"):
        Boxes(boxes=np.array([[5.0, 0, 1, 1]]))
    with pytest.raises(GazebenchError, match=r"shape \(1, 4\), expected \(2, 4\)"):
        GroundingKind().columns(Boxes(boxes=np.array([[0.0, 0, 1, 1]])), ["a", "b"], 16, RandomAdapter())
    with pytest.raises(GazebenchError, match="expected 2 strings"):
        VQAKind().columns(Answers(answers=("yes",)), ["a", "b"], 16, RandomAdapter())


def test_classification_gaze_nss_counts_repeated_fixations() -> None:
    from gazebench.engine.kinds.classification import gaze_result
    from gazebench.gaze.saliency import nss
    from gazebench.records import Fixations, GazeRecord

    # 2 x 2 grid on a 100 x 100 image: three fixations in the top-left cell, one in the bottom-right
    xs, ys = np.array([10.0, 20.0, 30.0, 80.0]), np.array([10.0, 20.0, 30.0, 80.0])
    fix = Fixations(t_start=np.arange(4.0), t_end=np.arange(4.0) + 0.5, x=xs, y=ys)
    sample = _sample(0, gaze=(GazeRecord("reflacx", "r0", (100, 100), fix),))
    sal = np.array([[4.0, 1.0], [2.0, 0.5]])
    df = pd.DataFrame({f"s{j}": [v] for j, v in enumerate(sal.ravel())})
    got = gaze_result((sample,), df, (2, 2))
    assert got is not None
    counts = np.array([[3, 0], [0, 1]])
    # pysaliency / docs/metrics.md: NSS over fixations (the top-left cell three times), not over fixated cells
    assert got["saliency"]["nss"] == pytest.approx(nss(sal, counts), abs=1e-12)
    assert got["saliency"]["nss"] != pytest.approx(nss(sal, counts > 0), abs=1e-3)
    assert got["saliency"]["nss_mit"] == pytest.approx(nss(sal, counts > 0, "mit"), abs=1e-12)
    assert got["n_saliency_undefined"]["nss"] == 0
