"""The `gazex` model and its ablations: box/trajectory text rendering and parsing on hand examples, the
frame conversion, the ablations' targets (no-gaze: no trajectory row; shuffled: the same regions permuted),
the VQA questions from labels, and a short fit + predict over every kind through the engine on the small
simulated study (checkpoint reused on a second run)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fixtures.vlm import make_sample
from gazebench.adapter import get_model
from gazebench.baselines.gazex import prompts
from gazebench.baselines.gazex.adapter import GazeXAdapter, corner_box, examples
from gazebench.baselines.gazex.config import gazex_config
from gazebench.baselines.gazex.targets import (
    format_box,
    model_box,
    observation_text,
    parse_boxes,
    parse_observation,
    region_boxes,
    trajectory_target,
    trajectory_text,
)
from gazebench.baselines.gazex.vqa import ABNORMALITY, label_questions, presence_question
from gazebench.engine.kinds import KINDS, answered_kinds
from gazebench.labels import CHEXPERT_LABELS


def test_box_text_round_trips() -> None:
    boxes = [(1, 2, 30, 40, 15, 21), (100, 0, 224, 7, 150, 3)]
    assert format_box(boxes[0]) == "(1,2)(30,40)(15,21)"
    text = trajectory_text(boxes)
    assert text == "trajectory : [(1,2)(30,40)(15,21),(100,0)(224,7)(150,3)]"
    assert parse_boxes(text) == boxes
    assert parse_observation(observation_text(boxes[1])) == boxes[1]


def test_parser_is_lenient_on_layout_and_strict_on_numbers() -> None:
    # GazeX's prompt form (no space before the colon, a comma), spaces inside the parentheses
    text = "visual clues: [(1,2)(3,4)(2,3)], observation: [( 10 , 20 )(30,40) (20,30)]"
    assert parse_observation(text) == (10, 20, 30, 40, 20, 30)
    assert parse_boxes(text) == [(1, 2, 3, 4, 2, 3), (10, 20, 30, 40, 20, 30)]
    assert parse_observation("(5,6)(7,8)(6,7) no observation word") == (5, 6, 7, 8, 6, 7)
    assert parse_observation("observation : [(1,2)(3,4)]") is None  # incomplete: two pairs only
    assert parse_observation("observation : [(1,a)(3,4)(2,3)]") is None
    assert parse_observation("") is None and parse_boxes("(1,2)(3,4)(5,") == []


def test_corner_box_orders_corners_and_marks_failures() -> None:
    box, ok = corner_box("observation : [(30,40)(10,20)(20,30)]")
    assert ok and box.tolist() == [10.0, 20.0, 30.0, 40.0]
    box, ok = corner_box("no box here")
    assert not ok and np.isnan(box).all()


def test_model_box_rounds_into_the_input_frame() -> None:
    # 400x800 image → 224 square: x scale 0.56, y scale 0.28
    assert model_box((100, 200, 300, 400), (200, 300), (400, 800), 224) == (56, 56, 168, 112, 112, 84)
    assert model_box((-10, 0, 500, 900), (0, 0), (400, 800), 224) == (0, 0, 224, 224, 0, 0)  # clipped to the frame


def test_regions_follow_the_reading_order() -> None:
    sample = make_sample(0)  # four corners of a 1000x800 image, each fixated twice, in a per-sample order
    boxes = region_boxes(sample, 224, 6)
    assert len(boxes) == 4
    xy = sample.gaze[0].fixations
    first = (round(float(xy.x[0]) * 224 / 1000), round(float(xy.y[0]) * 224 / 800))
    assert (boxes[0][4], boxes[0][5]) == first
    assert region_boxes(sample, 224, 2) == boxes[:2]
    assert region_boxes(make_sample(1, with_gaze=False), 224, 6) == []


def test_ablation_targets_differ_as_declared() -> None:
    sample = make_sample(2)
    targets = np.zeros(len(CHEXPERT_LABELS))
    rows = {t: examples(sample, targets, gazex_config(trajectory=t), seed=0) for t in ("ordered", "shuffled", "off")}
    trajectories = {t: [y for x, y in r if x == prompts.TRAJECTORY] for t, r in rows.items()}
    assert trajectories["off"] == [] and len(trajectories["ordered"]) == len(trajectories["shuffled"]) == 1
    ordered, shuffled = parse_boxes(trajectories["ordered"][0]), parse_boxes(trajectories["shuffled"][0])
    assert sorted(ordered) == sorted(shuffled) and ordered != shuffled  # same regions, another order
    others = {t: [r for r in rows[t] if r[0] != prompts.TRAJECTORY] for t in rows}
    assert others["ordered"] == others["shuffled"] == others["off"]  # every other task's rows are the same
    again = trajectory_target(sample, 224, 6, "shuffled", seed=0)
    assert again == trajectories["shuffled"][0]  # seeded per sample: the same permutation every run
    assert trajectory_target(sample, 224, 6, "shuffled", seed=1) is not None


def test_questions_come_from_labels_and_view() -> None:
    targets = np.full(len(CHEXPERT_LABELS), np.nan)
    targets[CHEXPERT_LABELS.index("No Finding")] = 0.0
    targets[CHEXPERT_LABELS.index("Cardiomegaly")] = 1.0
    targets[CHEXPERT_LABELS.index("Pleural Other")] = 0.0
    assert label_questions(targets, "AP") == [
        ("which view is this image taken?", "ap view"),
        (ABNORMALITY, "yes"),  # No Finding negative: there is an abnormality
        ("is there evidence of cardiomegaly in this image?", "yes"),
        ("is there evidence of pleural thickening in this image?", "no"),
    ]
    assert presence_question("No Finding") == ABNORMALITY


def test_models_registered_with_their_contracts() -> None:
    models = {name: get_model(name) for name in ("gazex", "gazex-no-gaze", "gazex-shuffled")}
    assert {m.cfg.trajectory for m in models.values()} == {"ordered", "off", "shuffled"}
    for name, model in models.items():
        assert isinstance(model, GazeXAdapter) and model.trainable
        assert set(answered_kinds(model)) == set(KINDS.names())
        assert model.spec.uses_gaze is (name != "gazex-no-gaze")
        assert model.config()["tuning"] == "full"  # tiny: every weight trains (random word rows, no language)
    assert get_model("gazex", backbone="qwen2.5-vl-7b-shape").cfg.tuning == "lora"  # real weights: LoRA
    assert all(p.requires_grad for p in models["gazex"].model.parameters())
    with pytest.raises(Exception, match="trajectory"):
        get_model("gazex", trajectory="off")


def test_tiny_words_spell_reports_and_boxes() -> None:
    model = get_model("gazex").model
    text = "There is a small right pleural effusion. trajectory : [(12,200)(224,7)(99,100)]"
    ids = model.text_ids(text)
    assert model.tokenizer.unk_token_id not in ids
    assert model.tokenizer.decode(ids) == text
    pieces = model.tokenizer.convert_ids_to_tokens(model.text_ids("There is a small right pleural effusion."))
    assert pieces == ["There", " is", " a", " small", " right", " pleural", " effusion", "."]  # no space tokens


def test_each_image_is_encoded_once_with_the_rows_it_answers() -> None:
    """Rows that share an image read the same visual features as when each row carries its own copy."""
    import torch

    from gazebench.baselines.gazex.model import pack
    from gazebench.vlm.chat import IGNORE
    from gazebench.vlm.model import encode

    model = get_model("gazex").model
    pixels = torch.randn(3, 3, 224, 224, generator=torch.Generator().manual_seed(0))
    index = torch.tensor([0, 0, 2, 1, 2])
    rows = [model.prefix(i) + model.text_ids(t) for i, t in
            [(prompts.REPORT, "No effusion."), (prompts.vqa("which view?"), "pa view"), (prompts.REPORT, "x"),
             (prompts.TRAJECTORY, "trajectory : [(1,2)(3,4)(2,3)]"), (prompts.vqa("q"), "no")]]
    prompt = pack(rows, [[IGNORE] * len(r) for r in rows], model.pad_id, model.image_token_id, left=False)
    with torch.no_grad():
        once = encode(model.qwen, pixels, prompt, index)
        copied = encode(model.qwen, pixels[index], prompt)
    assert torch.equal(once, copied)


def test_fit_and_predict_every_kind(small_root: Path, tmp_path: Path) -> None:
    from gazebench.engine.config import RunConfig
    from gazebench.engine.evaluate import evaluate

    tasks = ("mimic-eye", "mimic-eye-report", "reflacx-grounding", "cxr-vqa", "mimic-eye-scanpath")
    args = (("batch_size", 4), ("box_tokens", 12), ("epochs", 1), ("max_regions", 3), ("report_tokens", 12))
    config = RunConfig(model="gazex", tasks=tasks, limit=6, n_boot=20, model_args=args)
    out = evaluate(config, output_dir=tmp_path / "runs", data_root=small_root)
    results = out.results.tasks
    assert set(tasks) <= set(results)
    assert np.isfinite(results["mimic-eye"].metrics["auroc"].value)  # type: ignore[arg-type]
    assert {"bleu1", "ce_micro_f1"} <= set(results["mimic-eye-report"].metrics)
    assert "miou" in results["reflacx-grounding"].metrics and "accuracy" in results["cxr-vqa"].metrics
    grounding = results["reflacx-grounding"]
    failed = grounding.diagnostics["parse_failed"]
    assert failed.n == grounding.n and failed.mean is not None
    assert grounding.details["n_missing"] == round(failed.mean * grounding.n)
    again = evaluate(config, output_dir=tmp_path / "runs2", data_root=small_root, reuse_predictions=False)
    assert again.reused_checkpoint and again.results.tasks["cxr-vqa"] == results["cxr-vqa"]
