"""gazebench: a benchmark harness for gaze-supervised medical vision-language models."""
from gazebench.adapter import (
    Adapter,
    FitContext,
    GazeInput,
    ImageBatch,
    InputSpec,
    Predictions,
    Provenance,
    TrainBatch,
    get_model,
    register_model,
)
from gazebench.labels import CHEXPERT5, CHEXPERT_LABELS
from gazebench.task import Task, get_task, register_task

__version__ = "0.1.0"

__all__ = [
    "Adapter",
    "CHEXPERT5",
    "CHEXPERT_LABELS",
    "FitContext",
    "GazeInput",
    "ImageBatch",
    "InputSpec",
    "Predictions",
    "Provenance",
    "Task",
    "TrainBatch",
    "__version__",
    "get_model",
    "get_task",
    "register_model",
    "register_task",
]
