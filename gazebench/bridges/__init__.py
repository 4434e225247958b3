"""Optional bridges to other evaluation harnesses; each imports its harness only when it is used."""
