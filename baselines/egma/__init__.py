"""EGMA (Ma et al., NeurIPS 2024) re-implemented: FILIP-style fine-grained image–sentence alignment plus
the gaze-guided multi-label loss from sentence-level gaze heatmaps, zero-shot scoring by prompt ensembles."""
