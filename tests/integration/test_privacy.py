"""No patient text leaves the data directory: a marker word planted in every reference report, every REFLACX
dictation and every MS-CXR phrase / VQA question of a copy of the simulated study appears in no file a run,
`data check` or `reports label` writes (run directories, the cache with its image cache, the labels CSV) and
in none of their stdout/stderr."""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures.study_edits import copy_study
from gazebench.data.readers import READERS
from gazebench.engine.rundir import RunDir

MARKER = "Zyxwaldine"
"""A word no template, model or log line writes; planted capitalised, searched case-insensitively."""
TASKS = ("all",)
"""`gazebench run --tasks` for the privacy run; add a task name here to cover it."""
MODELS = ("random", "oracle")
"""Models of the privacy runs: a chance baseline and the privileged oracle that reads every reference."""
CHECKED_READERS = ("mimic-eye", "ms-cxr", "medical-cxr-vqa")
"""Readers `gazebench data check` runs over the planted copy."""


def _plant_reports(root: Path) -> int:
    """Put MARKER into the FINDINGS section of every MIMIC-CXR report; returns how many."""
    reports = sorted(root.glob("mimic-eye/patient_*/CXR-DICOM/s*.txt"))
    for path in reports:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(" FINDINGS:\n \n ", f" FINDINGS:\n \n {MARKER} noted. ", 1), encoding="utf-8")
    return len(reports)


def _plant_dictations(root: Path) -> int:
    """Append MARKER to every REFLACX transcription and its word timestamps (CRLF, like the release)."""
    cases = sorted(p.parent for p in root.glob("mimic-eye/patient_*/REFLACX/main_data/*/transcription.txt"))
    for case in cases:
        (case / "transcription.txt").write_text((case / "transcription.txt").read_text() + f" {MARKER}")
        words = case / "timestamps_transcription.csv"
        rows = list(csv.reader(words.read_text().splitlines()))
        end = rows[-1][2] if len(rows) > 1 else "0.0"
        with words.open("a", newline="") as f:
            csv.writer(f, lineterminator="\r\n").writerow([MARKER, end, end])
    return len(cases)


def _plant_table(path: Path, column: str) -> None:
    """Prefix MARKER to one text column of a CSV (no index column)."""
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows([r | {column: f"{MARKER} {r[column]}"} for r in rows])


def _gazebench(*args: str, env: dict[str, str]) -> str:
    """Run the CLI as a user does; returns stdout + stderr (it must succeed)."""
    done = subprocess.run([sys.executable, "-m", "gazebench", *args], env=env, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
    return done.stdout + done.stderr


def _files_with_marker(folder: Path) -> list[str]:
    needle = MARKER.lower().encode()
    return [str(p) for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes().lower()]


def test_planted_dataset_text_never_leaves_the_data_directory(small_root: Path, tmp_path: Path) -> None:
    data = copy_study(small_root, tmp_path / "data")
    assert _plant_reports(data) >= 20 and _plant_dictations(data) >= 20
    _plant_table(data / "ms-cxr" / "MS_CXR_Local_Alignment_v1.1.0.csv", "label_text")
    _plant_table(data / "medical-cxr-vqa" / "medical-cxr-vqa-questions.csv", "question")
    # the readers do carry the planted text in memory, so a leak would be caught
    mimic = READERS.create("mimic-eye", root=data / "mimic-eye")
    assert all(MARKER in s.report for s in mimic.samples if s.report is not None)
    assert any(w.text == MARKER for s in mimic.samples for g in s.gaze for w in g.words)
    assert all(MARKER in p.text for s in READERS.create("ms-cxr", root=data / "ms-cxr").samples for p in s.phrases)
    reports_csv = data / "reports.csv"  # the labeler's input holds report text, so it lives in the data dir
    with reports_csv.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["study_id", "report"])
        writer.writerows((p.stem[1:], p.read_text()) for p in sorted(data.glob("mimic-eye/patient_*/CXR-DICOM/*.txt")))

    outside = tmp_path / "outside"
    cache, runs = outside / "cache", outside / "runs"
    env = dict(os.environ, GAZEBENCH_CACHE=str(cache))
    env.pop("GAZEBENCH_DATA_ROOT", None)
    # oracle answers from the references themselves: it stores pointers to them, never their text
    streams = [_gazebench("run", "--model", model, "--tasks", ",".join(TASKS), "--data-root", str(data),
                          "--output-dir", str(runs), "--n-boot", "50", "--threads", "1", env=env)
               for model in MODELS]
    streams += [_gazebench("data", "check", name, str(data / name), "--json", env=env) for name in CHECKED_READERS]
    streams.append(_gazebench("reports", "label", str(reports_csv), "--out", str(outside / "labels.csv"), env=env))

    assert len(list(runs.iterdir())) == len(MODELS) and any(cache.rglob("*"))
    oracle = RunDir(next(runs.glob("oracle__*"))).load_results()
    assert oracle.tasks["mimic-eye-report"].metrics["bleu4"].value == pytest.approx(1.0)  # pointers resolved
    assert (outside / "labels.csv").is_file()
    assert _files_with_marker(outside) == []
    assert [MARKER.lower() in s.lower() for s in streams] == [False] * len(streams)
