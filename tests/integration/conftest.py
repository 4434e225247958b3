"""Shared by the contract tests: arguments for the models that need a local checkpoint."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def model_args(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    """Arguments for the models that need a local checkpoint (the generic adapters): tiny ones built offline."""
    from fixtures.hf_checkpoints import BUILDERS

    root = tmp_path_factory.mktemp("contract-checkpoints")
    return {"hf-vlm": {"path": str(BUILDERS["llava"](root / "llava")), "image_size": 56},
            "hf-clip": {"path": str(BUILDERS["siglip"](root / "siglip")), "image_size": 56}}
