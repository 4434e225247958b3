"""Medical-CXR-VQA (PhysioNet `medical-cxr-vqa-dataset` 1.0.0, Hu et al.): closed-set questions about MIMIC-CXR
studies, `medical-cxr-vqa-questions.csv[.gz]` with `study_id, subject_id, question_type, question, answer`
as the authors' generator writes them, and optionally `splits_mimic_llm_VQA.json` (`train`/`val`/`test`
lists of 0-based data-row indices).

Questions are study-level; the dataset uses frontal studies only, so each study becomes one sample on its
frontal (PA/AP) image found under the data root (gazebench.data.readers.mimic_images; several frontals:
the smallest dicom_id). A question's id is its data-row index (what the split file lists). Answers are
compared lower-cased with whitespace runs collapsed. Without a split file every question is `test`.
"""
from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path

from gazebench.data.readers.mimic_cxr import mimic_id
from gazebench.data.readers.mimic_images import frontal_by_study, image_index
from gazebench.data.readers.registry import READERS
from gazebench.data.release import release_version
from gazebench.data.skips import SkipLog
from gazebench.data.tables import Row, present, read_csv
from gazebench.errors import DataError
from gazebench.labels import CHEXPERT_LABELS
from gazebench.records import Dataset, Question, Sample

QUESTION_TYPES = ("abnormality", "presence", "location", "level", "type", "view")
COLUMNS = ("study_id", "subject_id", "question_type", "question", "answer")
TABLES = ("medical-cxr-vqa-questions.csv", "medical-cxr-vqa-questions.csv.gz")
SPLIT_FILE = "splits_mimic_llm_VQA.json"
SPLIT_NAMES = {"train": "train", "val": "validate", "test": "test"}


def normalise(answer: str) -> str:
    """An answer as compared: lower case, surrounding whitespace removed, inner runs of spaces collapsed."""
    return " ".join(answer.lower().split())


def read_splits(path: Path, n_rows: int) -> dict[int, str]:
    """Data-row index → train/validate/test from the split JSON; an index listed twice or out of range, or a
    malformed file, is a DataError."""
    try:
        lists = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise DataError(path, f"cannot read the split file as JSON ({exc.__class__.__name__})") from None
    if not isinstance(lists, dict) or not set(lists) <= set(SPLIT_NAMES):
        raise DataError(path, f"expected an object with lists {', '.join(SPLIT_NAMES)}")
    out: dict[int, str] = {}
    for name, indices in lists.items():
        for i in indices if isinstance(indices, list) else [indices]:
            if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < n_rows:
                raise DataError(path, f"{name!r} lists {i!r}, not a row index 0..{n_rows - 1}")
            if i in out:
                raise DataError(path, f"row index {i} is in both {out[i]!r} and {SPLIT_NAMES[name]!r}")
            out[i] = SPLIT_NAMES[name]
    return out


def question(row: Row, index: int) -> Question:
    """The row as a Question; an unknown question_type or a blank question/answer is a DataError."""
    kind = row["question_type"].lower()
    if kind not in QUESTION_TYPES:
        raise row.error(f"question_type must be one of {', '.join(QUESTION_TYPES)}, not {row['question_type']!r}")
    if not row["question"] or not row["answer"]:
        raise row.error("blank question or answer")
    return Question(str(index), kind, row["question"], normalise(row["answer"]))


def contradicting_rows(rows: list[Row], table: Path, skips: SkipLog) -> set[int]:
    """Lines of one study's rows that ask the same question (type and text) with different answers: no answer
    among them can be the reference, so all are passed over as damaged, named with the file and rows."""
    answers: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        answers[(row["question_type"].lower(), row["question"].strip().lower())].append(row)
    out: set[int] = set()
    for same in answers.values():
        if len({normalise(r["answer"]) for r in same}) > 1:
            lines = [r.line for r in same]
            skips.damaged(f"{table}: one question of a study with different answers (all passed over)",
                          f"{table} rows {', '.join(map(str, lines))}")
            out.update(lines)
    return out


@READERS.register("medical-cxr-vqa")
def read_cxr_vqa(root: Path, images_root: Path | None = None) -> Dataset:
    """One sample per study with its questions, on the study's frontal image under `images_root` (default:
    the data root holding `root`). Studies without a frontal image there, and questions outside their
    study's split, are counted skips."""
    root = Path(root)
    table = next((root / t for t in TABLES if present(root / t)), None)
    if table is None:
        raise DataError(root, f"no {TABLES[0]} here; point at the unpacked Medical-CXR-VQA folder")
    rows = read_csv(table, required=COLUMNS)
    splits = read_splits(root / SPLIT_FILE, len(rows)) if present(root / SPLIT_FILE) else {}
    frontal = frontal_by_study(image_index(Path(images_root) if images_root is not None else root.parent))
    skips = SkipLog()
    by_study: dict[tuple[str, str], list[tuple[int, Row]]] = defaultdict(list)
    for i, row in enumerate(rows):
        by_study[(mimic_id(row, "subject_id"), mimic_id(row, "study_id"))].append((i, row))
    samples = []
    for (subject, study), study_rows in by_study.items():
        image = frontal.get((subject, study))
        if image is None:
            skips.add(f"{table}: study without a frontal image under mimic-eye/ or mimic-cxr-jpg/",
                      f"s{study} ({len(study_rows)} questions, first row {study_rows[0][1].line})")
            continue
        placed = [(i, row, splits.get(i, "" if splits else "test")) for i, row in study_rows]
        for _, row, split in placed:
            if not split:
                skips.add(f"{root / SPLIT_FILE}: question in no split", f"row {row.line}")
        placed = [p for p in placed if p[2]]
        if not placed:
            continue
        split, questions = placed[0][2], []
        contradicted = contradicting_rows([row for _, row, _ in placed], table, skips)
        for i, row, own in placed:
            if own != split:
                skips.add(f"{root / SPLIT_FILE}: question in another split than its study's first question",
                          f"row {row.line}")
            elif row.line not in contradicted:
                questions.append(question(row, i))
        samples.append(Sample(
            sample_id=image.dicom_id, patient_id=subject, study_id=study, image_path=image.path,
            labels=(math.nan,) * len(CHEXPERT_LABELS), split=split, view=image.view, questions=tuple(questions)))
    return Dataset(
        name="medical-cxr-vqa", root=root, samples=tuple(samples), skips=skips.summary(),
        version=release_version(root, "1.0.0"),
        info={"image": "the study's frontal image (smallest dicom_id if several)",
              "split": SPLIT_FILE if splits else "no split file: all test",
              "questions": f"{sum(len(s.questions) for s in samples)} on {len(samples)} studies"})
