"""The task definitions shipped with gazebench (installed as the `gazebench.tasks` package)."""
