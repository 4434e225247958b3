"""Dataset versions: the publisher's release, or the simulated study's generator and seed."""
from __future__ import annotations

import json
from pathlib import Path

from fixtures import formats as F
from gazebench.data.readers import READERS
from gazebench.data.release import release_version


def test_simulated_marker_beside_the_tree_names_generator_and_seed(tmp_path: Path) -> None:
    root = F.write_rsna(tmp_path)
    assert READERS.create("rsna", root=root).version == "stage 2"
    marker = {"simulated": True, "generator": "simulated-v1", "seed": 7, "version": "simulated-v1 (seed 7)"}
    (tmp_path / "SIMULATED.json").write_text(json.dumps(marker))
    assert READERS.create("rsna", root=root).version == "simulated-v1 (seed 7)"
    (tmp_path / "SIMULATED.json").write_text(json.dumps({"version": "simulated-v3 (seed 1)"}))
    assert release_version(root, "x") == "simulated-v3 (seed 1)"
    (tmp_path / "SIMULATED.json").write_text("{broken")
    assert release_version(root, "x").startswith("simulated")
