"""The user instruction of each gazex task; training and prediction use the same wording (docs/gazex_track.md
advises the training prompt at inference, one image placeholder, greedy decoding)."""
from __future__ import annotations

TRAJECTORY = ("Trace how a radiologist reads this chest X-ray: list the gaze regions in reading order, each as "
              "(x1,y1)(x2,y2)(cx,cy).")
REPORT = "Write the findings section of the radiology report for this chest X-ray."


def grounding(query: str) -> str:
    """Ground a finding name or phrase as one box."""
    return f'Locate "{query}" on this chest X-ray as (x1,y1)(x2,y2)(cx,cy).'


def vqa(question: str) -> str:
    """A closed-set question, asked as is (answer forms are learnt from the training answers, so a task's
    declared answer set is not added to the prompt)."""
    return question
