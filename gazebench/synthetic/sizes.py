"""How big each named study is: counts per dataset and image sizes (the "DICOM" frame equals the JPG)."""
from __future__ import annotations

from dataclasses import dataclass

from gazebench.errors import ConfigError


@dataclass(frozen=True)
class SizeSpec:
    """Counts and pixel sizes of one generated study."""

    name: str
    mimic_patients: int
    """Patients in MIMIC-EYE; each has 1-3 studies with one frontal image (≈1.6 images per patient)."""
    mimic_size: tuple[int, int]
    """(width, height) of MIMIC JPGs, which is also the declared DICOM size the gaze coordinates are in."""
    chexpert_images: int
    chexpert_size: tuple[int, int]
    rsna_images: int
    siim_images: int
    external_render: int
    """RSNA/SIIM are rendered at this square size and upsampled to 1024x1024 (the release size)."""
    eyegaze_fraction: float = 0.2
    """Share of MIMIC-EYE images that also have an EyeGaze reading."""


SIZES: dict[str, SizeSpec] = {
    "small": SizeSpec("small", 24, (160, 194), 20, (128, 156), 20, 20, 96),
    "default": SizeSpec("default", 200, (512, 620), 200, (320, 390), 180, 180, 256),
    "large": SizeSpec("large", 2000, (512, 620), 2000, (320, 390), 1800, 1800, 256),
}


def get_size(name: str) -> SizeSpec:
    """The SizeSpec called `name`; an unknown name is a ConfigError listing the known ones."""
    try:
        return SIZES[name]
    except KeyError:
        raise ConfigError(f"unknown synthetic size {name!r}; choose one of {', '.join(SIZES)}") from None
