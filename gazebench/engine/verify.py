"""Evidence that a run's numbers come from its files: digests of the prediction chunks, recorded in
results.json at scoring time and rechecked before any leaderboard, comparison or table uses the run."""
from __future__ import annotations

import hashlib
from pathlib import Path

from gazebench.engine.rundir import RunDir


def folder_digest(folder: Path) -> str:
    """sha256 over the names and bytes of every file in a predictions folder, in name order."""
    digest = hashlib.sha256()
    for f in sorted(p for p in Path(folder).iterdir() if p.is_file() and not p.name.startswith(".")):
        digest.update(f.name.encode() + b"\0")
        digest.update(hashlib.sha256(f.read_bytes()).digest())
    return digest.hexdigest()


def prediction_digests(run: RunDir, tasks: list[str], train_task: str) -> dict[str, str]:
    """{"predictions/<task>": sha256, "validation/<train task>": sha256} for the folders scoring reads."""
    out = {f"predictions/{t}": folder_digest(run.predictions(t)) for t in tasks}
    if run.validation(train_task).is_dir():
        out[f"validation/{train_task}"] = folder_digest(run.validation(train_task))
    return out
