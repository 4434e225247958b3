"""The simulated reader looks at findings (global capture and gist-flagged places first, then focal dwell) and
dictates them afterwards."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gazebench.synthetic.cases import MimicImage, mimic_images
from gazebench.synthetic.finding_types import FindingSpec
from gazebench.synthetic.reader_model import gist_ordered, search_right_first
from gazebench.synthetic.sizes import SIZES


@pytest.fixture(scope="module")
def images() -> list[MimicImage]:
    return mimic_images(0, SIZES["small"])


def _near(x: np.ndarray, y: np.ndarray, boxes: tuple, pad: float) -> np.ndarray:
    hit = np.zeros(len(x), dtype=bool)
    for x0, y0, x1, y1 in boxes:
        hit |= (x >= x0 - pad) & (x <= x1 + pad) & (y >= y0 - pad) & (y <= y1 + pad)
    return hit


def test_fixations_concentrate_on_findings(images: list[MimicImage]) -> None:
    on, area = [], []
    for image in images:
        boxes = tuple(b for s in image.film.specs if s.name != "Support Devices" for b in s.regions)
        if not boxes:
            continue
        for sim in image.reflacx:
            r = sim.reading
            on.append(_near(r.x, r.y, boxes, 0.0).mean())
            gx, gy = np.meshgrid(np.linspace(0, image.film.anatomy.aspect, 60), np.linspace(0, 1, 60))
            area.append(_near(gx.ravel(), gy.ravel(), boxes, 0.0).mean())
    assert len(on) >= 10
    assert np.mean(on) > 2 * np.mean(area), (np.mean(on), np.mean(area))


def test_conspicuous_findings_are_fixated_early(images: list[MimicImage]) -> None:
    early = [o.first_fixation_s for im in images for sim in im.reflacx for o in sim.reading.outcomes
             if im.film.specs[o.finding].conspicuity > 0.7 and o.first_fixation_s is not None]
    assert len(early) >= 5 and np.median(early) < 5.0


def test_realistic_durations_and_some_misses(images: list[MimicImage]) -> None:
    durations = np.concatenate([sim.reading.t_end - sim.reading.t_start for im in images for sim in im.reflacx])
    assert 0.2 < np.median(durations) < 0.45
    reading_times = [sim.reading.t_end[-1] for im in images for sim in im.reflacx]
    assert 8.0 < np.median(reading_times) < 90.0
    statuses = [o.status for im in images for sim in im.reflacx for o in sim.reading.outcomes]
    assert "reported" in statuses and len(set(statuses)) > 1


def test_dictation_follows_first_fixation(images: list[MimicImage]) -> None:
    checked = 0
    for image in images:
        for sim in image.reflacx:
            r = sim.reading
            for finding, start, _ in sim.spans:
                if finding is None:
                    continue
                hit = _near(r.x, r.y, image.film.specs[finding].regions, 0.0)
                assert hit.any() and r.t_start[hit].min() < start
                checked += 1
    assert checked >= 10


def test_written_fixations_and_words_match_the_simulation(images: list[MimicImage], small_study: Path) -> None:
    image = next(im for im in images if not im.reflacx[0].discarded)
    sim = image.reflacx[0]
    case = small_study / "mimic-eye" / f"patient_{image.subject_id}" / "REFLACX" / "main_data" / sim.reading_id
    fix = pd.read_csv(case / "fixations.csv")
    h = SIZES["small"].mimic_size[1]
    np.testing.assert_allclose(fix["timestamp_start_fixation"], sim.reading.t_start - sim.audio_start_s, atol=6e-4)
    np.testing.assert_allclose(fix["x_position"], sim.reading.x * h, atol=0.51)
    words = pd.read_csv(case / "timestamps_transcription.csv", keep_default_na=False)
    assert list(words["word"]) == [w for w, _, _ in sim.words]


def test_the_search_order_depends_on_the_findings(images: list[MimicImage]) -> None:
    """v4: the global impression flags findings, which are fixated first; so gaze early in a reading lies on
    findings more often than late in it (the order carries where the findings are)."""
    early, late = [], []
    for image in images:
        boxes = tuple(b for s in image.film.specs if s.name != "Support Devices" for b in s.regions)
        for sim in image.reflacx if boxes else ():
            r = sim.reading
            quarter = np.searchsorted(np.quantile(r.t_start, [0.25, 0.75]), r.t_start)
            hit = _near(r.x, r.y, boxes, 0.0)
            early.append(hit[quarter == 0].mean())
            late.append(hit[quarter == 2].mean())
    assert np.mean(early) > 1.3 * np.mean(late), (np.mean(early), np.mean(late))


def test_gist_moves_flagged_zones_first_and_picks_the_flagged_side() -> None:
    lesion = FindingSpec("Lung Lesion", 0.9, 1, ((0.6, 0.5, 0.65, 0.55),), ((0.625, 0.525),))
    route = [("apex", 0.3, 0.2), ("mid zone", 0.62, 0.52), ("heart", 0.5, 0.6), ("mid zone", 0.64, 0.5)]
    assert gist_ordered(route, (lesion,), [0], 0.05) == [route[1], route[3], route[0], route[2]]
    assert gist_ordered(route, (lesion,), [], 0.05) == route
    rng = np.random.default_rng(0)
    assert search_right_first((lesion,), [0], rng) is False  # a patient-left finding: left lung first
    assert search_right_first((dataclasses.replace(lesion, side=0),), [0], rng) is True
