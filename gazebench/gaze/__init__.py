"""Gaze maths on numpy arrays: grid mapping (grid), ordered K-cell targets (targets), heatmaps (heatmap),
control targets (controls), sequence metrics (alignment), saliency metrics (saliency) and figures (draw)."""
