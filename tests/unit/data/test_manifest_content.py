"""The data manifest is identity by content: every fixation coordinate, time and frame, image bytes,
boxes, masks, dictation and ids change it; copying the study elsewhere does not; no text is written."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from fixtures.study_edits import copy_study, first_image, halve_reflacx_fixations, repaint_same_size
from gazebench.data import manifest as manifest_module
from gazebench.data.images import PREPROCESSING
from gazebench.data.manifest import manifest
from gazebench.records import Dataset, Finding, Fixations, GazeRecord, Phrase, Question, Sample, Word
from gazebench.task import get_task


def mimic(root: Path) -> Dataset:
    return get_task("mimic-eye").load(root)


@pytest.fixture(scope="module")
def original(small_root: Path) -> dict[str, object]:
    return manifest(mimic(small_root))


def test_a_copy_elsewhere_has_the_same_manifest(small_root: Path, tmp_path: Path,
                                                original: dict[str, object]) -> None:
    copied = manifest(mimic(copy_study(small_root, tmp_path / "study")))
    assert copied == original
    assert set(original) == {"name", "version", "n_images", "n_patients", "splits", "preprocessing", "sha256"}
    assert original["preprocessing"] == PREPROCESSING


def test_halved_fixations_change_the_manifest_but_no_count(small_root: Path, tmp_path: Path,
                                                           original: dict[str, object]) -> None:
    root = copy_study(small_root, tmp_path / "study")
    halve_reflacx_fixations(root)
    edited = manifest(mimic(root))
    assert edited["sha256"] != original["sha256"]
    assert {k: v for k, v in edited.items() if k != "sha256"} == {k: v for k, v in original.items() if k != "sha256"}


def test_same_size_repainted_image_changes_the_manifest(small_root: Path, tmp_path: Path,
                                                        original: dict[str, object]) -> None:
    root = copy_study(small_root, tmp_path / "study")
    image = first_image(root)
    size = image.stat().st_size
    repaint_same_size(image)
    assert image.stat().st_size == size
    assert manifest(mimic(root))["sha256"] != original["sha256"]


def gaze_sample(path: Path) -> Sample:
    fix = Fixations(np.array([0.0, 0.5]), np.array([0.4, 0.9]), np.array([10.0, 20.0]), np.array([30.0, 40.0]),
                    pixels_per_degree=50.0)
    gaze = GazeRecord("reflacx", "R1", (100, 80), fix, (Word("secret", 0.1, 0.2),), (0.0, 0.0, 90.0, 70.0))
    return Sample("s1", "p1", "st1", path, (1.0,) + (float("nan"),) * 13, "test", "PA", (gaze,),
                  ((1.0, 2.0, 3.0, 4.0),), ("1 2 3",))


def test_every_field_that_can_change_a_number_is_hashed(tmp_path: Path) -> None:
    image = tmp_path / "img.png"
    image.write_bytes(b"pixels")
    base = gaze_sample(image)
    g = base.gaze[0]
    fx = g.fixations
    tiny = 1e-9

    def with_fix(**kw: object) -> Sample:
        return dataclasses.replace(base, gaze=(dataclasses.replace(g, fixations=dataclasses.replace(fx, **kw)),))

    def with_gaze(**kw: object) -> Sample:
        return dataclasses.replace(base, gaze=(dataclasses.replace(g, **kw),))

    variants = [
        with_fix(x=fx.x + tiny), with_fix(y=fx.y * 0.5), with_fix(t_start=fx.t_start - tiny),
        with_fix(t_end=fx.t_end + 0.1), with_fix(pixels_per_degree=40.0),
        with_gaze(image_size=(200, 160)), with_gaze(chest_box=None), with_gaze(reading_id="R2"),
        with_gaze(words=(Word("other", 0.1, 0.2),)), with_gaze(words=(Word("secret", 0.1, 0.3),)),
        dataclasses.replace(base, boxes=((1.0, 2.0, 3.0, 5.0),)), dataclasses.replace(base, mask_rle=("1 3 3",)),
        dataclasses.replace(base, view="AP"), dataclasses.replace(base, study_id="st2"),
        dataclasses.replace(base, patient_id="p2"), dataclasses.replace(base, labels=(0.0,) + base.labels[1:]),
        dataclasses.replace(base, gaze=()),
    ]
    digests = [manifest(Dataset("toy", tmp_path, (s,), version="1"))["sha256"] for s in [base, *variants]]
    assert len(set(digests)) == len(digests)
    written = json.dumps(manifest(Dataset("toy", tmp_path, (base,), version="1")))
    assert "secret" not in written  # dictation is hashed, never written


def test_gazex_fields_are_hashed_and_never_written(tmp_path: Path) -> None:
    image = tmp_path / "img.png"
    image.write_bytes(b"pixels")
    base = dataclasses.replace(
        gaze_sample(image), findings=(Finding("Atelectasis", (1.0, 2.0, 3.0, 4.0), 4, "R1"),),
        phrases=(Phrase("secret phrase", "Edema", (1.0, 2.0, 3.0, 4.0)),),
        questions=(Question("0", "presence", "secret question?", "yes"),), report="secret report.")
    f, p, q = base.findings[0], base.phrases[0], base.questions[0]
    variants = [
        dataclasses.replace(base, findings=(dataclasses.replace(f, name="Consolidation"),)),
        dataclasses.replace(base, findings=(dataclasses.replace(f, box=(1.0, 2.0, 3.0, 4.5)),)),
        dataclasses.replace(base, findings=(dataclasses.replace(f, certainty=5),)),
        dataclasses.replace(base, findings=(dataclasses.replace(f, reader="R2"),)),
        dataclasses.replace(base, findings=(f, f)), dataclasses.replace(base, findings=()),
        dataclasses.replace(base, phrases=(dataclasses.replace(p, text="other"),)),
        dataclasses.replace(base, phrases=(dataclasses.replace(p, label="Pneumonia"),)),
        dataclasses.replace(base, phrases=(dataclasses.replace(p, box=(0.0, 2.0, 3.0, 4.0)),)),
        dataclasses.replace(base, questions=(dataclasses.replace(q, answer="no"),)),
        dataclasses.replace(base, questions=(dataclasses.replace(q, kind="view"),)),
        dataclasses.replace(base, questions=(dataclasses.replace(q, text="other?"),)),
        dataclasses.replace(base, questions=(dataclasses.replace(q, question_id="1"),)),
        dataclasses.replace(base, report="other report."), dataclasses.replace(base, report=None),
        dataclasses.replace(base, report=""),
    ]
    digests = [manifest(Dataset("toy", tmp_path, (s,), version="1"))["sha256"] for s in [base, *variants]]
    assert len(set(digests)) == len(digests)
    assert "secret" not in json.dumps(manifest(Dataset("toy", tmp_path, (base,), version="1")))


def test_unreadable_image_and_preprocessing_version_are_part_of_the_hash(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    image = tmp_path / "img.png"
    image.write_bytes(b"pixels")
    dataset = Dataset("toy", tmp_path, (gaze_sample(image),), version="1")
    base = manifest(dataset)["sha256"]
    missing = Dataset("toy", tmp_path, (gaze_sample(tmp_path / "gone.png"),), version="1")
    assert manifest(missing)["sha256"] not in (base, manifest(Dataset("toy", tmp_path, (), version="1"))["sha256"])
    monkeypatch.setattr(manifest_module, "PREPROCESSING", "v2: windowed")
    bumped = manifest(dataset)
    assert bumped["sha256"] != base and bumped["preprocessing"] == "v2: windowed"
