"""Medical-CXR-VQA question file (`medical-cxr-vqa/medical-cxr-vqa-questions.csv` + `splits_mimic_llm_VQA.json`)
for the simulated MIMIC-EYE studies, from each study's labels, rendered findings (side, zone, conspicuity)
and view, with the dataset's question templates and answer forms (abnormality, presence, location, level,
type, view). Deterministic: no random draws."""
from __future__ import annotations

import json
from pathlib import Path

from gazebench.labels import CHEXPERT_LABELS
from gazebench.synthetic.anatomy import Anatomy
from gazebench.synthetic.cases import MimicImage
from gazebench.synthetic.dictation import SIDES
from gazebench.synthetic.finding_types import FindingSpec
from gazebench.synthetic.writers.files import Table, plain_csv

FOLDER = "medical-cxr-vqa"
FILE = "medical-cxr-vqa-questions.csv"
SPLIT_FILE = "splits_mimic_llm_VQA.json"
COLUMNS = ("study_id", "subject_id", "question_type", "question", "answer")
ENTITY: dict[str, str] = {
    "Enlarged Cardiomediastinum": "enlarged cardiomediastinum", "Cardiomegaly": "cardiomegaly",
    "Lung Opacity": "lung opacity", "Lung Lesion": "lung lesion", "Edema": "edema", "Consolidation": "consolidation",
    "Pneumonia": "pneumonia", "Atelectasis": "atelectasis", "Pneumothorax": "pneumothorax",
    "Pleural Effusion": "pleural effusion", "Pleural Other": "pleural thickening", "Fracture": "fracture",
    "Support Devices": "support devices",
}
LOCATED = ("Lung Opacity", "Lung Lesion", "Consolidation", "Pneumonia", "Atelectasis", "Pneumothorax",
           "Pleural Effusion", "Pleural Other")
"""Findings asked "where" (lung or pleural space)."""
TYPES: dict[str, str] = {
    "Atelectasis": "plate-like", "Pneumonia": "multifocal", "Consolidation": "lobar", "Edema": "interstitial",
    "Pneumothorax": "apical", "Pleural Other": "pleural",
}
"""Type word per finding as the simulation renders it (Lung Lesion: nodule or mass by size)."""
SPLIT = {"train": "train", "validate": "val", "test": "test"}


def level(spec: FindingSpec) -> str:
    """Severity word from conspicuity (size words for effusion and pneumothorax)."""
    words = (("small", "moderate", "large") if spec.name in ("Pleural Effusion", "Pneumothorax")
             else ("mild", "moderate", "severe"))
    return words[0 if spec.conspicuity < 0.45 else 1 if spec.conspicuity < 0.75 else 2]


def zone(spec: FindingSpec, anatomy: Anatomy) -> str:
    """upper / mid / lower from the finding's centre height between apex and costophrenic angles."""
    x0, y0, x1, y1 = spec.region
    depth = ((y0 + y1) / 2 - anatomy.apex_y) / (sum(anatomy.cp_y) / 2 - anatomy.apex_y)
    return "upper" if depth < 1 / 3 else "mid" if depth < 2 / 3 else "lower"


def questions(image: MimicImage) -> list[tuple[str, str, str]]:
    """(question_type, question, answer) for one study."""
    codes = dict(zip(CHEXPERT_LABELS, image.labels, strict=True))
    specs = {s.name: s for s in image.film.specs if codes.get(s.name) == 1.0}
    out = [("view", "which view is this image taken?", f"{image.view} view"),
           ("abnormality", "is there evidence of any abnormalities in this image?",
            "yes" if set(specs) - {"Support Devices"} else "no")]
    found = [ENTITY[n] for n in CHEXPERT_LABELS[1:] if n in specs and n != "Support Devices"]
    if found:
        out.append(("abnormality", "what abnormalities are seen in this image?", ", ".join(found)))
    for name, spec in specs.items():
        e = ENTITY[name]
        out.append(("presence", f"is there evidence of {e} in this image?", "yes"))
        if name in LOCATED and spec.side in (0, 1):
            out.append(("location", f"where is the {e}?", f"{SIDES[spec.side]} {zone(spec, image.film.anatomy)} "
                                                          "lung area"))
            out.append(("location", f"is the {e} located on the left side or right side?",
                        f"{SIDES[spec.side]} side"))
        if name not in ("Support Devices", "Fracture"):
            out.append(("level", f"what level is the {e}?", level(spec)))
        kind = ("mass" if spec.conspicuity >= 0.6 else "nodule") if name == "Lung Lesion" else TYPES.get(name)
        if kind:
            out.append(("type", f"what type is the {e}?", kind))
    out += [("presence", f"is there {ENTITY[n]}?", "no") for n in CHEXPERT_LABELS[1:] if codes[n] == 0.0]
    return out


def write(out: Path, images: list[MimicImage]) -> dict[str, int]:
    """The question CSV and split JSON under `out/medical-cxr-vqa/`; returns question and study counts."""
    rows, splits = [], {"train": [], "val": [], "test": []}  # type: ignore[var-annotated]
    for image in images:
        for kind, text, answer in questions(image):
            splits[SPLIT[image.split]].append(len(rows))
            rows.append((int(image.study_id), int(image.subject_id), kind, text, answer))
    folder = out / FOLDER
    plain_csv(Table.from_rows(rows, COLUMNS), folder / FILE)
    (folder / SPLIT_FILE).write_text(json.dumps(splits) + "\n", encoding="utf-8")
    return {"questions": len(rows), "studies": len({r[0] for r in rows})}
