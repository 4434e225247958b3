"""The evaluation engine: fit (cached), predict (chunked, resumable), score, into immutable run directories.

The package re-exports nothing, so importing one light module (`gazebench.engine.config`) does not import the
whole engine and torch: use `from gazebench.engine.evaluate import evaluate` and
`from gazebench.engine.config import RunConfig`."""
