"""MedCLIP (Wang et al., EMNLP 2022) re-implemented: decoupled image–text contrastive learning with
label-derived soft targets, zero-shot classification by prompt ensembles."""
