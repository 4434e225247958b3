"""The dataset-reader registry (group "gazebench.readers"), apart from the package so that each reader module
registers itself without importing the package that imports it."""
from __future__ import annotations

from gazebench.records import Dataset
from gazebench.registry import Registry

READERS: Registry[Dataset] = Registry("dataset reader", group="gazebench.readers")
