"""The simulated cases, sampled before anything is rendered: ids, anatomy, findings with their geometry,
labels and, for MIMIC-EYE, the simulated readings. Everything is a pure function of (seed, dataset, index)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gazebench.synthetic.anatomy import Anatomy, jitter, sample_anatomy, with_view
from gazebench.synthetic.dictation import compose, speak
from gazebench.synthetic.finding_types import FindingSpec
from gazebench.synthetic.findings import sample_specs
from gazebench.synthetic.labels import FINDINGS, PARENCHYMAL, consensus_labels, report_labels, sample_findings
from gazebench.synthetic.reader_model import ReaderParams, Reading, extend_while_dictating, simulate_reading
from gazebench.synthetic.rng import stream
from gazebench.synthetic.sites import SITES, Site
from gazebench.synthetic.sizes import SizeSpec

CHRONIC = ("Cardiomegaly", "Lung Lesion", "Pleural Other", "Enlarged Cardiomediastinum", "Support Devices")
"""Findings that persist into a patient's next study with probability 0.8."""

READERS: tuple[ReaderParams, ...] = (
    ReaderParams(),
    ReaderParams(search_median_s=0.23, focal_median_s=0.38, skip_zone=0.14),
    ReaderParams(search_median_s=0.3, focal_median_s=0.48, skip_zone=0.06, recognition=(0.15, 0.75)),
    ReaderParams(search_median_s=0.25, capture=0.8, decision=(0.5, 0.5)),
    ReaderParams(search_median_s=0.28, focal_median_s=0.45, ufov_deg=2.0),
)
"""Five simulated radiologists (REFLACX had five) differing in pace, thoroughness and criteria. About 8 % of
images are read by all five (a phase-3 id plus four phase-2 ids), like REFLACX phases 1-2, so a majority
of readers means something; the rest are read once."""


@dataclass(frozen=True)
class Film:
    """One frontal film to render: who, which site, anatomy and findings."""

    key: tuple[str | int, ...]
    """Random-stream key of this film (rendering noise comes from stream(seed, *key, "noise"))."""
    site: str
    anatomy: Anatomy
    findings: dict[str, float]
    specs: tuple[FindingSpec, ...]


@dataclass(frozen=True)
class SimReading:
    """One simulated eye-tracked reading: fixations (h-units, seconds from image onset) and dictation."""

    reading_id: str
    reader: int
    reading: Reading
    words: tuple[tuple[str, float, float], ...]
    """(word, start, end), seconds from image onset."""
    audio_start_s: float
    """Image-onset time at which the dictation recording started (REFLACX clock zero)."""
    spans: tuple[tuple[int | None, float, float], ...] = ()
    """(finding index or None for a normal statement, start, end) of each dictated sentence."""
    discarded: bool = False


@dataclass(frozen=True)
class MimicImage:
    """One MIMIC-EYE frontal image with its study, labels and readings."""

    film: Film
    subject_id: str
    study_id: str
    dicom_id: str
    view: str
    split: str
    labels: tuple[float, ...]
    study_datetime: str
    reflacx: tuple[SimReading, ...]
    eyegaze: SimReading | None
    lateral_id: str | None = None
    """A lateral image in the same folder that has no cxr_meta row (a real-data wrinkle)."""
    phantom_study: str | None = None
    """A study id listed in the patient's tables but with no folder (another real-data wrinkle)."""


@dataclass(frozen=True)
class ExternalImage:
    """One image of an external (zero-shot) set."""

    film: Film
    index: int
    view: str
    labels: tuple[float, ...] = field(default=())
    sex: str = ""
    age: int = 0


def _hex_id(rng: np.random.Generator) -> str:
    return "-".join(f"{int(v):08x}" for v in rng.integers(0, 2**32, size=5))


def _findings_with_history(rng: np.random.Generator, site: Site, previous: dict[str, float]) -> dict[str, float]:
    findings = sample_findings(rng, site.syndrome_rates)
    for name in CHRONIC:
        if name in previous and rng.random() < 0.8:
            findings[name] = previous[name]
    parenchymal = [findings[n] for n in PARENCHYMAL if n in findings]
    if parenchymal:
        findings.setdefault("Lung Opacity", max(parenchymal))
    return {name: findings[name] for name in FINDINGS if name in findings}


