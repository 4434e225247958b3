"""Acquisition sites: how each simulated dataset's films differ (exposure, contrast, noise, sharpness,
AP/PA mix, DICOM encoding, case mix), so that zero-shot transfer from MIMIC-EYE is a real domain shift."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Site:
    """Display and acquisition parameters of one simulated site."""

    name: str
    level: float
    """Window level applied to the [0, 1] film density (higher → darker image)."""
    width: float
    """Window width (smaller → more contrast)."""
    gamma: float
    """Exponent applied after windowing (>1 darkens mid-tones)."""
    noise: float
    """Standard deviation of additive quantum-like noise, in [0, 1] display units."""
    blur: float
    """Gaussian blur sigma in render pixels (detector/processing unsharpness)."""
    edge_enhance: float
    """Unsharp-mask amount (CR post-processing), 0 for none."""
    ap_fraction: float
    """Share of AP (portable, supine-ish) films; the rest are PA."""
    syndrome_rates: dict[str, float] = field(default_factory=dict)
    """P(syndrome) per study; sets label prevalence and co-occurrence (see labels.SYNDROMES)."""
    monochrome1_fraction: float = 0.0
    """Share of DICOMs stored inverted (PhotometricInterpretation MONOCHROME1)."""
    bits12_fraction: float = 0.0
    """Share of DICOMs stored as 12-bit in 16-bit words (uncompressed) instead of 8-bit JPEG baseline."""


SITES: dict[str, Site] = {
    "mimic": Site("mimic", level=0.5, width=0.95, gamma=1.0, noise=0.015, blur=0.5, edge_enhance=0.0,
                  ap_fraction=0.35,
                  syndrome_rates={"heart_failure": 0.22, "infection": 0.2, "critical_care": 0.25,
                                  "trauma": 0.07, "neoplasm": 0.08}),
    "chexpert": Site("chexpert", level=0.45, width=0.8, gamma=1.25, noise=0.01, blur=0.9, edge_enhance=0.0,
                     ap_fraction=0.7,
                     syndrome_rates={"heart_failure": 0.3, "infection": 0.15, "critical_care": 0.45,
                                     "trauma": 0.04, "neoplasm": 0.06}),
    "rsna": Site("rsna", level=0.56, width=1.15, gamma=0.85, noise=0.03, blur=0.7, edge_enhance=0.0,
                 ap_fraction=0.45,
                 syndrome_rates={"heart_failure": 0.12, "infection": 0.3, "critical_care": 0.12,
                                 "trauma": 0.04, "neoplasm": 0.05},
                 monochrome1_fraction=0.05, bits12_fraction=0.03),
    "siim": Site("siim", level=0.5, width=0.9, gamma=1.1, noise=0.025, blur=0.4, edge_enhance=0.8,
                 ap_fraction=0.15,
                 syndrome_rates={"heart_failure": 0.1, "infection": 0.1, "critical_care": 0.12,
                                 "trauma": 0.4, "neoplasm": 0.05},
                 monochrome1_fraction=0.1),
}
