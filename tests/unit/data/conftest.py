"""Tiny dataset trees in the real formats, built once per test session (tests that edit a tree build
their own copy with the same writers)."""
from __future__ import annotations

from pathlib import Path

import pytest

from fixtures import formats


@pytest.fixture(scope="session")
def trees(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Read-only roots: reader name → dataset root."""
    base = tmp_path_factory.mktemp("trees")
    return {
        "mimic-eye": formats.write_mimic_eye(base),
        "ms-cxr": formats.write_ms_cxr(base),
        "medical-cxr-vqa": formats.write_cxr_vqa(base),
        "reflacx": formats.write_reflacx(base / "mirror"),
        "eyegaze": formats.write_egd(base / "mirror"),
        "chexpert": formats.write_chexpert(base),
        "rsna": formats.write_rsna(base),
        "siim-acr": formats.write_siim(base),
    }
