"""Write a whole simulated reader study to disk in the real formats, and keep the embedded default in the cache."""
from __future__ import annotations

import ctypes
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

import numpy as np

from gazebench.data.rle import encode_rle
from gazebench.errors import ConfigError
from gazebench.synthetic.anatomy import Grid, lateral_film
from gazebench.synthetic.cases import ExternalImage, Film, external_images, mimic_images
from gazebench.synthetic.location import GENERATOR_VERSION, MARKER, cached_study, study_folder
from gazebench.synthetic.pleura import pneumothorax_mask
from gazebench.synthetic.render import add_noise, process, render_film, resize
from gazebench.synthetic.rng import stream
from gazebench.synthetic.sites import SITES
from gazebench.synthetic.sizes import SizeSpec, get_size
from gazebench.synthetic.writers import chexpert, cxr_vqa, mimic_eye, ms_cxr, rsna, siim
from gazebench.synthetic.writers.files import write_dicom, write_jpeg

DATASET_DIRS = ("mimic-eye", chexpert.FOLDER, rsna.FOLDER, siim.FOLDER, ms_cxr.FOLDER, cxr_vqa.FOLDER)


@dataclass(frozen=True)
class ImageJob:
    """One image file to render and write (run in a worker process)."""

    film: Film
    path: Path
    render_size: tuple[int, int]
    out_size: tuple[int, int]
    dicom: dict[str, object] | None = None
    """write_dicom keyword arguments for a DICOM, None for a JPEG."""
    lateral: bool = False
    mask: bool = False
    """Return the RLE of the pneumothorax mask on the 1024x1024 output (SIIM)."""


def run_job(job: ImageJob, seed: int) -> str | None:
    """Render and write one image; returns the SIIM RLE when asked for it."""
    rng = stream(seed, *job.film.key, "lateral" if job.lateral else "noise")
    site = SITES[job.film.site]
    if job.lateral:
        grid = Grid(job.render_size[1], job.render_size[0])
        density = 1.0 - np.exp(-1.5 * np.maximum(lateral_film(job.film.anatomy, grid), 0.0))
        noisy = add_noise(process(density.astype(np.float32), site, rng), site, rng)
        pixels = np.clip(resize(noisy, job.out_size), 0.0, 1.0)
    else:
        pixels = render_film(job.film.anatomy, job.film.specs, site, job.render_size, job.out_size, rng)
    if job.dicom is None:
        write_jpeg(pixels, job.path)
    else:
        write_dicom(pixels, job.path, **job.dicom)  # type: ignore[arg-type]
    if not job.mask:
        return None
    specs = [s for s in job.film.specs if s.name == "Pneumothorax"]
    if not specs:
        return "-1"
    from gazebench.synthetic.findings import reshaped

    anatomy = reshaped(job.film.anatomy, job.film.specs)
    return encode_rle(pneumothorax_mask(specs[0], anatomy, Grid(job.out_size[1], job.out_size[0])))


def _keep_freed_memory() -> None:
    """Render-worker start: glibc gives freed large blocks (the 1024x1024 float images) back to the OS after
    every image and page-faults them in again for the next, a third of such a job's time; keeping them in the
    heap (up to 256 MiB) removes that. Only in the worker processes; a C library without mallopt is left as is."""
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return
    m_trim_threshold, m_mmap_threshold = -1, -3  # <malloc.h>
    mallopt(m_mmap_threshold, 32 << 20)
    mallopt(m_trim_threshold, 256 << 20)


def _dicom_args(seed: int, site_name: str, image: ExternalImage, patient_id: str,
                uids: tuple[str, str, str]) -> dict[str, object]:
    """write_dicom arguments; the site's MONOCHROME1 / 12-bit wrinkles always occur (images 1 and 0)."""
    site = SITES[site_name]
    rng = stream(seed, site_name, image.index, "dicom")
    mono1 = rng.random() < site.monochrome1_fraction or (site.monochrome1_fraction > 0 and image.index == 1)
    bits12 = rng.random() < site.bits12_fraction or (site.bits12_fraction > 0 and image.index == 0)
    return {"patient_id": patient_id, "uids": uids, "view": image.view, "sex": image.sex, "age": image.age,
            "monochrome1": bool(mono1), "bits12": bool(bits12)}


def _render_size(size: tuple[int, int], limit: int = 256) -> tuple[int, int]:
    """Render at most `limit` pixels wide (then resample), keeping the aspect ratio."""
    w, h = size
    return (w, h) if w <= limit else (limit, round(limit * h / w))


def _prepare(out: Path) -> None:
    """Refuse to write into a non-empty folder that is not a previous simulated study; clear our own outputs."""
    if out.exists() and any(out.iterdir()):
        if not (out / MARKER).exists():
            raise ConfigError(f"{out}: folder is not empty and holds no {MARKER}; choose an empty or new folder")
        (out / MARKER).unlink()
        for name in DATASET_DIRS:
            shutil.rmtree(out / name, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)