def simulate_session(seed: int, key: tuple[str | int, ...], film: Film, reader: int, reading_id: str,
                     discarded: bool = False) -> SimReading:
    """A reader's reading of `film`: gaze, dictation timed after the gaze, gaze continued while dictating."""
    rng = stream(seed, *key, "read", reader)
    params = READERS[reader]
    base = simulate_reading(film.anatomy, film.specs, rng, params)
    audio_start = float(rng.uniform(0.5, 3.0))
    words, spans = speak(compose(film.specs, base, rng), rng, audio_start + 0.3)
    full = extend_while_dictating(base, film.anatomy, film.specs, spans, rng, params)
    return SimReading(reading_id, reader, full, tuple(words), audio_start, tuple(spans), discarded)


def mimic_images(seed: int, size: SizeSpec) -> list[MimicImage]:
    """All MIMIC-EYE images of the study, patient by patient."""
    site = SITES["mimic"]
    ids = stream(seed, "mimic", "ids")
    subjects = 10_000_000 + ids.choice(9_000_000, size.mimic_patients, replace=False)
    studies = 50_000_000 + ids.choice(9_000_000, 4 * size.mimic_patients, replace=False)
    aspect = size.mimic_size[0] / size.mimic_size[1]
    out: list[MimicImage] = []
    study_no = 0
    for p, subject in enumerate(subjects):
        rng = stream(seed, "mimic", p)
        base = sample_anatomy(rng, aspect, "PA")
        split = str(rng.choice(["train", "validate", "test"], p=[0.7, 0.1, 0.2]))  # the official split (cxr_split.csv)
        previous: dict[str, float] = {}
        n_studies = 1 + int(rng.random() < 0.45) + int(rng.random() < 0.15)
        for s in range(n_studies):
            key = ("mimic", p, s)
            srng = stream(seed, *key)
            view = "AP" if srng.random() < site.ap_fraction else "PA"
            anatomy = with_view(jitter(base, srng) if s else base, view)
            findings = _findings_with_history(srng, site, previous)
            previous = findings
            film = Film(key, "mimic", anatomy, findings, sample_specs(anatomy, findings, seed, *key))
            study_id, study_no = str(studies[study_no]), study_no + 1
            dicom_id = _hex_id(srng)
            readers = srng.permutation(len(READERS))
            reflacx = [simulate_session(seed, key, film, int(readers[0]), f"P300R{srng.integers(10**6):06d}")]
            # a panel always on the first image and on early abnormal ones, so even the small study has a majority
            if srng.random() < 0.08 or (p == 0 and s == 0) or (p < 6 and s == 0 and len(film.specs) >= 2):
                trial = int(srng.integers(1, 60))
                extra_id = f"P2{trial:02d}R{srng.integers(10**6):06d}"
                reflacx.append(simulate_session(seed, key, film, int(readers[1]), extra_id,
                                                discarded=p == 0 and s == 0))
                panel = stream(seed, *key, "panel")  # the other radiologists read it too (REFLACX phases 1-2)
                reflacx += [simulate_session(seed, key, film, int(r), f"P2{trial:02d}R{panel.integers(10**6):06d}")
                            for r in readers[2:]]
            eyegaze = (simulate_session(seed, key, film, int(readers[2]), f"eg-{dicom_id}")
                       if srng.random() < size.eyegaze_fraction else None)
            day = int(srng.integers(0, 365 * 30))
            secs = float(srng.uniform(0, 86400))
            date = np.datetime64("2150-01-01") + np.timedelta64(day, "D")
            hh, mm, ss = int(secs // 3600), int(secs % 3600 // 60), secs % 60
            out.append(MimicImage(
                film=film, subject_id=str(subject), study_id=study_id, dicom_id=dicom_id, view=view, split=split,
                labels=report_labels(findings, srng), study_datetime=f"{date} {hh:02d}:{mm:02d}:{ss:06.3f}",
                reflacx=tuple(reflacx), eyegaze=eyegaze,
                lateral_id=_hex_id(srng) if srng.random() < 0.04 or (p == 1 and s == 0) else None,
                phantom_study=str(studies[-1 - p]) if s == 0 and (srng.random() < 0.05 or p == 2) else None,
            ))
    return out


def external_images(seed: int, site_name: str, n: int, aspect: float) -> list[ExternalImage]:
    """`n` frontal films from an external site, each from a different patient."""
    site = SITES[site_name]
    out = []
    for i in range(n):
        key = (site_name, i)
        rng = stream(seed, *key)
        view = "AP" if rng.random() < site.ap_fraction else "PA"
        anatomy = sample_anatomy(rng, aspect, view)
        findings = sample_findings(rng, site.syndrome_rates)
        film = Film(key, site_name, anatomy, findings, sample_specs(anatomy, findings, seed, *key))
        out.append(ExternalImage(film, i, view, consensus_labels(findings), str(rng.choice(["Male", "Female"])),
                                 int(rng.integers(18, 91))))
    return out
