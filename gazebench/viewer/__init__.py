"""The local results viewer (`gazebench view`): verified runs side by side, per-task curves, calibration and
slices, and a per-sample browser whose images are read from the data root on demand and never written out."""
