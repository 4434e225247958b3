"""The evaluation engine: fit (cached), predict (chunked, resumable), score, into immutable run directories."""
from gazebench.engine.config import RunConfig
from gazebench.engine.evaluate import RunOutcome, evaluate

__all__ = ["RunConfig", "RunOutcome", "evaluate"]
