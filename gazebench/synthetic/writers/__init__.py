"""One writer per on-disk format: MIMIC-EYE (with REFLACX and EyeGaze), CheXpert, RSNA and SIIM-ACR."""
