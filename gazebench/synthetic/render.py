"""From attenuation to a stored image: film response, site processing (blur, edge enhancement, window,
gamma), per-film exposure variation and noise, and resampling to the stored size."""
from __future__ import annotations

import numpy as np
from PIL import Image
from scipy.ndimage import gaussian_filter

from gazebench.synthetic.anatomy import Anatomy, Grid
from gazebench.synthetic.finding_types import FindingSpec
from gazebench.synthetic.findings import attenuation
from gazebench.synthetic.sites import Site

FILM_GAIN = 1.5
"""Film response: density = 1 - exp(-FILM_GAIN * attenuation)."""


def film_density(anatomy: Anatomy, specs: tuple[FindingSpec, ...], grid: Grid) -> np.ndarray:
    """Noise-free film density in [0, 1] (air black, bone and metal white)."""
    density = np.maximum(attenuation(anatomy, specs, grid), 0.0)  # 1 - exp(-FILM_GAIN max(a, 0)), in place
    density *= -FILM_GAIN
    np.exp(density, out=density)
    np.subtract(1.0, density, out=density)
    return density.astype(np.float32, copy=False)


def process(density: np.ndarray, site: Site, rng: np.random.Generator) -> np.ndarray:
    """A site's processing of one film: unsharpness, edge enhancement, windowing with per-film exposure jitter."""
    img = gaussian_filter(density, site.blur) if site.blur > 0 else density
    if site.edge_enhance > 0:  # img + edge_enhance (img - blurred img), in place
        edges = gaussian_filter(img, 3.0)
        np.subtract(img, edges, out=edges)
        edges *= site.edge_enhance
        edges += img
        img = edges
    level = site.level + rng.normal(0.0, 0.03)
    width = site.width * rng.uniform(0.9, 1.1)
    shown = img - level  # clip((img - level) / width + 0.5, 0, 1) ** gamma, in place
    shown /= width
    shown += 0.5
    np.clip(shown, 0.0, 1.0, out=shown)
    shown **= site.gamma
    return shown.astype(np.float32, copy=False)


def add_noise(img: np.ndarray, site: Site, rng: np.random.Generator) -> np.ndarray:
    """Quantum-like noise, stronger in dark (high-exposure) regions, at the stored resolution."""
    sigma = 0.6 * img  # clip(img + noise (1.3 - 0.6 img) N(0, 1), 0, 1), in place
    np.subtract(1.3, sigma, out=sigma)
    sigma *= site.noise
    noisy = rng.standard_normal(img.shape, dtype=np.float32)
    noisy *= sigma
    noisy += img
    return np.clip(noisy, 0.0, 1.0, out=noisy)


def resize(img: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Bilinear resampling of a float image to (width, height)."""
    if img.shape[::-1] == size:
        return img
    return np.asarray(Image.fromarray(img, mode="F").resize(size, Image.Resampling.BILINEAR), dtype=np.float32)


def render_film(anatomy: Anatomy, specs: tuple[FindingSpec, ...], site: Site, render_size: tuple[int, int],
                out_size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """Stored image in [0, 1], shape (H, W) of `out_size`: rendered and noised at `render_size`, then resampled
    (upsampled films keep the grain of their render size, like downsampled releases of larger originals)."""
    grid = Grid(height=render_size[1], width=render_size[0])
    img = process(film_density(anatomy, specs, grid), site, rng)
    return np.clip(resize(add_noise(img, site, rng), out_size), 0.0, 1.0)
