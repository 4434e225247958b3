"""A model that raises while predicting: one line naming the model, the task and the batch on the terminal, the
full traceback appended to the run's log file (`<run>/run.log`, outside the verified prediction folders), and
the chunks already written kept, so a rerun resumes once the model is fixed."""
from __future__ import annotations

import datetime as dt
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from gazebench.errors import GazebenchError
from gazebench.records import Sample

LOG_NAME = "run.log"


class ModelFailure(GazebenchError):
    """The model's own code raised while predicting (a plugin bug, not a user input): `cause` holds its exception."""

    exit_code = 3

    def __init__(self, message: str, cause: BaseException) -> None:
        super().__init__(message)
        self.cause = cause


def model_failure(where: str, batch: int, batches: int, group: Sequence[Sample], cause: BaseException) -> ModelFailure:
    """The failure of batch `batch` (1-based) of `batches`, named by its first sample, the cause on one line."""
    detail = " ".join(f"{type(cause).__name__}: {cause}".split())
    return ModelFailure(f"{where} raised {detail} on batch {batch} of {batches} "
                        f"(first sample {group[0].sample_id!r})", cause)


@contextmanager
def logged_failure(run_dir: Path, model: str, task: str) -> Iterator[None]:
    """A ModelFailure while `model` predicts `task` becomes one line naming both, the chunks kept and the log
    file, which gets the full traceback."""
    try:
        yield
    except ModelFailure as failure:
        log = Path(run_dir) / LOG_NAME
        stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with log.open("a", encoding="utf-8") as fh:
            fh.write(f"{stamp} predicting {task}: {failure}\n{''.join(traceback.format_exception(failure.cause))}\n")
        kept = sum(1 for _ in Path(run_dir).rglob("chunk-*.csv"))
        raise ModelFailure(f"model {model!r} on task {task}: {failure}; {kept} prediction chunk(s) kept (a rerun "
                           f"resumes from them); full traceback in {log}", failure.cause) from None
