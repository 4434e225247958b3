"""The simulated study's GazeX-track files are read by the same readers as real copies and agree with the
study's labels: a FINDINGS section per report, ellipses from several readers on panel images, MS-CXR boxes on
labeled findings, and VQA answers from labels and views."""
from __future__ import annotations

from pathlib import Path

from gazebench.data.readers import READERS
from gazebench.labels import CHEXPERT_LABELS
from gazebench.synthetic.writers.cxr_vqa import ENTITY


def test_every_simulated_report_has_findings_and_panels_disagree(small_study: Path) -> None:
    samples = READERS.create("mimic-eye", root=small_study / "mimic-eye").samples
    assert all(s.report for s in samples)
    panel = [s for s in samples if len({f.reader for f in s.findings}) >= 3]
    assert panel, "some image is read by several readers who located findings"
    by_reader = {r: {f.name for f in panel[0].findings if f.reader == r} for r in {f.reader for f in panel[0].findings}}
    assert len({frozenset(v) for v in by_reader.values()}) > 1  # readers differ, so a majority means something
    assert all(3 <= f.certainty <= 5 and f.name != "Support devices" for s in samples for f in s.findings)


def test_ms_cxr_phrases_are_labeled_findings_inside_the_image(small_study: Path) -> None:
    dataset = READERS.create("ms-cxr", root=small_study / "ms-cxr")
    labels = {s.sample_id: s.labels for s in READERS.create("mimic-eye", root=small_study / "mimic-eye").samples}
    assert dataset.samples and dataset.skipped == ()
    for s in dataset.samples:
        for p in s.phrases:
            assert labels[s.sample_id][CHEXPERT_LABELS.index(p.label)] == 1.0
            assert 0 <= p.box[0] < p.box[2] <= 160 and 0 <= p.box[1] < p.box[3] <= 194


def test_vqa_answers_follow_labels_and_views(small_study: Path) -> None:
    dataset = READERS.create("medical-cxr-vqa", root=small_study / "medical-cxr-vqa")
    mimic = {s.sample_id: s for s in READERS.create("mimic-eye", root=small_study / "mimic-eye").samples}
    assert len(dataset.samples) == len(mimic) and dataset.skipped == ()
    kinds = {q.kind for s in dataset.samples for q in s.questions}
    assert kinds == {"abnormality", "presence", "location", "level", "type", "view"}
    for s in dataset.samples:
        truth = mimic[s.sample_id]
        assert s.split == truth.split
        for q in s.questions:
            if q.kind == "view":
                assert q.answer == f"{truth.view.lower()} view"
            if q.kind == "presence":
                name = next(n for n, e in ENTITY.items() if f" {e}" in q.text)
                assert truth.labels[CHEXPERT_LABELS.index(name)] == (1.0 if q.answer == "yes" else 0.0)
