"""Built-in models, registered on import: `random` (chance), `oracle` (reads labels), `cnn` (small image-only CNN)."""
from gazebench.models import cnn, oracle, random

__all__ = ["cnn", "oracle", "random"]