def generate(out: Path, *, size: str = "default", seed: int = 0, workers: int | None = None) -> Path:
    """Write the simulated study `size` (small/default/large) for `seed` under `out`; returns `out`.

    Same seed and size ⇒ byte-identical CSVs and identical pixels. `workers` processes render the images
    (default: up to 2 for "default" and larger, 1 for "small"); with a pool, the main process samples the
    MIMIC-EYE cases and writes every table but SIIM's (which needs the rendered masks) while the pool renders.
    """
    spec = get_size(size)
    out = Path(out)
    _prepare(out)
    chex_aspect = spec.chexpert_size[0] / spec.chexpert_size[1]
    externals = {name: external_images(seed, name, n, aspect) for name, n, aspect in (
        ("chexpert", spec.chexpert_images, chex_aspect), ("rsna", spec.rsna_images, 1.0),
        ("siim", spec.siim_images, 1.0))}
    n_workers = workers if workers is not None else (1 if size == "small" else min(2, os.cpu_count() or 1))
    pool = ProcessPoolExecutor(n_workers, initializer=_keep_freed_memory) if n_workers > 1 else None
    try:
        counts = _write_study(pool, out, seed, spec, externals)
    finally:  # after an error (or Ctrl-C) the images still queued are dropped, not rendered first
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    marker = {
        "simulated": True,
        "description": "SIMULATED reader study generated by gazebench.synthetic: chest-radiograph phantoms, "
                       "a simulated radiologist's gaze and template dictation. Not patient data; results on it "
                       "say nothing about real models on real data.",
        "generator": GENERATOR_VERSION, "seed": seed, "size": size, "version": f"{GENERATOR_VERSION} (seed {seed})",
        "counts": counts,
    }
    (out / MARKER).write_text(json.dumps(marker, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return out


def _write_study(pool: ProcessPoolExecutor | None, out: Path, seed: int, spec: SizeSpec,
                 externals: dict[str, list[ExternalImage]]) -> dict[str, dict[str, int]]:
    """Every file of the study; returns the counts per dataset. The pool renders while this process samples
    MIMIC-EYE and writes every table but SIIM's (which needs the rendered masks)."""
    external_jobs = _external_jobs(out, seed, spec, externals)
    external_results = _render(pool, external_jobs, seed)
    mimic = mimic_images(seed, spec)
    mimic_results = _render(pool, _mimic_jobs(out, spec, mimic), seed)
    counts = {
        "mimic-eye": mimic_eye.write(out / "mimic-eye", mimic, spec.mimic_size, seed),
        "chexpert": chexpert.write(out, externals["chexpert"]),
        "rsna": rsna.write(out, seed, externals["rsna"]),
        "ms-cxr": ms_cxr.write(out, mimic, spec.mimic_size),
        "medical-cxr-vqa": cxr_vqa.write(out, mimic),
    }
    siim_rles = {job.film.key[1]: r for job, r in zip(external_jobs, external_results, strict=True)
                 if job.mask and r is not None}
    counts["siim-acr"] = siim.write(out, externals["siim"], siim_rles)  # type: ignore[arg-type]
    for _ in mimic_results:  # wait for the last images (and raise a worker's error)
        pass
    return counts


def _render(pool: ProcessPoolExecutor | None, jobs: list[ImageJob], seed: int) -> Iterator[str | None]:
    """run_job over `jobs`: all submitted to `pool` at once, results in job order as they are iterated;
    without a pool, rendered here before returning."""
    if pool is None:
        return iter([run_job(job, seed) for job in jobs])
    return pool.map(run_job, jobs, repeat(seed), chunksize=8)


def _mimic_jobs(out: Path, spec: SizeSpec, mimic: list) -> list[ImageJob]:
    jobs = []
    mroot = out / "mimic-eye"
    for image in mimic:
        jobs.append(ImageJob(image.film, mimic_eye.jpg_path(mroot, image), _render_size(spec.mimic_size),
                             spec.mimic_size))
        if image.lateral_id:
            jobs.append(ImageJob(image.film, mimic_eye.jpg_path(mroot, image, image.lateral_id),
                                 _render_size(spec.mimic_size), spec.mimic_size, lateral=True))
    return jobs


def _external_jobs(out: Path, seed: int, spec: SizeSpec, externals: dict[str, list[ExternalImage]]) -> list[ImageJob]:
    jobs = []
    for image in externals["chexpert"]:
        jobs.append(ImageJob(image.film, out / chexpert.relative_path(image), _render_size(spec.chexpert_size, 192),
                             spec.chexpert_size))
    square = (spec.external_render, spec.external_render)
    for image in externals["rsna"]:
        pid = rsna.patient_id(seed, image)
        uids = (f"1.2.276.0.7230010.3.1.2.8323329.{9000 + image.index}.1517874{image.index:03d}.1",
                f"1.2.276.0.7230010.3.1.3.8323329.{9000 + image.index}.1517874{image.index:03d}.2",
                f"1.2.276.0.7230010.3.1.4.8323329.{9000 + image.index}.1517874{image.index:03d}.3")
        jobs.append(ImageJob(image.film, rsna.dicom_path(out, seed, image), square, (rsna.SIZE, rsna.SIZE),
                             dicom=_dicom_args(seed, "rsna", image, pid, uids)))
    for image in externals["siim"]:
        uids = siim.uids(image)
        jobs.append(ImageJob(image.film, siim.dicom_path(out, image), square, (siim.SIZE, siim.SIZE),
                             dicom=_dicom_args(seed, "siim", image, uids[2], uids) | {"bits12": False}, mask=True))
    return jobs


def ensure_default(cache_root: Path, size: str = "default") -> Path:
    """The default study (size "default", seed 0) under `cache_root/"simulated-v4-seed0"`, generated once; another
    `size` (the paper preset "large") lives beside it in `simulated-v4-{size}-seed0`.

    Generation goes to a temporary sibling folder that is renamed into place, so a racing process either
    wins the rename or finds the finished folder; a half-written study is never visible.
    """
    cache_root = Path(cache_root)
    final = study_folder(cache_root, size)  # an unknown size fails before any work
    if cached_study(cache_root, size) is not None:
        return final
    cache_root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{GENERATOR_VERSION}-", dir=cache_root))
    try:
        generate(tmp, size=size, seed=0)
        try:
            os.rename(tmp, final)
        except OSError:
            if not (final / MARKER).exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final
