"""gazebench: a benchmark harness for gaze-supervised medical vision-language models."""
from gazebench.adapter import (
    Adapter,
    FitContext,
    GazeInput,
    ImageBatch,
    InputSpec,
    Provenance,
    TrainBatch,
    get_model,
    register_model,
)
from gazebench.labels import CHEXPERT5, CHEXPERT_LABELS
from gazebench.outputs import Answers, Boxes, Probabilities, Reports, Scanpaths
from gazebench.task import Task, get_task, register_task

__version__ = "0.1.0"

__all__ = [
    "Adapter",
    "Answers",
    "Boxes",
    "CHEXPERT5",
    "CHEXPERT_LABELS",
    "FitContext",
    "GazeInput",
    "ImageBatch",
    "InputSpec",
    "Probabilities",
    "Provenance",
    "Reports",
    "Scanpaths",
    "Task",
    "TrainBatch",
    "__version__",
    "get_model",
    "get_task",
    "register_model",
    "register_task",
]
